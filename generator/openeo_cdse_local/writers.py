"""Results on disk: names and rules the writers share (``netcdf_writer``, ``geotiff_writer``).

The layout is the one the Copernicus Data Space Ecosystem's batch jobs give a result of this
kind (openeo-geotrellis-extensions' NetCDF and GeoTIFF writers), so a script written against a
CDSE result reads a local one unchanged: ``openEO.nc`` with the grid mapping in the variable
``crs`` and ``t`` as int32 "days since 1990-01-01"; one ``openEO_<YYYY-MM-DD>Z.tif`` per date.
Beyond that, the NetCDF is CF-1.8 clean (``axis``, ``standard_name``, no ``_FillValue`` on
coordinates, the grid mapping's CF attributes) and the GeoTIFFs are Cloud-Optimized GeoTIFFs
(GDAL's COG driver: tiles, overviews, DEFLATE with the floating-point predictor).

The writers write window by window. Every file is created by ``claim_path``: exclusively (never over an existing path, whatever it
is: a file, a link, a FIFO, a device), never through a symbolic link in the folders below the
output root, which is the one place that decides where a writer may write.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

import numpy as np
import xarray

from openeo_cdse_local.cube import cube_dims_order
from openeo_cdse_local.errors import ExecutorError
from openeo_cdse_local.tiling import DEFAULT_TILE_PX

#: file names of CDSE's batch job results (the writers' default ``filename_prefix``)
NETCDF_NAME = "openEO.nc"
GEOTIFF_PREFIX = "openEO"
#: the grid-mapping variable and the time encoding of CDSE's NetCDF writer
CRS_NAME = "crs"
EPOCH = "1990-01-01"
#: names no band may take: the coordinates and grid-mapping variables of the outputs
RESERVED_NAMES = ("t", "x", "y", "bands", CRS_NAME, "spatial_ref")
#: a band name that is a valid NetCDF/CF variable name and a safe file-name part
BAND_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


class OutputRefused(ExecutorError):
    """A path a writer was asked to create exists, sits behind a link, or a name is unusable."""


def geotiff_name(day, prefix: str = GEOTIFF_PREFIX) -> str:
    """``openEO_2023-06-01Z.tif``: the date of the layer, as CDSE's GeoTIFF writer names it."""
    return f"{prefix}_{np.datetime64(day, 'D')}Z.tif"


def band_name_problem(names: list[str]) -> str | None:
    """Why ``names`` cannot name the variables of a NetCDF file (and layers of a GeoTIFF), or
    ``None``: each must be a CF variable name (a letter, then letters, digits or ``_``, at most
    64), not a coordinate or grid-mapping name, and unique (ignoring case, as file systems may)."""
    seen: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not BAND_NAME.fullmatch(name):
            return (f"band name {name!r} is not a valid variable name: expected a letter, then letters, digits or "
                    "'_' (at most 64)")
        if name in RESERVED_NAMES:
            return f"band name {name!r} is taken by a coordinate or the grid mapping ({', '.join(RESERVED_NAMES)})"
        if name.lower() in seen:
            return f"band names {seen[name.lower()]!r} and {name!r} are the same name"
        seen[name.lower()] = name
    return None


def what_is(path: Path) -> str:
    """What occupies ``path``, told without opening it (a FIFO would block)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link"
    if stat.S_ISDIR(st.st_mode):
        return "a directory"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device"
    if st.st_nlink > 1:
        return "a file with another hard link"
    return "a file"


def claim_path(path: Path, root: Path | None = None) -> Path:
    """Create ``path`` as a new empty file for a writer to fill, and return it; the one place
    that decides whether a writer may write a path. The folders between ``root`` (default: the
    file's folder; taken as it is) and the file are made as needed and must be real folders, not
    links; the file must not exist in any form (``O_EXCL``, no link followed, nothing opened), so
    nothing that is there (a file of the user's, a hard link to a file elsewhere, a FIFO, a
    device) is ever written through or over. Else ``OutputRefused`` naming the path."""
    path = Path(os.path.abspath(path))
    root = Path(os.path.abspath(root)) if root is not None else path.parent
    if path == root or not path.is_relative_to(root):
        raise OutputRefused(f"refusing to write {path}: it is not inside the output folder {root}")
    os.makedirs(root, exist_ok=True)
    folder = root
    for part in path.relative_to(root).parts[:-1]:
        folder = folder / part
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise OutputRefused(f"refusing to write {path}: {folder} is {what_is(folder)}, not a folder")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        raise OutputRefused(f"refusing to write {path}: it exists ({what_is(path)}) and this run did not create "
                            "it; move it away first") from None
    except OSError as exc:
        raise OutputRefused(f"refusing to write {path}: {exc.strerror}") from None
    os.close(fd)
    return path


class Claims:
    """The files a command creates under ``root``, each through ``claim_path``; ``paths`` lists
    them (what the command may record as its own)."""

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))
        self.paths: list[Path] = []

    def claim(self, path: Path) -> Path:
        self.paths.append(claim_path(path, self.root))
        return self.paths[-1]


def claims_or_new(claims: Claims | None, folder: Path) -> Claims:
    return claims if claims is not None else Claims(folder)


#: HDF5 chunk / GeoTIFF tile edge of the outputs: the back-end's layout tile, so a run's windows,
#: the layout and the files' tiles line up
OUT_TILE_PX = DEFAULT_TILE_PX


def layout(cube: xarray.DataArray) -> tuple[xarray.DataArray, list[str], tuple]:
    """The cube in (t, bands, y, x) order, its variable names (one per band, else ``data``)
    and the dimensions of each variable; band names that cannot be variables are refused."""
    cube = cube_dims_order(cube)
    names = [str(b) for b in cube.bands.values] if "bands" in cube.dims else ["data"]
    problem = band_name_problem(names)
    if problem:
        raise OutputRefused(problem)
    return cube, names, tuple(d for d in cube.dims if d != "bands")
