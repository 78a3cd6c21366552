"""openeo-cdse-local: run openEO process graphs offline the way the Copernicus Data Space
Ecosystem's back-end (openeo-geopyspark-driver) runs them, on local NetCDF collections.

Built on openeo-pg-parser-networkx and openeo-processes-dask on lazy dask arrays; this package
adds only what they lack or do differently from the back-end, each override declared in
``registry`` with the back-end file and function it reproduces. It knows nothing of any
particular UDP: a caller checks parameter values and vouches for UDF code before ``run``.

    from openeo_cdse_local import Session, run
    result = run(udp_json, {"spatial_extent": ...}, Session(data_dir="data"))   # lazy

Names are imported on first use (``__getattr__``), so importing the package (or its light
modules ``errors`` and ``session``) costs nothing until a run starts.
"""

import importlib

_EXPORTS = {
    "ExecutorError": "errors", "InvalidData": "errors", "OverlapResolverMissing": "errors",
    "ProcessFailure": "errors", "UdfError": "errors", "Unsupported": "errors",
    "Result": "executor", "check_processes": "executor", "preload": "executor", "run": "executor",
    "DEFAULT_CHUNK_PX": "session", "Session": "session",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"openeo_cdse_local.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'openeo_cdse_local' has no attribute {name!r}")
