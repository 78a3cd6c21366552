"""The Python API of efast-udp: the released EFAST process definition for the openeo client, and
a local run of it that returns an xarray dataset (``docs/python.md``).

    import openeo
    from efast_udp import create_efast_udp

    connection = openeo.connect("https://openeo.dataspace.copernicus.eu").authenticate_oidc()
    params, process_graph = create_efast_udp(connection)
    connection.save_user_defined_process("efast", process_graph, parameters=params)

Every released version is read from the package's data (``efast_udp/udp_releases/<version>/
efast.json`` in a wheel; ``udp/releases/`` of the checkout in an editable install), never built
anew, so what this returns is byte for byte what the site publishes for that version.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import json
from pathlib import Path

from efast_udp.document import load_udp as read_definition
from efast_udp.errors import UnknownVersion
from efast_udp.project import RELEASES_DIR, is_version, project_version, version_key

#: folder of the release files inside an installed wheel (setup.py copies udp/releases there)
PACKAGE_RELEASES = "udp_releases"
UDP_FILE = "efast.json"


def package_version() -> str:
    """The installed package's version (``importlib.metadata``); from a checkout that was never
    installed, ``[project] version`` of its pyproject.toml."""
    # lazy: importlib.metadata costs 18 ms (41 modules) at ``from efast_udp import load_udp`` (python -X
    # importtime); only the version needs it
    import importlib.metadata

    try:
        return importlib.metadata.version("efast-udp")
    except importlib.metadata.PackageNotFoundError:
        return project_version()


def releases_dir() -> Path:
    """Where the release files are: the wheel's package data, else the checkout's ``udp/releases``."""
    packaged = Path(str(importlib.resources.files("efast_udp") / PACKAGE_RELEASES))
    if packaged.is_dir():
        return packaged
    return RELEASES_DIR


def released_versions() -> list[str]:
    """The versions of the UDP this package holds, oldest first, e.g. ``["0.1.0", ..., "0.3.0"]``."""
    folder = releases_dir()
    found = [p.name for p in folder.iterdir() if is_version(p.name) and (p / UDP_FILE).is_file()] \
        if folder.is_dir() else []
    return sorted(found, key=version_key)


def load_udp(version: str | None = None) -> dict:
    """The released process definition of the EFAST UDP as a dict (``id``, ``summary``,
    ``parameters``, ``process_graph``, ``returns``, ``links``, ...), exactly as published.

    ``version``: a released version such as ``"0.3.0"``; ``None`` (the default) is the newest
    one. A version that was never released raises ``efast_udp.errors.UnknownVersion`` (a
    ``ValueError``) naming the released ones. Each call returns a new dict: change it freely.
    """
    return copy.deepcopy(_released(_chosen(version)))


def create_efast_udp(connection=None, version: str | None = None) -> tuple[list[dict], dict]:
    """``(params, process_graph)`` of the released EFAST UDP, ready for
    ``connection.save_user_defined_process("efast", process_graph, parameters=params)``.

    ``connection``: an openeo ``Connection``; it is accepted so that the seed notebook's call
    ``create_efast_udp(connection)`` works, and only checked to be one (the definition is the
    released one whatever the back-end). ``version``: as for ``load_udp``; the newest by default.

    ``params`` is the list of parameter dicts (name, description, schema, default, optional) and
    ``process_graph`` the flat graph ``{node id: node}``, both equal to the published JSON's.
    To save the summary, description, return value and links too, pass them from ``load_udp()``.
    """
    if connection is not None and not callable(getattr(connection, "save_user_defined_process", None)):
        raise TypeError(f"connection: expected an openeo Connection (or None), got {type(connection).__name__}")
    doc = load_udp(version)
    return doc["parameters"], doc["process_graph"]


def run_local(data, *, udp=None, version: str | None = None, chunk_px: int | None = None,
              allow_untrusted_udf: bool = False, **arguments):
    """Run the EFAST UDP on local data and return its result as a lazy ``xarray.Dataset``.

    ``data``: a folder with one NetCDF file per collection, ``<collection id>.nc`` (as
    ``efast-udp demo --scene-only`` writes them, see docs/local.md). ``arguments``: the UDP's
    parameters by name, e.g. ``spatial_extent={"west": ..., "crs": "EPSG:32628"}``,
    ``temporal_extent=["2023-05-01", "2023-06-01"]``, ``output_ndvi=True``; the others take
    their defaults. ``udp``: the process definition to run (a dict, a file or an http(s) URL);
    by default the released one of ``version`` (newest by default). ``chunk_px``: the window
    edge in pixels, the unit of work and memory. ``allow_untrusted_udf``: also run UDF code
    that efast-udp did not release (it runs with your rights, unsandboxed).

    Before anything runs the definition is validated, every UDF it embeds is vouched for and
    every argument is checked against its parameter's schema, as ``efast-udp run`` does; a
    problem raises an ``efast_udp.errors.EfastUdpError`` whose message names it. The dataset
    has one variable per band (``B02``, ..., ``NDVI``) over ``t``, ``y``, ``x``, its CRS as
    grid mapping and the attributes ``openEO.nc`` of ``efast-udp run`` has. Its variables are
    dask arrays computed when you ask (``.load()``, ``.to_netcdf(...)``, a plot), on dask's
    current scheduler; only cubes small enough for the executor to keep in memory (the coarse
    300 m stages, or the whole result of a small scene) are computed while the graph is built.
    """
    # lazy: the runner and the executor's NetCDF writer (xarray, dask, rasterio) cost 1.6 s, the run command's
    # checks 31 ms, at ``from efast_udp import load_udp`` (python -X importtime); only a local run needs them
    from openeo_cdse_local.netcdf_writer import cube_to_dataset

    from efast_udp.commands.run import checked_call
    from efast_udp.local import runner

    if udp is None:
        udp = load_udp(version)
    elif version is not None:
        raise TypeError("run_local: give either udp or version, not both")
    doc, values = checked_call(udp, arguments, Path(data), allow_untrusted_udf)
    result = runner.execute(doc, Path(data), values, chunk_px=chunk_px)
    ds = cube_to_dataset(result.result)
    for name, attrs in runner.band_attributes(result.parameters, [str(v) for v in ds.data_vars]).items():
        ds[name].attrs.update(attrs)
    ds.attrs.update(runner.provenance(doc, result.parameters, ["efast_udp.run_local"]))
    return ds


def _chosen(version: str | None) -> str:
    versions = released_versions()
    if not versions:
        raise UnknownVersion(f"no released version of the UDP in {releases_dir()}")
    if version is None:
        return versions[-1]
    if version not in versions:
        raise UnknownVersion(f"version {version!r} of the EFAST UDP was never released; the released versions are "
                             f"{', '.join(versions)}")
    return version


@functools.lru_cache(maxsize=None)
def _released(version: str) -> dict:
    return read_definition(releases_dir() / version / UDP_FILE)
