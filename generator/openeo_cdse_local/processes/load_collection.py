"""``load_collection`` from local files keyed by collection id (``data`` for the files' rules),
delivered as the back-end delivers the collection.

Reproduces openeo-geopyspark-driver ``openeogeotrellis/layercatalog.py``
``GeoPySparkLayerCatalog.load_collection`` with the layout of ``grids`` and the extents of
``dryrun``; for Sentinel-3 ``openeogeotrellis/collections/sentinel3.py`` ``pyramid`` and
``read_product``. For a collection with a profile (``collections``):

- the grid: Sentinel-2 in the best UTM zone of the extent at 10 m, Sentinel-3 in EPSG:4326 at
  1/336 degree; the layout starts at the top-left corner of the global extent (snapped to the
  pixel in UTM) in tiles of ``tilesize`` px (feature flag; default 256); whole tiles are read:
  Sentinel-2 those touching the extent buffered by the graph's pixel buffer, Sentinel-3 those
  touching the extent itself (its reader ignores the buffer; the layout's origin still comes
  from the buffered global extent);
- the values: Sentinel-2 as digital numbers with 0 as no data (NaN); Sentinel-3 in reflectance,
  binned (``binning``) when the feature flags ask for it, else the nearest product pixel
  within two pixels; every band float32, NaN = no data;
- the labels: Sentinel-2 at 00:00 UTC of the day, Sentinel-3 floored to the minute; products
  that share a label are merged cell by cell, the first with data winning (the back-end's
  ``mergeTiles``; its order there is not fixed);
- the units are checked: a Sentinel-2 file in reflectance or a Sentinel-3 file in digital
  numbers would make the UDP's arithmetic silently wrong, so it is refused.

A collection without a profile is loaded on its file's own grid (the layout starting at the
file's top-left pixel), values and labels as stored. Acquisitions: ``start <= t < end``
(``temporal``; Sentinel-2 compares whole days, as its reader drops the time of day).

Lazy (``readers``): a dask array read from the file window by window (the session's
``chunk_px``), all dates and bands per window; Sentinel-3 is resampled per block of tiles and
batch of products.
"""

from __future__ import annotations

import math

import numpy as np
import pyproj
import xarray

from openeo_cdse_local import data, readers
from openeo_cdse_local.collections import Profile, profile
from openeo_cdse_local.cube import Grid, with_grid
from openeo_cdse_local.dryrun import request_bbox
from openeo_cdse_local.errors import InvalidData, ProcessFailure, Unsupported
from openeo_cdse_local.grids import BBox, Layout, best_utm
from openeo_cdse_local.registry import override
from openeo_cdse_local.temporal import instant
from openeo_cdse_local.tiling import DEFAULT_TILE_PX

#: ``tilesize`` feature flags a run accepts (the back-end takes any; these bound the memory)
TILE_RANGE = (16, 4096)
#: a sample of this many pixels per side of one date tells the units of a file (the first of
#: the first dates that has data)
UNITS_SAMPLE_PX = 256
UNITS_SAMPLE_DATES = 8
#: the median a Sentinel-2 reflectance band's digital numbers exceed (reflectance x 10000: a
#: median of 5 would be a reflectance of 0.0005) and a Sentinel-3 reflectance stays below
UNITS_THRESHOLD = 5.0
#: the range of CDSE's Sentinel-2 L2A values: uint16 digital numbers and classes (the
#: ``SENTINEL2_L2A`` profile in ``collections.py``: ``openeogeotrellis/layercatalog.py``
#: ``load_collection``, ``geopysparkdatacube.py`` ``convert_data_type``)
S2_VALUE_RANGE = (0.0, 65535.0)


def _tile_px(featureflags: dict | None) -> int:
    value = (featureflags or {}).get("tilesize", DEFAULT_TILE_PX)
    if not isinstance(value, int) or isinstance(value, bool) or not TILE_RANGE[0] <= value <= TILE_RANGE[1]:
        raise Unsupported(f"load_collection: feature flag tilesize {value!r} must be a whole number of pixels from "
                          f"{TILE_RANGE[0]} to {TILE_RANGE[1]}")
    return value


def _labels(times: np.ndarray, known: Profile | None) -> np.ndarray:
    if known is None:
        return times
    unit = "D" if known.labels == "day" else "m"
    return times.astype(f"datetime64[{unit}]").astype("datetime64[ns]")


def _in_period(times: np.ndarray, temporal_extent, known: Profile | None) -> np.ndarray:
    keep = np.ones(times.size, dtype=bool)
    if not temporal_extent:
        return keep
    start, end = temporal_extent
    by_day = known is not None and known.labels == "day"
    day = lambda v: v.astype("datetime64[D]").astype("datetime64[ns]")  # noqa: E731
    compared = day(times) if by_day else times
    if start is not None:
        keep &= compared >= (day(instant(start)) if by_day else instant(start))
    if end is not None:
        keep &= compared < (day(instant(end)) if by_day else instant(end))
    return keep


def _check_units(values: np.ndarray, band: str, collection: data.Collection, known: Profile) -> None:
    """Refuse a file whose values are four orders of magnitude off what the back-end delivers."""
    finite = values[np.isfinite(values)]
    if known.nodata is not None:
        finite = finite[finite != known.nodata]
    if finite.size == 0:
        return
    median = float(np.median(np.abs(finite)))
    band = str(band)
    low, high = S2_VALUE_RANGE
    if known.id == "SENTINEL2_L2A" and not (finite.min() >= low and finite.max() <= high):
        raise InvalidData(f"load_collection: {collection.path}: band {band!r} has values from {finite.min():.4g} to "
                          f"{finite.max():.4g}; CDSE delivers {known.id} as unsigned 16-bit digital numbers "
                          f"({low:g} to {high:g})")
    if known.id == "SENTINEL2_L2A" and band != "SCL" and median < UNITS_THRESHOLD:
        raise InvalidData(f"load_collection: {collection.path}: band {band!r} has a median of {median:.4g}, which looks "
                          f"like reflectance; CDSE delivers {known.id} as digital numbers (reflectance x 10000): "
                          "store them so (no scale_factor)")
    if known.id == "SENTINEL3_SYN_L2_SYN" and not band.endswith("_flags") and median > UNITS_THRESHOLD:
        raise InvalidData(f"load_collection: {collection.path}: band {band!r} has a median of {median:.4g}, which looks "
                          f"like digital numbers; CDSE delivers {known.id} in reflectance (0..1): store reflectance, "
                          "or digital numbers with their scale_factor")


def _sample_units(collection: data.Collection, bands: list[str], t_index: np.ndarray, known: Profile) -> None:
    """The units check on a sample: a window of the first dates that have data."""
    for t in t_index[:UNITS_SAMPLE_DATES]:
        window = {"t": int(t), "y": slice(0, UNITS_SAMPLE_PX), "x": slice(0, UNITS_SAMPLE_PX)}
        sample = {b: np.asarray(collection.ds[b][window].values, dtype=np.float64) for b in bands}
        if any(np.isfinite(v).any() for v in sample.values()):
            for band, values in sample.items():
                _check_units(values, band, collection, known)
            return


def _layer(collection: data.Collection, known: Profile | None, bbox: BBox | None, plan, global_extent: BBox | None,
           tile_px: int) -> tuple[Layout, BBox | None, pyproj.CRS]:
    """The layer's layout and the box whose tiles are read (``plan``: this load's dry-run plan)."""
    file_crs = collection.crs
    if known is None:
        x, y, res = collection.x, collection.y, collection.res
        extent = BBox(float(x[0]) - res / 2, float(y[-1]) - res / 2, float(x[-1]) + res / 2, float(y[0]) + res / 2,
                      file_crs)
        layout = Layout.covering(extent, res, tile_px)
        read = bbox.reproject(file_crs) if bbox is not None else extent
        if plan is not None and plan.pixel_buffer and bbox is not None:
            read = read.buffer(res * math.ceil(plan.pixel_buffer[0]), res * math.ceil(plan.pixel_buffer[1]))
        return layout, read, file_crs
    if bbox is None:
        raise ProcessFailure(f"load_collection {known.id!r}: a spatial_extent is required")
    crs = best_utm(bbox) if known.is_utm else pyproj.CRS.from_epsg(known.crs)
    res = known.step
    if known.is_utm:
        if file_crs != crs:
            raise InvalidData(f"parameter 'spatial_extent': CDSE loads {known.id} there in {crs.name} (EPSG:"
                              f"{crs.to_epsg()}, the UTM zone of the extent's centre), but {collection.path} is in "
                              f"{file_crs.name}: the file is not of that area")
        if not math.isclose(collection.res, res, rel_tol=1e-6):
            raise InvalidData(f"load_collection: {collection.path} has {collection.res:g} m pixels; CDSE loads "
                              f"{known.id} at {res:g} m")
    own = bbox.reproject(crs)
    if plan is not None and plan.pixel_buffer and known.is_utm:
        own = own.buffer(res * math.ceil(plan.pixel_buffer[0]), res * math.ceil(plan.pixel_buffer[1]))
    if known.is_utm and known.realign:
        own = own.snap(res)
    extent = global_extent if global_extent is not None else own
    extent = extent.reproject(crs)
    if known.is_utm:
        extent = extent.snap(res)
    layout = Layout.covering(extent.union(own) if known.is_utm else extent, res, tile_px)
    return layout, own, crs


@override("load_collection", reproduces="openeogeotrellis/layercatalog.py GeoPySparkLayerCatalog.load_collection; "
                                        "openeogeotrellis/collections/sentinel3.py pyramid, read_product",
          upstream="openeo-processes-dask has no load_collection (only load_stac, online)")
def load_collection(session, id: str, spatial_extent=None, temporal_extent=None, bands=None, properties=None,
                    featureflags=None, **_ignored) -> xarray.DataArray:
    collection = data.open_collection(session.data_dir, id)
    known = profile(id)
    bands = list(bands) if bands is not None else list(collection.bands)
    unknown = [b for b in bands if b not in collection.bands]
    if unknown:
        raise InvalidData(f"load_collection {id!r}: band(s) {', '.join(unknown)} not in {collection.path} "
                          f"(available: {', '.join(collection.bands)}); check the band parameters")
    times = collection.t
    t_index = np.flatnonzero(_in_period(times, temporal_extent, known))
    if known is not None and known.id == "SENTINEL2_L2A" and t_index.size == 0:
        raise ProcessFailure(f"parameter 'temporal_extent': no {id} acquisition in "
                             f"[{temporal_extent[0]}, {temporal_extent[1]})")
    if known is not None:
        _sample_units(collection, bands, t_index, known)
    labels_all = _labels(times[t_index], known)
    labels = np.unique(labels_all)
    groups = [t_index[labels_all == label] for label in labels]
    plan = session.plan.for_collection(id) if session.plan is not None else None
    global_extent = session.plan.global_extent if session.plan is not None else None
    tile_px = _tile_px(featureflags)
    bbox = request_bbox(spatial_extent)
    layout, read_box, crs = _layer(collection, known, bbox, plan, global_extent, tile_px)
    file_box = BBox(*_file_bounds(collection), collection.crs).reproject(crs)
    if known is not None and not known.is_utm:  # Sentinel-3: tiles touching the request and the products
        tile_rows, tile_cols = layout.tiles_touching(read_box)
        frows, fcols = layout.tiles_touching(file_box)
        tile_rows = range(max(tile_rows.start, frows.start), min(tile_rows.stop, frows.stop))
        tile_cols = range(max(tile_cols.start, fcols.start), min(tile_cols.stop, fcols.stop))
    else:
        tile_rows, tile_cols = layout.tiles_touching(read_box)
        if bbox is not None and not file_box.overlaps(bbox):  # as for Sentinel-3: no pixel of the file
            raise ProcessFailure(
                f"parameter 'spatial_extent': no pixel of {id!r} in the requested area ({collection.path} covers "
                f"{file_box.west:.0f}, {file_box.south:.0f}, {file_box.east:.0f}, {file_box.north:.0f} in "
                f"EPSG:{crs.to_epsg()})")
    if len(tile_rows) == 0 or len(tile_cols) == 0:
        raise ProcessFailure(f"parameter 'spatial_extent': no pixel of {id!r} in the requested area")
    rows, cols = layout.pixel_window(tile_rows, tile_cols)
    if known is not None and not known.is_utm:
        values = readers.sentinel3(collection, bands, groups, layout, tile_rows, tile_cols, featureflags)
        values = values.rechunk({0: -1, 1: -1, 2: session.chunk_px, 3: session.chunk_px})
    else:
        values = readers.on_grid(collection, bands, t_index, layout, rows, cols, known, session.chunk_px)
        values = readers.merge_groups(values, [np.searchsorted(t_index, g) for g in groups])
    grid = Grid(crs, float(layout.x(cols)[0]), float(layout.y(rows)[0]), layout.res, cols.stop - cols.start,
                rows.stop - rows.start)
    # the result is cropped to the request (executor.crop); without a spatial_extent the local
    # file's extent stands for the collection's
    attrs = {"collection": id, "layout": layout,
             "request_bbox": bbox if bbox is not None else BBox(*_file_bounds(collection), collection.crs)}
    return with_grid(values, ("t", "bands", "y", "x"), {"t": labels, "bands": bands}, grid, attrs)


def _file_bounds(collection: data.Collection) -> tuple[float, float, float, float]:
    x, y, res = collection.x, collection.y, collection.res
    return float(x[0]) - res / 2, float(y[-1]) - res / 2, float(x[-1]) + res / 2, float(y[0]) + res / 2
