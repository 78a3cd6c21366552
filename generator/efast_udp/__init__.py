"""efast-udp: the static generator and publisher of the EFAST openEO user-defined process.

EFAST (Senty et al. 2024, Remote Sensing 16:1833, https://doi.org/10.3390/rs16111833) fuses
Sentinel-2 and Sentinel-3 time series. This package renders the whole algorithm, UDF sources
included, into a versioned openEO process definition (``udp/``), offline and reproducibly.

The Python API (``docs/python.md``), imported on first use so that ``import efast_udp`` and the
command line stay light::

    from efast_udp import create_efast_udp, load_udp, run_local, __version__
"""

import importlib

#: names of the Python API -> the module that defines them
_API = {"create_efast_udp": "api", "load_udp": "api", "released_versions": "api", "run_local": "api"}
__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str):
    if name == "__version__":
        return importlib.import_module("efast_udp.api").package_version()
    if name in _API:
        return getattr(importlib.import_module(f"efast_udp.{_API[name]}"), name)
    raise AttributeError(f"module 'efast_udp' has no attribute {name!r}")
