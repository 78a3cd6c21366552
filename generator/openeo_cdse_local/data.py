"""Local collections on disk: what ``load_collection`` reads, checked for what the computation
relies on before a value is used.

Layout of a data directory (``--data DIR``): one CF NetCDF file per collection, named after the
openEO collection id, e.g. ``DIR/SENTINEL2_L2A.nc``. Each holds dimensions ``t``, ``y``, ``x``
(pixel centres of a regular grid with square pixels), one variable per band over ``(t, y, x)``
with a ``grid_mapping`` attribute naming a CRS variable (``crs_wkt`` or ``spatial_ref``, else
CF attributes), NaN or ``_FillValue`` as no data; ``scale_factor``/``add_offset`` are applied
(CF decoding). What a collection's values must mean (digital numbers, reflectance) is the
collection's profile (``collections``); ``load_collection`` checks it.

Refused with one line naming the file and the rule: a file that is not a regular file inside
``DIR`` (a link out of it, a FIFO), not HDF5/NetCDF, a dimension larger than ``MAX_PIXELS``
or ``MAX_LABELS`` (checked from the file's metadata, before any coordinate is read), x or y
not strictly monotonic and regular, rectangular pixels, repeated time labels, a CRS that
cannot be read.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pyproj
import xarray

from openeo_cdse_local.errors import InvalidData

ENGINE = "h5netcdf"
#: Largest x or y of a collection file: 100 000 px is 1000 km at 10 m.
MAX_PIXELS = 100_000
#: Largest number of time labels of a collection file (a day every day for 270 years).
MAX_LABELS = 100_000
#: Relative tolerance of "regular": pixel-centre steps may differ by float rounding only.
REGULAR_RTOL = 1e-6


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
    """Write a local collection: ``bands`` name -> (t, y, x) array, in the collection's units."""
    crs = pyproj.CRS.from_user_input(crs)
    data_vars = {"spatial_ref": crs_variable(crs)}
    for name, values in bands.items():
        data_vars[name] = xarray.DataArray(
            np.asarray(values, dtype=np.float32), dims=("t", "y", "x"),
            attrs={"grid_mapping": "spatial_ref"},
        )
    geographic = crs.is_geographic
    ds = xarray.Dataset(data_vars, coords={
        "t": np.asarray(t, dtype="datetime64[ns]"),
        "y": xarray.DataArray(np.asarray(y, float), dims="y", attrs={
            "standard_name": "latitude" if geographic else "projection_y_coordinate",
            "units": "degrees_north" if geographic else "m"}),
        "x": xarray.DataArray(np.asarray(x, float), dims="x", attrs={
            "standard_name": "longitude" if geographic else "projection_x_coordinate",
            "units": "degrees_east" if geographic else "m"}),
    })
    ds.attrs["Conventions"] = "CF-1.8"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine=ENGINE)


@dataclass
class Collection:
    """A checked collection file: lazily readable bands on a regular grid, sorted unique labels."""

    path: Path
    ds: xarray.Dataset  # dims (t, y, x), y descending, x ascending, t ascending
    crs: pyproj.CRS
    bands: list[str]
    res: float

    @property
    def x(self) -> np.ndarray:
        return self.ds["x"].values.astype(np.float64)

    @property
    def y(self) -> np.ndarray:
        return self.ds["y"].values.astype(np.float64)

    @property
    def t(self) -> np.ndarray:
        return self.ds["t"].values.astype("datetime64[ns]")


def _checked_path(data_dir: Path, collection_id: str) -> Path:
    path = collection_path(data_dir, collection_id)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise InvalidData(f"load_collection: collection {collection_id!r} not found: no file {path}") from None
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if Path(os.path.realpath(data_dir)) not in target.parents:
            raise InvalidData(f"load_collection: {path} is a link out of {data_dir}; copy the file there instead")
        info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise InvalidData(f"load_collection: {path} is not a regular file")
    return path


def _outside_links(f) -> str | None:
    """The first object of an open HDF5 file that reads another file (an external link, a dataset
    with external raw storage, a virtual dataset), named; ``None`` when the file is all its own."""
    groups = [f]
    while groups:
        group = groups.pop()
        for name in group:
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                return f"{group.name.rstrip('/')}/{name} (an external link to {link.filename})"
            if isinstance(link, h5py.SoftLink):
                continue  # within the file
            item = group.get(name)
            if isinstance(item, h5py.Group):
                groups.append(item)
            elif isinstance(item, h5py.Dataset) and (item.external or item.is_virtual):
                return f"{item.name} (its data stored in other files)"
    return None


def _dimension_sizes(path: Path) -> dict[str, int]:
    """The sizes of t, y and x from the file's metadata, read before xarray allocates them; a
    file that reads other files (external links or storage, virtual datasets) is refused: a run
    reads only what is inside ``--data``."""
    try:
        with h5py.File(path, "r") as f:
            outside = _outside_links(f)
            if outside:
                raise InvalidData(f"load_collection: {path}: {outside} reads data from outside the file; store "
                                  "the data in it")
            return {d: int(f[d].shape[0]) for d in ("t", "y", "x") if d in f and len(f[d].shape) == 1}
    except OSError as exc:
        raise InvalidData(f"load_collection: cannot read {path}: not a NetCDF-4/HDF5 file ({exc})") from None


def _text(value) -> str:
    """An attribute as text: bytes that were not UTF-8 (e.g. Latin-1 written by other tools) are
    decoded as Latin-1 instead of carrying surrogates that no CRS parser accepts."""
    if isinstance(value, bytes):
        raw = value
    else:
        raw = str(value).encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _crs(ds: xarray.Dataset, path: Path) -> pyproj.CRS:
    for name in ds.data_vars:
        mapping = ds[name].attrs.get("grid_mapping")
        if mapping and mapping in ds.variables:
            attrs = ds[mapping].attrs
            wkt = attrs.get("crs_wkt") or attrs.get("spatial_ref")
            try:
                if wkt:
                    return pyproj.CRS.from_wkt(_text(wkt))
                return pyproj.CRS.from_cf({k: _text(v) if isinstance(v, (str, bytes)) else v for k, v in attrs.items()})
            except (pyproj.exceptions.CRSError, ValueError, TypeError) as exc:
                raise InvalidData(f"load_collection: {path}: the CRS of grid mapping {mapping!r} cannot be read "
                                  f"({str(exc).splitlines()[0]})") from None
    raise InvalidData(f"load_collection: {path} has no CF grid_mapping (CRS) variable")


def _step(coords: np.ndarray, name: str, path: Path) -> float:
    """The signed pixel step of a strictly monotonic, regular axis."""
    if coords.ndim != 1 or coords.size < 2:
        raise InvalidData(f"load_collection: {path}: {name} needs at least 2 pixel centres")
    if not np.isfinite(coords).all():
        raise InvalidData(f"load_collection: {path}: {name} has non-finite coordinates")
    steps = np.diff(coords)
    step = float(steps[0])
    if step == 0 or not (np.sign(steps) == np.sign(step)).all():
        raise InvalidData(f"load_collection: {path}: {name} is not strictly monotonic (pixel centres out of order)")
    if not np.allclose(steps, step, rtol=REGULAR_RTOL, atol=0):
        raise InvalidData(f"load_collection: {path}: {name} is not regular (steps from {steps.min():g} to "
                          f"{steps.max():g})")
    return step


def open_collection(data_dir: Path, collection_id: str) -> Collection:
    """The collection file of ``collection_id`` in ``data_dir``, checked (see the module doc)."""
    path = _checked_path(Path(data_dir), collection_id)
    sizes = _dimension_sizes(path)
    for dim, limit in (("t", MAX_LABELS), ("y", MAX_PIXELS), ("x", MAX_PIXELS)):
        if dim not in sizes:
            raise InvalidData(f"load_collection: {path} has no dimension {dim!r}")
        if sizes[dim] > limit:
            raise InvalidData(f"load_collection: {path} declares {sizes[dim]} {dim} values; at most {limit} are read")
    try:
        ds = xarray.open_dataset(path, engine=ENGINE)
    except Exception as exc:  # unreadable file: one line, not a traceback
        raise InvalidData(f"load_collection: cannot read {path}: {str(exc).splitlines()[0] if str(exc) else exc}") \
            from None
    crs = _crs(ds, path)
    bands = band_names(ds, path)
    for band in bands:
        if ds[band].dtype.kind not in "fiu":  # bool, complex, text, times: no reflectance or class
            raise InvalidData(f"load_collection: {path}: band {band!r} holds {ds[band].dtype} values; expected "
                              "numbers (integers or floats)")
    step_x = _step(ds["x"].values.astype(np.float64), "x", path)
    step_y = _step(ds["y"].values.astype(np.float64), "y", path)
    if not np.isclose(abs(step_x), abs(step_y), rtol=REGULAR_RTOL, atol=0):
        raise InvalidData(f"load_collection: {path}: pixels are not square (x step {abs(step_x):g}, y step "
                          f"{abs(step_y):g})")
    t = ds["t"].values
    if not np.issubdtype(t.dtype, np.datetime64):
        raise InvalidData(f"load_collection: {path}: t is not a time coordinate (CF units such as 'days since ...')")
    if np.isnat(t).any():
        raise InvalidData(f"load_collection: {path}: t has {int(np.isnat(t).sum())} missing time label(s) (NaT); "
                          "every acquisition needs its time")
    unique, counts = np.unique(t, return_counts=True)
    if (counts > 1).any():
        repeated = np.datetime_as_string(unique[counts > 1][0], unit="s")
        raise InvalidData(f"load_collection: {path}: time label {repeated} appears {counts.max()} times; labels must "
                          "be unique")
    order = {}
    if step_x < 0:
        order["x"] = slice(None, None, -1)
    if step_y > 0:
        order["y"] = slice(None, None, -1)
    if order:
        ds = ds.isel(order)
    if not (np.diff(t.astype(np.int64)) > 0).all():
        ds = ds.isel(t=np.argsort(t, kind="stable"))
    return Collection(path, ds, crs, bands, abs(step_x))


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
