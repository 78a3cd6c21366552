"""Local collections on disk: what ``load_collection`` reads.

Layout of a data directory (``efast-udp run --data DIR``): one CF NetCDF file per collection,
named after the openEO collection id, e.g. ``DIR/SENTINEL2_L2A.nc`` and
``DIR/SENTINEL3_SYN_L2_SYN.nc``. Each holds dimensions ``t``, ``y``, ``x`` (pixel centres,
``y`` descending), one variable per band with ``grid_mapping`` pointing at a CRS variable
(``spatial_ref``, CF attributes plus ``crs_wkt``), values in the collection's digital numbers
(S2/S3 reflectance x 10000, S2 ``SCL`` classes, S3 ``CLOUD_flags`` bits), NaN as no data.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyproj
import xarray

from openeo_cdse_local.errors import InvalidData

ENGINE = "h5netcdf"


def collection_path(data_dir: Path, collection_id: str) -> Path:
    """``DIR/<collection id>.nc``; an id that is not a plain name (``../x``) is refused, so a graph
    never reads outside ``--data``."""
    if not isinstance(collection_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", collection_id) \
            or ".." in collection_id:
        raise InvalidData(f"load_collection: collection id {collection_id!r} is not a plain name (letters, digits, "
                            "'_', '-', '.')")
    return Path(data_dir) / f"{collection_id}.nc"


def crs_variable(crs: pyproj.CRS) -> xarray.DataArray:
    attrs = {k: v for k, v in crs.to_cf().items() if isinstance(v, (str, int, float))}
    attrs["crs_wkt"] = crs.to_wkt()
    attrs["spatial_ref"] = crs.to_wkt()
    return xarray.DataArray(np.int32(0), attrs=attrs)


def write_collection(path: Path, bands: dict[str, np.ndarray], t, y, x, crs) -> None:
    """Write a local collection: ``bands`` name -> (t, y, x) array in digital numbers."""
    crs = pyproj.CRS.from_user_input(crs)
    data_vars = {"spatial_ref": crs_variable(crs)}
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
        raise InvalidData(f"load_collection: collection {collection_id!r} not found: no file {path}")
    try:
        ds = xarray.open_dataset(path, engine=ENGINE)
    except Exception as exc:  # unreadable file: one line, not a traceback
        raise InvalidData(f"load_collection: cannot read {path}: {exc}") from None
    for dim in ("t", "y", "x"):
        if dim not in ds.dims:
            raise InvalidData(f"load_collection: {path} has no dimension {dim!r}")
    crs_var = None
    for name in ds.data_vars:
        gm = ds[name].attrs.get("grid_mapping")
        if gm and gm in ds.variables:
            crs_var = ds[gm]
            break
    if crs_var is None:
        raise InvalidData(f"load_collection: {path} has no CF grid_mapping (CRS) variable")
    wkt = crs_var.attrs.get("crs_wkt") or crs_var.attrs.get("spatial_ref")
    crs = pyproj.CRS.from_wkt(wkt) if wkt else pyproj.CRS.from_cf(dict(crs_var.attrs))
    return ds, crs


def band_names(ds: xarray.Dataset, path: Path | None = None) -> list[str]:
    """The band variables of a collection: dimensions exactly (t, y, x); a band stored in
    another order is an error that says which order was expected."""
    names = []
    for name, var in ds.data_vars.items():
        if var.dims == ("t", "y", "x"):
            names.append(str(name))
        elif set(var.dims) == {"t", "y", "x"}:
            raise InvalidData(f"load_collection: variable {name!r} of {path or 'the collection'} has dimensions "
                                f"({', '.join(var.dims)}); expected (t, y, x)")
    return names
