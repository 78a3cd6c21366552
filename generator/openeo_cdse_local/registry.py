"""The declared interface of the executor: which openEO processes it runs and, for each one it
implements itself, what that implementation reproduces and why the upstream one is not used.

``PROCESSES`` is every process a released EFAST graph uses, and nothing more: a graph with any
other process is refused before it runs. Most come from openeo-processes-dask as they are; an
``Override`` replaces one of them, or supplies one it lacks, and says

- ``reproduces``: the back-end behaviour, as file and function of openeo-geopyspark-driver
  (``openeogeotrellis/...``) or openeo-python-driver (``openeo_driver/...``), at the commits in
  ``BACKEND_COMMITS``;
- ``upstream``: what openeo-processes-dask (or openeo-pg-parser-networkx) lacks or gets wrong
  for it. Each such defect has a test in ``tests/openeo_cdse_local/test_registry.py`` that
  fails on the day upstream fixes it, so the override can be reconsidered.

Parameter references nested inside arguments (a ``context`` object) are resolved for every
process (``processes.context``), as the back-end's argument evaluation does. Implementations
take the run's ``Session`` first; ``build`` binds it.
"""

from __future__ import annotations

import functools
import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from openeo_cdse_local.processes.context import resolve_nested_references

if TYPE_CHECKING:
    from openeo_cdse_local.session import Session

#: The back-end sources the overrides were read against.
BACKEND_COMMITS = {
    "openeo-geopyspark-driver": "9baf2e10 (2026-08-21)",
    "openeo-python-driver": "9e5b49b2 (2026-04-25)",
}

#: Processes of the released EFAST graphs (every release), the only ones a run may use.
PROCESSES = frozenset({
    "apply", "apply_dimension", "apply_neighborhood", "array_concat", "eq", "filter_bands", "if",
    "load_collection", "merge_cubes", "or", "rename_labels", "resample_cube_spatial", "resample_spatial",
    "run_udf",
})

#: Processes of ``PROCESSES`` that return a data cube: their results are kept as values when small
#: (``chunks.persist_if_small``) and reported to ``Session.node_done``.
CUBE_PROCESSES = frozenset({
    "apply", "apply_dimension", "apply_neighborhood", "filter_bands", "load_collection", "merge_cubes",
    "rename_labels", "resample_cube_spatial", "resample_spatial",
})

#: Modules holding the overrides (each registers its own with ``@override``).
_MODULES = ("apply", "apply_dimension", "apply_neighborhood", "load_collection", "merge_cubes",
            "resample_cube_spatial", "resample_spatial", "run_udf")


@dataclass(frozen=True)
class Override:
    """One process implemented here instead of by openeo-processes-dask."""

    process_id: str
    implementation: Callable
    reproduces: str
    upstream: str


_OVERRIDES: dict[str, Override] = {}


def override(process_id: str, *, reproduces: str, upstream: str):
    """Decorator: ``implementation(session, **arguments)`` runs ``process_id``."""

    def register(implementation: Callable) -> Callable:
        if process_id not in PROCESSES:
            raise ValueError(f"override of {process_id!r}, which no release uses")
        _OVERRIDES[process_id] = Override(process_id, implementation, reproduces, upstream)
        return implementation

    return register


def overrides() -> dict[str, Override]:
    """Every override, by process id (importing the modules that declare them)."""
    for name in _MODULES:
        importlib.import_module(f"openeo_cdse_local.processes.{name}")
    return dict(_OVERRIDES)


def build(session: "Session"):
    """The openeo-pg-parser-networkx registry of one run: upstream processes of ``PROCESSES``,
    the overrides bound to ``session``, nested parameter references resolved, and every
    process of ``CUBE_PROCESSES`` reporting to ``session.node_done``."""
    logging.getLogger("openeo_processes_dask").setLevel(logging.ERROR)  # its optional-ML warning
    # lazy: the graph parser and openeo-processes-dask cost 1.8 s (python -X importtime) at ``check_processes``
    # (run's checks, which import this module) and ``demo --scene-only``, which run nothing
    from openeo_pg_parser_networkx import ProcessRegistry
    from openeo_pg_parser_networkx.process_registry import Process
    from openeo_processes_dask.process_implementations.core import process, standard_processes

    found = overrides()
    registry = ProcessRegistry(wrap_funcs=[process, resolve_nested_references])
    for func in standard_processes:
        name = func.__name__.lstrip("_")
        if name in PROCESSES and name not in found:
            registry[name] = Process(spec={}, implementation=_reporting(func, name, session))
    for name, item in found.items():
        registry[name] = Process(spec={}, implementation=_reporting(
            functools.partial(item.implementation, session), name, session))
    missing = sorted(name for name in PROCESSES if name not in registry)
    if missing:  # an upstream release dropped a process: say so instead of failing mid-run
        raise RuntimeError(f"no implementation of {sorted(missing)}")
    return registry


def _reporting(func: Callable, process_id: str, session: "Session") -> Callable:
    """``func`` that keeps small lazy results as values and tells the session it ran (cube
    processes only; others are returned as they are).

    The graph parser caches the result of every node it runs, the nodes of a callback too
    (``eq``, ``or``, ``if`` of an ``apply``); on a cube already computed those are arrays, the
    parser never reads them again once the process that ran the callback returned, and they
    would stay for the whole run: 11 float64 arrays of the SCL mask, 300 MiB on the 300 px demo
    scene. They are dropped when the process returns."""
    # lazy: openeo_cdse_local.chunks (dask) costs 0.5 s at ``check_processes``, which run's checks call before
    # they import the rest (python -X importtime)
    from openeo_cdse_local.chunks import persist_if_small

    if process_id not in CUBE_PROCESSES:
        return func

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        before = set(session.results_cache)
        try:
            result = func(*args, **kwargs)
        finally:
            for key in set(session.results_cache) - before:
                del session.results_cache[key]
        result = persist_if_small(result)
        session.node_done(process_id)
        return result

    return wrapper
