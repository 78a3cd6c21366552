"""``load_collection`` from local files keyed by collection id (see ``local.io`` for the layout).

Reproduces the CDSE loader for this graph: bands in the requested order (an unknown band is an
error), acquisitions with ``start <= t < end`` (openEO's half-open interval; date-only ends
mean midnight), the pixels whose footprint intersects ``spatial_extent`` (a bounding box in
its ``crs``, EPSG:4326 by default, or the bounding box of a GeoJSON geometry) on the
collection's own grid, values as stored (digital numbers, NaN = no data). The cube is lazy: a
dask array read from the file window by window (the session's ``chunk_px`` pixels per side, all
dates and bands per window), as a back-end reads tiles on demand. The CDSE-specific
``featureflags`` (S3 binning) are kept with the cube: ``resample_cube_spatial`` applies them
when the cube is brought onto a target grid, which is where the back-end bins.
"""

from __future__ import annotations

from pathlib import Path

import dask.array as da
import numpy as np
import pyproj
import xarray

from openeo_cdse_local import chunks, data
from openeo_cdse_local.cube import Grid, resolution, with_grid
from openeo_cdse_local.errors import InvalidData, ProcessFailure
from openeo_cdse_local.registry import override
from openeo_cdse_local.temporal import instant


def _bbox(spatial_extent) -> tuple[tuple[float, float, float, float], pyproj.CRS]:
    if not isinstance(spatial_extent, dict):
        raise ProcessFailure("parameter 'spatial_extent': expected a bounding box or a GeoJSON object")
    if "west" in spatial_extent:
        try:
            w, s, e, n = (float(spatial_extent[k]) for k in ("west", "south", "east", "north"))
        except (KeyError, TypeError, ValueError):
            raise ProcessFailure("parameter 'spatial_extent': west, south, east and north must be numbers") from None
        crs = pyproj.CRS.from_user_input(spatial_extent.get("crs") or 4326)
    else:
        coords = np.asarray(_geojson_coordinates(spatial_extent), dtype=float).reshape(-1, 2)
        if coords.size == 0:
            raise ProcessFailure("parameter 'spatial_extent': GeoJSON without coordinates")
        (w, s), (e, n) = coords.min(axis=0), coords.max(axis=0)
        crs = pyproj.CRS.from_epsg(4326)
    if not (e > w and n > s):
        raise ProcessFailure(f"parameter 'spatial_extent' is empty: west {w} east {e}, south {s} north {n}")
    return (w, s, e, n), crs


def _geojson_coordinates(obj) -> list:
    if isinstance(obj, dict):
        if obj.get("type") == "FeatureCollection":
            return [c for f in obj.get("features", []) for c in _geojson_coordinates(f)]
        if obj.get("type") == "Feature":
            return _geojson_coordinates(obj.get("geometry") or {})
        if obj.get("type") == "GeometryCollection":
            return [c for g in obj.get("geometries", []) for c in _geojson_coordinates(g)]
        return _flatten(obj.get("coordinates", []))
    return []


def _flatten(coords) -> list:
    if coords and isinstance(coords[0], (int, float)):
        return [coords[:2]]
    return [c for part in coords for c in _flatten(part)]


@override("load_collection", reproduces="openeogeotrellis/layercatalog.py GeoPySparkLayerCatalog.load_collection",
          upstream="openeo-processes-dask has no load_collection (only load_stac, online)")
def load_collection(session, id: str, spatial_extent=None, temporal_extent=None, bands=None,
                    properties=None, featureflags=None, **_ignored) -> xarray.DataArray:
    data_dir = session.data_dir
    ds, crs = data.open_collection(data_dir, id)
    available = data.band_names(ds, data.collection_path(data_dir, id))
    bands = list(bands) if bands is not None else available
    unknown = [b for b in bands if b not in available]
    if unknown:
        raise InvalidData(
            f"load_collection {id!r}: band(s) {', '.join(unknown)} not in {data.collection_path(data_dir, id)} "
            f"(available: {', '.join(available)}); check the band parameters"
        )
    x, y = ds["x"].values.astype(float), ds["y"].values.astype(float)
    res = resolution(x, "x")
    if y.size > 1 and y[0] < y[-1]:
        ds, y = ds.isel(y=slice(None, None, -1)), y[::-1]
    x_sel = slice(None)
    y_sel = slice(None)
    if spatial_extent is not None:
        (w, s, e, n), bbox_crs = _bbox(spatial_extent)
        if bbox_crs != crs:
            w, s, e, n = pyproj.Transformer.from_crs(bbox_crs, crs, always_xy=True).transform_bounds(w, s, e, n, densify_pts=21)
        half = res / 2
        cols = np.flatnonzero((x + half > w) & (x - half < e))
        rows = np.flatnonzero((y + half > s) & (y - half < n))
        if cols.size == 0 or rows.size == 0:
            raise ProcessFailure(f"parameter 'spatial_extent': no pixel of {id!r} in the requested area")
        x_sel, y_sel = slice(cols[0], cols[-1] + 1), slice(rows[0], rows[-1] + 1)
    t = ds["t"].values.astype("datetime64[ns]")
    t_sel = np.ones(t.size, dtype=bool)
    if temporal_extent is not None:
        start, end = temporal_extent
        if start is not None:
            t_sel &= t >= instant(start, "temporal_extent")
        if end is not None:
            t_sel &= t < instant(end, "temporal_extent")
    if id.startswith("SENTINEL2") and not t_sel.any():
        raise ProcessFailure(
            f"parameter 'temporal_extent': no {id} acquisition in [{temporal_extent[0]}, {temporal_extent[1]})"
        )
    sub = ds[bands].isel(t=np.flatnonzero(t_sel), y=y_sel, x=x_sel)
    xs, ys = sub["x"].values.astype(float), sub["y"].values.astype(float)
    size = session.chunk_px
    if bands:
        window = {"t": -1, "y": size, "x": size}
        values = da.stack([sub[b].chunk(window).data.astype(np.float32) for b in bands], axis=1)
        values = values.rechunk({1: -1})
    else:
        values = np.zeros((int(t_sel.sum()), 0, ys.size, xs.size), np.float32)
    grid = Grid(crs, float(xs[0]), float(ys[0]), res, xs.size, ys.size)
    attrs = {"collection": id}
    if featureflags:
        attrs["featureflags"] = dict(featureflags)
    return with_grid(values, ("t", "bands", "y", "x"), {"t": sub["t"].values, "bands": bands}, grid, attrs)
