"""PNG quicklooks of a run: per output date an RGB map (from the fused B04/B03/B02, when the run
has them) and an NDVI map (when it has NDVI), each with its date, units, colour scale and map
coordinates; and the drawing helpers the demo's quicklooks share.

Maps are read from the written ``openEO.nc`` at most ``MAX_PX`` pixels across (every n-th pixel
of a larger scene), so drawing needs little memory whatever the scene's size.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

MAX_PX = 800
#: reflectance range shown by the RGB maps (a linear stretch of surface reflectance)
RGB_STRETCH = (0.0, 0.3)
RGB_BANDS = ("B04", "B03", "B02")


def extent_km(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) in km of pixel-centre coordinates in metres (for ``imshow``)."""
    dx = abs(float(x[1] - x[0])) if len(x) > 1 else 0.0
    dy = abs(float(y[1] - y[0])) if len(y) > 1 else 0.0
    return ((x.min() - dx / 2) / 1e3, (x.max() + dx / 2) / 1e3, (y.min() - dy / 2) / 1e3, (y.max() + dy / 2) / 1e3)


def label_axes(ax, crs_name: str) -> None:
    ax.set_xlabel(f"x (km, {crs_name})")
    ax.set_ylabel(f"y (km, {crs_name})")
    ax.tick_params(labelsize=7)


def show(ax, image: np.ndarray, extent, vmin: float, vmax: float, cmap: str = "viridis"):
    """``image`` (y, x) on map coordinates; no data transparent."""
    return ax.imshow(np.ma.masked_invalid(image), extent=extent, vmin=vmin, vmax=vmax, cmap=cmap,
                     interpolation="nearest")


def colourbar(fig, mappable, axes, label: str) -> None:
    fig.colorbar(mappable, ax=axes, shrink=0.85).set_label(label)


def rgb(red: np.ndarray, green: np.ndarray, blue: np.ndarray) -> np.ndarray:
    """(y, x, 4) RGBA of three reflectance bands, linearly stretched; no data transparent."""
    lo, hi = RGB_STRETCH
    stack = np.stack([red, green, blue], axis=-1)
    valid = np.isfinite(stack).all(axis=-1)
    scaled = np.clip((np.nan_to_num(stack) - lo) / (hi - lo), 0.0, 1.0)
    return np.concatenate([scaled, valid[..., None].astype(float)], axis=-1)


def _crs_name(ds) -> str:
    import pyproj

    from openeo_cdse_local.writers import CRS_NAME

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


class _Figure:
    """One map figure reused for every date (drawing a new figure per date costs far more than
    replacing the image and the title)."""

    def __init__(self, extent, crs_name: str, unit: str, rgba: bool, vmin: float = 0.0, vmax: float = 1.0,
                 cmap: str = "viridis"):
        self.fig, self.ax = plt.subplots(figsize=(6, 5.2), constrained_layout=True)
        self.unit, self.rgba = unit, rgba
        blank = np.zeros((2, 2, 4)) if rgba else np.full((2, 2), np.nan)
        self.image = self.ax.imshow(blank, extent=extent, interpolation="nearest", vmin=vmin, vmax=vmax, cmap=cmap)
        if not rgba:
            colourbar(self.fig, self.image, self.ax, unit)
        label_axes(self.ax, crs_name)

    def save(self, path: Path, title: str, image: np.ndarray) -> Path:
        self.image.set_data(image if self.rgba else np.ma.masked_invalid(image))
        self.ax.set_title(f"{title}\n{self.unit}" if self.rgba else title, fontsize=10)
        self.fig.savefig(path, dpi=80)
        return path

    def close(self) -> None:
        plt.close(self.fig)


def write_all(nc_path: Path, folder: Path, values: dict, claims=None) -> list[Path]:
    """``rgb_<date>.png`` and ``ndvi_<date>.png`` for every date of ``openEO.nc``, each file
    created through ``claims`` (``openeo_cdse_local.writers.Claims``; default: one for ``folder``)."""
    import xarray
    from openeo_cdse_local.writers import CRS_NAME, Claims

    claims = claims if claims is not None else Claims(folder)
    paths = []
    with xarray.open_dataset(nc_path, engine="h5netcdf") as ds:
        names = [n for n in ds.data_vars if n not in (CRS_NAME, "spatial_ref")]
        step = max(1, math.ceil(max(ds.sizes["y"], ds.sizes["x"]) / MAX_PX))
        window = {"y": slice(None, None, step), "x": slice(None, None, step)}
        extent = extent_km(ds["x"].values[window["x"]], ds["y"].values[window["y"]])
        crs_name = _crs_name(ds)
        rgb_names = _rgb_names(names, values)
        stretch = f"surface reflectance (1), stretched {RGB_STRETCH[0]:g}–{RGB_STRETCH[1]:g}"
        figures = {}
        if rgb_names:
            figures["rgb"] = _Figure(extent, crs_name, stretch, rgba=True)
        if "NDVI" in names:
            figures["ndvi"] = _Figure(extent, crs_name, "NDVI (1)", rgba=False, vmin=-0.2, vmax=1.0, cmap="YlGn")
        try:
            for i, label in enumerate(ds["t"].values):
                day = str(np.datetime64(label, "D"))
                if "rgb" in figures:
                    bands = [ds[n].isel(t=i, **window).values for n in rgb_names]
                    paths.append(figures["rgb"].save(claims.claim(folder / f"rgb_{day}.png"),
                                                     f"EFAST RGB ({', '.join(RGB_BANDS)}), {day}", rgb(*bands)))
                if "ndvi" in figures:
                    paths.append(figures["ndvi"].save(claims.claim(folder / f"ndvi_{day}.png"), f"EFAST NDVI, {day}",
                                                      ds["NDVI"].isel(t=i, **window).values))
        finally:
            for figure in figures.values():
                figure.close()
    return paths
