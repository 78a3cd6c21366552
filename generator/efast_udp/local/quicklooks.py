"""PNG quicklooks of a run: per output date a true-colour map (from the fused B04/B03/B02, when
the run has them) and an NDVI map (when it has NDVI), each with its date, units, colour scale
and map coordinates; and the drawing helpers the demo's figures share.

Both maps are stretched by percentiles of the whole run (``STRETCH_PERCENTILES``), one stretch
for all dates so they can be compared: a fixed 0–0.3 reflectance range shows a vegetated scene
(0.05–0.13) as dull olive, a fixed −0.2…1 NDVI range as uniform green.

Speed: the frame of each kind of map (axes, ticks, labels, title, colour bar) is drawn once by
matplotlib; per date only the date is drawn onto a copy of it (matplotlib's blitting), the map's
colours are put into the axes' box pixel by pixel (nearest neighbour, the colour map's own
lookup), and the PNGs are encoded by Pillow in a few threads. Maps are read from the written
``openEO.nc`` at most ``MAX_PX`` pixels across (every n-th pixel of a larger scene), so drawing
needs little memory whatever the scene's size.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pyproj
import xarray
from openeo_cdse_local.writers import CRS_NAME, Claims, claims_or_new

MAX_PX = 800
RGB_BANDS = ("B04", "B03", "B02")
#: lower and upper percentile of the run's values that the colour scales span
STRETCH_PERCENTILES = (2.0, 98.0)
#: the percentiles are taken from at most this many dates (evenly spread over the run), each
#: read at most ``SAMPLE_PX`` pixels across
SAMPLE_DATES = 8
SAMPLE_PX = 200
#: resolution of the PNGs
DPI = 80
#: threads encoding PNGs (zlib releases the GIL)
ENCODERS = 2
#: zlib's strategy for the PNGs: run-length matches only, 2.5 times as fast as the default
#: (level 6) for files 1 % larger on a 300 px scene
Z_RLE = 3
REFLECTANCE = "surface reflectance (unitless)"
NDVI_UNIT = "NDVI (unitless)"


def _load() -> None:
    try:
        # lazy: matplotlib, its font and Pillow cost 0.4 s (147 modules) after a run's imports (timed): imported
        # here, in the warm-up thread, while the graph computes, and never by a run without quicklooks
        from matplotlib import font_manager
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
        from PIL import PngImagePlugin  # noqa: F401

        font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    except Exception:  # noqa: BLE001 - write_all imports them again and reports what fails
        pass


def warm_up() -> threading.Thread:
    """Start importing what drawing needs (matplotlib and its font, Pillow's PNG encoder: 0.4 s on
    2 cores) in a background thread, to overlap the computation; ``join`` it before ``write_all``."""
    thread = threading.Thread(target=_load, name="quicklooks-warm-up", daemon=True)
    thread.start()
    return thread


def pyplot():
    """``matplotlib.pyplot`` on the Agg back-end (for the demo's figures, drawn once each)."""
    # lazy: matplotlib.pyplot costs 0.5 s after a run's imports (python -X importtime); only the demo's figures
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: as matplotlib, and after use("Agg")

    return plt


#: pixel edge (m) assumed for a map one pixel across in both directions (Sentinel-2's)
SINGLE_PIXEL_M = 10.0


def extent_km(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) in km of pixel-centre coordinates in metres (for ``imshow`` of
    a north-up image); an axis of one pixel takes the other axis' pixel size (or
    ``SINGLE_PIXEL_M``), so it is drawn one pixel wide."""
    dx = abs(float(x[1] - x[0])) if len(x) > 1 else None
    dy = abs(float(y[1] - y[0])) if len(y) > 1 else None
    dx = dx if dx is not None else (dy if dy is not None else SINGLE_PIXEL_M)
    dy = dy if dy is not None else dx
    return ((x.min() - dx / 2) / 1e3, (x.max() + dx / 2) / 1e3, (y.min() - dy / 2) / 1e3, (y.max() + dy / 2) / 1e3)


def label_axes(ax, crs_name: str) -> None:
    ax.set_xlabel(f"x (km, {crs_name})")
    ax.set_ylabel(f"y (km, {crs_name})")
    ax.tick_params(labelsize=7)
    ax.ticklabel_format(useOffset=False, style="plain")  # map coordinates, never "+5e3" offsets


def show(ax, image: np.ndarray, extent, vmin: float, vmax: float, cmap: str = "viridis"):
    """``image`` (y, x) on map coordinates; no data transparent."""
    return ax.imshow(np.ma.masked_invalid(image), extent=extent, vmin=vmin, vmax=vmax, cmap=cmap,
                     interpolation="nearest")


def colourbar(fig, mappable, axes, label: str) -> None:
    fig.colorbar(mappable, ax=axes, shrink=0.85).set_label(label)


def stretch(samples: list[np.ndarray], fallback: tuple[float, float]) -> tuple[float, float]:
    """(low, high) percentiles ``STRETCH_PERCENTILES`` of the finite values of ``samples``;
    ``fallback`` when there are none or they are all one value."""
    values = np.concatenate([s[np.isfinite(s)].ravel() for s in samples]) if samples else np.empty(0)
    if values.size == 0:
        return fallback
    lo, hi = (float(v) for v in np.percentile(values, STRETCH_PERCENTILES))
    if not hi > lo:
        return (lo - 0.01, hi + 0.01)
    return lo, hi


def _ordinal(number: float) -> str:
    """``2nd``, ``98th``, ``2.5th``."""
    text = f"{number:g}"
    last = 0 if "." in text else int(text) % 100
    suffix = "th" if 10 <= last <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(last % 10, "th")
    return text + suffix


def rgb(red: np.ndarray, green: np.ndarray, blue: np.ndarray, limits: tuple[float, float]) -> np.ndarray:
    """(y, x, 4) uint8 RGBA of three reflectance bands, linearly stretched from ``limits`` to
    0–255; no data transparent."""
    lo, hi = limits
    stack = np.stack([red, green, blue], axis=-1)
    alpha = np.where(np.isfinite(stack).all(axis=-1, keepdims=True), np.uint8(255), np.uint8(0))
    scaled = np.clip((np.nan_to_num(stack) - lo) * (255.0 / (hi - lo)) + 0.5, 0.0, 255.0).astype(np.uint8)
    return np.concatenate([scaled, alpha], axis=-1)


def _crs_name(ds) -> str:
    wkt = ds[CRS_NAME].attrs.get("crs_wkt") if CRS_NAME in ds.variables else None
    if not wkt:
        return "map units"
    crs = pyproj.CRS.from_wkt(wkt)
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _rgb_names(names: list[str], values: dict) -> list[str] | None:
    """The output bands that hold red, green and blue: by the S2 band each output band comes from."""
    s2 = list(values.get("s2_data_bands") or [])
    found = []
    for band in RGB_BANDS:
        if band not in s2 or s2.index(band) >= len(names):
            return None
        found.append(names[s2.index(band)])
    return found


class _Frame:
    """One kind of map, its frame (axes, ticks, labels, title, colour bar) drawn once; ``render``
    draws a date's image and the date onto a copy of that frame and returns the RGB pixels."""

    def __init__(self, extent, crs_name: str, title: str, rgba: bool, limits: tuple[float, float],
                 unit: str = "", caption: str = "", cmap: str = "viridis"):
        # lazy: matplotlib costs 0.4 s after a run's imports (python -X importtime); see _load
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(6, 5.2), dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.rgba = rgba
        blank = np.zeros((2, 2, 4), np.uint8) if rgba else np.full((2, 2), np.nan)
        self.image = self.ax.imshow(blank, extent=extent, interpolation="nearest", vmin=limits[0], vmax=limits[1],
                                    cmap=cmap, animated=True)
        if not rgba:
            colourbar(self.fig, self.image, self.ax, unit)
        label_axes(self.ax, crs_name)
        if caption:
            self.fig.supxlabel(caption, fontsize=8)
        self.ax.set_title(title, loc="left", fontsize=10)
        # the date, drawn per map; the layout keeps room for it
        self.date = self.ax.set_title("0000-00-00", loc="right", fontsize=10)
        self.date.set_animated(True)
        self.canvas.draw()
        self.fig.set_layout_engine("none")  # the frame's layout, frozen
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        # where the image goes: the axes' box in pixel rows and columns (the image fills it:
        # its extent is the axes' limits, aspect equal)
        box = self.ax.get_window_extent()
        height = int(self.fig.bbox.height)
        # the pixels inside the axes' frame lines (the top and left lines fall on the box's first row and column)
        self.columns = (round(box.x0) + 1, round(box.x1))
        self.rows = (height - round(box.y1) + 1, height - round(box.y0))
        self._index: dict = {}

    def _on_screen(self, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """For each pixel row and column of the axes' box, the image's row and column it shows
        (nearest neighbour, as ``interpolation="nearest"``)."""
        if shape not in self._index:
            (top, bottom), (left, right) = self.rows, self.columns
            rows = ((np.arange(top, bottom) + 0.5 - top) * shape[0] / (bottom - top)).astype(int)
            columns = ((np.arange(left, right) + 0.5 - left) * shape[1] / (right - left)).astype(int)
            self._index[shape] = (rows.clip(0, shape[0] - 1), columns.clip(0, shape[1] - 1))
        return self._index[shape]

    def _colours(self, image: np.ndarray) -> np.ndarray:
        """(y, x, 4) uint8 RGBA of ``image``: as it is when RGBA, else through the colour map."""
        if self.rgba:
            return image
        return self.image.to_rgba(np.ma.masked_invalid(image), bytes=True)

    def render(self, image: np.ndarray, day: str) -> np.ndarray:
        """(height, width, 3) uint8: the frame, ``day`` as the right-hand title and ``image``
        in the axes (no data left as the axes' background)."""
        self.canvas.restore_region(self.background)
        self.date.set_text(day)
        self.ax.draw_artist(self.date)
        pixels = np.array(np.asarray(self.canvas.buffer_rgba())[..., :3])
        rows, columns = self._on_screen(image.shape[:2])
        shown = self._colours(image).take(rows, axis=0).take(columns, axis=1)
        (top, bottom), (left, right) = self.rows, self.columns
        box = pixels[top:bottom, left:right]
        opaque = shown[..., 3:] > 0
        box[...] = shown[..., :3] if opaque.all() else np.where(opaque, shown[..., :3], box)
        return pixels


def _encode(pixels: np.ndarray, path: Path) -> Path:
    from PIL import Image  # lazy: Pillow costs 21 ms after a run's imports (python -X importtime); see _load

    Image.fromarray(pixels, "RGB").save(path, format="PNG", compress_type=Z_RLE)
    return path


class _Maps:
    """The maps of ``openEO.nc`` (an open ``h5py.File``), read at most ``MAX_PX`` across; each
    (band, date) slab is read from the file once."""

    def __init__(self, h5, x: np.ndarray, y: np.ndarray):
        self.h5 = h5
        self.shape = (len(y), len(x))
        self.step = max(1, math.ceil(max(self.shape) / MAX_PX))
        self.extent = extent_km(x[:: self.step], y[:: self.step])
        # drawn north up, west left whatever the file's order
        self.flip = (len(y) > 1 and y[1] > y[0], len(x) > 1 and x[1] < x[0])
        #: the thinned maps of the slabs ``samples`` read, until ``date`` draws them (at most
        #: SAMPLE_DATES x 4 bands x MAX_PX² float32: 82 MB; reading a 1200 px slab again cost 23 ms)
        self._kept: dict[tuple[str, int], np.ndarray] = {}

    def _slab(self, name: str, i: int) -> np.ndarray:
        """Band ``name`` on date ``i``: a whole (y, x) slab (h5py's strided reads are slower
        than reading every pixel, and a compressed chunk is decompressed whole anyway)."""
        return self.h5[name][i]

    def date(self, name: str, i: int) -> np.ndarray:
        """Band ``name`` on date ``i``, north up, thinned to at most ``MAX_PX`` across."""
        image = self._kept.pop((name, i), None)
        if image is None:
            image = self._slab(name, i)[:: self.step, :: self.step]
        return image[:: -1 if self.flip[0] else 1, :: -1 if self.flip[1] else 1]

    def samples(self, names: list[str], dates: int) -> list[np.ndarray]:
        """The bands ``names`` on ``SAMPLE_DATES`` of the ``dates``, at most ``SAMPLE_PX`` across;
        the slabs' maps are kept for ``date``."""
        every = max(1, math.ceil(max(self.shape) / SAMPLE_PX))
        chosen = sorted(set(np.linspace(0, dates - 1, min(dates, SAMPLE_DATES)).round().astype(int).tolist()))
        found = []
        for name in names:
            for i in chosen:
                slab = self._slab(name, i)
                self._kept[(name, i)] = slab[:: self.step, :: self.step].copy()  # not a view of the whole slab
                found.append(slab[::every, ::every])
        return found


def kinds(names: list[str], values: dict) -> list[str]:
    """The maps drawn for a result with bands ``names``: ``rgb`` when it has the fused B04/B03/B02,
    ``ndvi`` when it has NDVI."""
    return (["rgb"] if _rgb_names(names, values) else []) + (["ndvi"] if "NDVI" in names else [])


def date_names(labels) -> list[str]:
    """The name of each date in file names and titles: its day (``2023-06-01``), or, when two
    labels fall on one day, its minute (``2023-06-01T10-00``)."""
    days = [str(np.datetime64(label, "D")) for label in labels]
    if len(set(days)) == len(days):
        return days
    return [str(np.datetime64(label, "m")).replace(":", "-") for label in labels]


def file_name(kind: str, date: str) -> str:
    return f"{kind}_{date}.png"


def planned(folder: Path, labels, names: list[str], values: dict) -> list[Path]:
    """The files ``write_all`` will write into ``folder`` for dates ``labels`` and bands ``names``."""
    return [folder / file_name(kind, date) for date in date_names(labels) for kind in kinds(names, values)]


def write_all(nc_path: Path, folder: Path, values: dict, claims: Claims | None = None) -> list[Path]:
    """``rgb_<date>.png`` and ``ndvi_<date>.png`` for every date of ``openEO.nc``, each file
    created through ``claims`` (``openeo_cdse_local.writers.Claims``; default: one for ``folder``)."""
    claims = claims_or_new(claims, folder)
    percentiles = f"{_ordinal(STRETCH_PERCENTILES[0])}–{_ordinal(STRETCH_PERCENTILES[1])} percentile of the run"
    paths: list[Path] = []
    # xarray for the decoded coordinates and the CRS, h5py for the maps (xarray's reads of a
    # netCDF4 slab cost several times the read itself)
    with xarray.open_dataset(nc_path, engine="h5netcdf") as ds, h5py.File(nc_path, "r") as h5, \
            ThreadPoolExecutor(ENCODERS) as encoders:
        names = [n for n in ds.data_vars if n not in (CRS_NAME, "spatial_ref")]
        days = date_names(ds["t"].values)
        maps = _Maps(h5, ds["x"].values, ds["y"].values)
        crs_name = _crs_name(ds)
        wanted = kinds(names, values)  # what planned() announced
        rgb_names = _rgb_names(names, values)
        drawn = []
        if "rgb" in wanted:
            limits = stretch(maps.samples(rgb_names, len(days)), (0.0, 0.3))
            frame = _Frame(maps.extent, crs_name, f"EFAST true colour ({'/'.join(RGB_BANDS)})", rgba=True,
                           limits=(0.0, 1.0),
                           caption=f"{REFLECTANCE} {limits[0]:.3f}–{limits[1]:.3f} ({percentiles})")
            drawn.append(("rgb", frame, lambda i, limits=limits: rgb(*(maps.date(n, i) for n in rgb_names), limits)))
        if "ndvi" in wanted:
            limits = stretch(maps.samples(["NDVI"], len(days)), (-0.2, 1.0))
            frame = _Frame(maps.extent, crs_name, "EFAST NDVI", rgba=False, limits=limits,
                           unit=f"{NDVI_UNIT}, {percentiles}", cmap="YlGn")
            drawn.append(("ndvi", frame, lambda i: maps.date("NDVI", i)))
        pending: list = []
        for i, day in enumerate(days):
            for kind, frame, image in drawn:
                path = claims.claim(folder / file_name(kind, day))
                pending.append(encoders.submit(_encode, frame.render(image(i), day), path))
                if len(pending) > 2 * ENCODERS:  # a bounded queue of rendered maps
                    paths.append(pending.pop(0).result())
        paths += [job.result() for job in pending]
    return paths
