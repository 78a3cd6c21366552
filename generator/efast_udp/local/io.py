"""Local collections and results on disk.

Layout of a data directory (``efast-udp run --data DIR``): one CF NetCDF file per collection,
named after the openEO collection id, e.g. ``DIR/SENTINEL2_L2A.nc`` and
``DIR/SENTINEL3_SYN_L2_SYN.nc``. Each holds dimensions ``t``, ``y``, ``x`` (pixel centres,
``y`` descending), one variable per band with ``grid_mapping`` pointing at a CRS variable
(``spatial_ref``, CF attributes plus ``crs_wkt``), values in the collection's digital numbers
(S2/S3 reflectance x 10000, S2 ``SCL`` classes, S3 ``CLOUD_flags`` bits), NaN as no data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local.cube import cube_dims_order

ENGINE = "h5netcdf"


def collection_path(data_dir: Path, collection_id: str) -> Path:
    return Path(data_dir) / f"{collection_id}.nc"


def _crs_variable(crs: pyproj.CRS) -> xarray.DataArray:
    attrs = {k: v for k, v in crs.to_cf().items() if isinstance(v, (str, int, float))}
    attrs["crs_wkt"] = crs.to_wkt()
    attrs["spatial_ref"] = crs.to_wkt()
    return xarray.DataArray(np.int32(0), attrs=attrs)


def write_collection(path: Path, bands: dict[str, np.ndarray], t, y, x, crs) -> None:
    """Write a local collection: ``bands`` name -> (t, y, x) array in digital numbers."""
    crs = pyproj.CRS.from_user_input(crs)
    data_vars = {"spatial_ref": _crs_variable(crs)}
    for name, values in bands.items():
        data_vars[name] = xarray.DataArray(
            np.asarray(values, dtype=np.float32), dims=("t", "y", "x"),
            attrs={"grid_mapping": "spatial_ref"},
        )
    ds = xarray.Dataset(data_vars, coords={
        "t": np.asarray(t, dtype="datetime64[ns]"),
        "y": xarray.DataArray(np.asarray(y, float), dims="y", attrs={"standard_name": "projection_y_coordinate", "units": "m"}),
        "x": xarray.DataArray(np.asarray(x, float), dims="x", attrs={"standard_name": "projection_x_coordinate", "units": "m"}),
    })
    ds.attrs["Conventions"] = "CF-1.8"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine=ENGINE)


def open_collection(data_dir: Path, collection_id: str) -> tuple[xarray.Dataset, pyproj.CRS]:
    path = collection_path(data_dir, collection_id)
    if not path.is_file():
        raise EfastUdpError(f"load_collection: collection {collection_id!r} not found: no file {path}")
    try:
        ds = xarray.open_dataset(path, engine=ENGINE)
    except Exception as exc:  # unreadable file: one line, not a traceback
        raise EfastUdpError(f"load_collection: cannot read {path}: {exc}") from None
    for dim in ("t", "y", "x"):
        if dim not in ds.dims:
            raise EfastUdpError(f"load_collection: {path} has no dimension {dim!r}")
    crs_var = None
    for name in ds.data_vars:
        gm = ds[name].attrs.get("grid_mapping")
        if gm and gm in ds.variables:
            crs_var = ds[gm]
            break
    if crs_var is None:
        raise EfastUdpError(f"load_collection: {path} has no CF grid_mapping (CRS) variable")
    wkt = crs_var.attrs.get("crs_wkt") or crs_var.attrs.get("spatial_ref")
    crs = pyproj.CRS.from_wkt(wkt) if wkt else pyproj.CRS.from_cf(dict(crs_var.attrs))
    return ds, crs


def band_names(ds: xarray.Dataset) -> list[str]:
    return [str(n) for n, v in ds.data_vars.items() if v.dims == ("t", "y", "x")]


# --- results ---------------------------------------------------------------------------------

def cube_to_dataset(cube: xarray.DataArray) -> xarray.Dataset:
    """A cube as a CF dataset: one variable per band, CRS as grid_mapping."""
    cube = cube_dims_order(cube)
    crs = pyproj.CRS.from_user_input(cube.rio.crs.to_wkt()) if cube.rio.crs is not None else None
    cube = cube.drop_vars([c for c in cube.coords if c not in cube.dims])
    if "bands" in cube.dims:
        ds = cube.to_dataset(dim="bands")
    else:
        ds = cube.to_dataset(name="data")
    ds = ds.rename({k: str(k) for k in ds.data_vars})
    if crs is not None:
        ds["spatial_ref"] = _crs_variable(crs)
        for name in list(ds.data_vars):
            if name != "spatial_ref":
                ds[name].attrs["grid_mapping"] = "spatial_ref"
    for name, attrs in (("x", {"standard_name": "projection_x_coordinate", "units": "m"}),
                        ("y", {"standard_name": "projection_y_coordinate", "units": "m"}),
                        ("t", {"standard_name": "time"})):
        if name in ds.coords:
            ds[name].attrs.update(attrs)
    ds.attrs = {"Conventions": "CF-1.8"}
    return ds


def write_netcdf(cube: xarray.DataArray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = cube_to_dataset(cube)
    encoding = {n: {"zlib": True, "complevel": 4} for n in ds.data_vars if n != "spatial_ref" and ds[n].ndim >= 2}
    ds.to_netcdf(path, engine=ENGINE, encoding=encoding)
    return path


def write_geotiffs(cube: xarray.DataArray, out_dir: Path, prefix: str = "efast") -> list[Path]:
    """One multi-band float32 GeoTIFF per date: ``<prefix>_YYYY-MM-DD.tif``."""
    cube = cube_dims_order(cube)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for label in cube.coords["t"].values:
        day = str(np.datetime64(label, "D"))
        layer = cube.sel(t=label).drop_vars("t")
        layer = layer.rio.write_crs(cube.rio.crs).rio.set_spatial_dims(x_dim="x", y_dim="y")
        path = out_dir / f"{prefix}_{day}.tif"
        layer.attrs = {}
        layer.astype(np.float32).rio.to_raster(path, nodata=np.nan, compress="deflate",
                                               tags={"bands": ",".join(map(str, layer.bands.values))})
        paths.append(path)
    return paths
