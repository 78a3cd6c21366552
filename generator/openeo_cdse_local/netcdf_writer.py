"""The NetCDF file of a run: CF-1.8, laid out as CDSE's NetCDF writer lays out a result of this
kind (openeo-geotrellis-extensions): ``openEO.nc``, the grid mapping in the variable ``crs``,
``t`` as int32 "days since 1990-01-01"; one compressed float variable per band over (t, y, x);
``axis``, ``standard_name``, no ``_FillValue`` on coordinates (a CF-1.8 check finds nothing)."""

from __future__ import annotations

import collections
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5netcdf
import h5py
import numpy as np
import pyproj
import xarray

from openeo_cdse_local import stream
from openeo_cdse_local.cube import cube_dims_order
from openeo_cdse_local.data import ENGINE
from openeo_cdse_local.writers import CRS_NAME, EPOCH, OUT_TILE_PX, Claims, claims_or_new, layout

#: deflate level of the NetCDF: level 1 compresses noisy float32 reflectances nearly as well as
#: 4-6 at a fraction of the time (issue 16)
NETCDF_COMPLEVEL = 1


def crs_variable(crs: pyproj.CRS) -> xarray.DataArray:
    """The grid-mapping variable ``crs``: CF attributes of the CRS (``grid_mapping_name`` and its
    parameters), ``crs_wkt`` and ``spatial_ref`` (the WKT, as CDSE and GDAL write it) and the
    EPSG code where there is one."""
    attrs = {"long_name": "coordinate reference system"}
    attrs.update({k: v for k, v in crs.to_cf().items() if isinstance(v, (str, int, float))})
    attrs["crs_wkt"] = attrs["spatial_ref"] = crs.to_wkt()
    epsg = crs.to_epsg()
    if epsg:
        attrs["epsg_code"] = f"EPSG:{epsg}"
    return xarray.DataArray(np.int32(0), attrs=attrs)


def time_encoding(labels: np.ndarray) -> dict:
    """``t`` as CDSE writes it, int32 days since 1990-01-01, when every label is a whole day;
    float64 seconds since then when one is not (no label is ever rounded)."""
    seconds = labels.astype("datetime64[s]")
    whole_days = bool(np.all(seconds == seconds.astype("datetime64[D]")))
    units, dtype = ("days", "int32") if whole_days else ("seconds", "float64")
    return {"units": f"{units} since {EPOCH}", "calendar": "standard", "dtype": dtype, "_FillValue": None}


COORD_ATTRS = {
    "t": {"standard_name": "time", "long_name": "time", "axis": "T"},
    "x": {"standard_name": "projection_x_coordinate", "long_name": "x coordinate of projection", "units": "m",
          "axis": "X"},
    "y": {"standard_name": "projection_y_coordinate", "long_name": "y coordinate of projection", "units": "m",
          "axis": "Y"},
}


def cube_to_dataset(cube: xarray.DataArray) -> xarray.Dataset:
    """A cube as a CF dataset: one variable per band (dimensions t, y, x), the CRS as the
    grid-mapping variable ``crs`` (also a coordinate of every band, so that
    ``xarray.open_dataset(path).rio.crs`` finds it without options)."""
    cube = cube_dims_order(cube)
    crs = pyproj.CRS.from_user_input(cube.rio.crs.to_wkt()) if cube.rio.crs is not None else None
    cube = cube.drop_vars([c for c in cube.coords if c not in cube.dims])
    if "bands" in cube.dims:
        ds = cube.to_dataset(dim="bands")
    else:
        ds = cube.to_dataset(name="data")
    ds = ds.rename({k: str(k) for k in ds.data_vars})
    for name, attrs in COORD_ATTRS.items():
        if name in ds.coords:
            ds[name].attrs.update(attrs)
            ds[name].encoding.update({"_FillValue": None} if name != "t" else time_encoding(ds[name].values))
    if crs is not None:
        ds = ds.assign_coords({CRS_NAME: crs_variable(crs)})
        for name in ds.data_vars:
            ds[name].attrs["grid_mapping"] = CRS_NAME
    ds.attrs = {"Conventions": "CF-1.8"}
    return ds


def shuffled_deflate(chunk: np.ndarray, level: int) -> bytes:
    """A chunk as HDF5 stores it with the shuffle and deflate filters: the bytes of each element
    regrouped by significance (shuffle), then zlib-compressed (``H5Z_filter_deflate``)."""
    raw = np.ascontiguousarray(chunk)
    planes = raw.view(np.uint8).reshape(-1, raw.dtype.itemsize).T
    return zlib.compress(np.ascontiguousarray(planes).tobytes(), level)


class NetCDFWriter:
    """A CF NetCDF file of ``cube`` written window by window (``write``), then ``close``d.

    The coordinates, the grid-mapping variable ``crs`` and the attributes are written first (as
    ``cube_to_dataset`` lays them out), then one compressed float variable per band over
    (t, y, x) with ``_FillValue`` NaN and ``grid_mapping`` "crs". ``attrs``: global attributes
    (title, source, history, ...); ``variables``: band name -> attributes (units, long_name);
    ``claims``: where the file is claimed (default: in its own folder).

    Compression runs beside the computation: a window made of whole chunks (the run's windows
    are cut so, see ``stream.aligned_windows``) is shuffled and deflated in ``workers`` threads
    (zlib releases the GIL) and its chunks are stored as they are (h5py ``write_direct_chunk``),
    so this thread, and HDF5's lock, only copy bytes; the stored chunks are the ones HDF5's own
    filters would make, and read back bit for bit. Any other window goes through HDF5's filters.
    At most ``2 * workers`` windows wait for compression."""

    def __init__(self, cube: xarray.DataArray, path: Path, attrs: dict | None = None,
                 variables: dict[str, dict] | None = None, claims: Claims | None = None, workers: int | None = None):
        self.cube, self.names, self.dims = layout(cube)
        self.path = claims_or_new(claims, Path(path).parent).claim(path)
        skeleton = cube_to_dataset(self.cube.isel(bands=0, drop=True) if "bands" in self.cube.dims else self.cube)
        skeleton = skeleton.drop_vars(list(skeleton.data_vars))
        skeleton.attrs.update(attrs or {})
        skeleton.to_netcdf(self.path, engine=ENGINE)
        self.shape = [self.cube.sizes[d] for d in self.dims]
        self.chunk = tuple(1 if d not in ("y", "x") else min(OUT_TILE_PX, n) for d, n in zip(self.dims, self.shape))
        self.dtype = np.dtype(self.cube.dtype) if np.issubdtype(self.cube.dtype, np.floating) else np.dtype(np.float32)
        with h5netcdf.File(self.path, "a") as file:
            for name in self.names:
                var = file.create_variable(name, self.dims, dtype=self.dtype, fillvalue=self.dtype.type(np.nan),
                                           chunks=self.chunk if all(self.shape) else None, compression="gzip",
                                           compression_opts=NETCDF_COMPLEVEL, shuffle=True)
                if CRS_NAME in file.variables:
                    var.attrs["grid_mapping"] = CRS_NAME
                    var.attrs["coordinates"] = CRS_NAME
                var.attrs["long_name"] = name  # as CDSE names a band variable, unless ``variables`` says more
                for key, value in (variables or {}).get(name, {}).items():
                    var.attrs[key] = value
        self.file = h5py.File(self.path, "r+")
        self.variables = [self.file[name] for name in self.names]
        workers = max(1, workers or os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="efast-deflate")
        self.pending: collections.deque = collections.deque()
        self.limit = 2 * workers

    def _whole_chunks(self, region: tuple[slice, ...]) -> bool:
        """True when every spatial edge of ``region`` is a chunk edge (or the variable's edge)."""
        if not all(self.shape):
            return False
        for span, size, edge in zip(region, self.shape, self.chunk):
            if edge == 1:
                continue
            if span.start % edge or (span.stop % edge and span.stop != size):
                return False
        return True

    def _encode(self, region: tuple[slice, ...], layers: list[tuple[int, np.ndarray]]) -> list:
        """(variable, chunk offset, stored bytes) of every chunk of the window's ``layers``
        (variable index, values over ``region``); edge chunks padded with the fill value."""
        out = []
        for index, values in layers:
            values = np.asarray(values, dtype=self.dtype)
            starts = [range(s.start, s.stop, e) for s, e in zip(region, self.chunk)]
            for offset in np.stack(np.meshgrid(*starts, indexing="ij"), -1).reshape(-1, len(region)):
                local = tuple(slice(o - s.start, o - s.start + e) for o, s, e in zip(offset, region, self.chunk))
                part = values[local]
                if part.shape != self.chunk:
                    full = np.full(self.chunk, np.nan, dtype=self.dtype)
                    full[tuple(slice(0, n) for n in part.shape)] = part
                    part = full
                out.append((index, tuple(int(o) for o in offset), shuffled_deflate(part, NETCDF_COMPLEVEL)))
        return out

    def _store(self, chunks: list) -> None:
        for index, offset, payload in chunks:
            self.variables[index].id.write_direct_chunk(offset, payload)

    def write(self, region: tuple[slice, ...], block: np.ndarray) -> None:
        """Values of the (t, bands, y, x)-ordered cube at ``region`` (one slice per dimension)."""
        if "bands" not in self.cube.dims:
            rest, layers = region, [(0, block)]
        else:
            axis = self.cube.dims.index("bands")
            rest = region[:axis] + region[axis + 1:]
            layers = [(index, np.take(block, k, axis=axis))
                      for k, index in enumerate(range(*region[axis].indices(len(self.names))))]
        if not self._whole_chunks(rest):
            for index, values in layers:
                self.variables[index][rest] = values
            return
        self.pending.append(self.pool.submit(self._encode, rest, layers))
        while len(self.pending) > self.limit or (self.pending and self.pending[0].done()):
            self._store(self.pending.popleft().result())

    def close(self) -> None:
        try:
            while self.pending:
                self._store(self.pending.popleft().result())
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop compressing and close the file (after a failure it is left incomplete: the run
        removes what it claimed)."""
        for future in self.pending:
            future.cancel()
        self.pending.clear()
        self.pool.shutdown(wait=True)
        if self.file.id.valid:
            self.file.close()


def write_netcdf(cube: xarray.DataArray, path: Path) -> Path:
    """The whole cube as CF NetCDF (``NetCDFWriter``; lazy cubes stream window by window)."""
    stream.write([(cube, [lambda c: NetCDFWriter(c, path)])])
    return path
