"""Telling what a callback (child process graph) is, through the parser's public calling
convention only.

A back-end ships a callback that is a single ``run_udf`` on its ``data`` parameter to its Python
workers as plain data (code, runtime, context). To do the same, ``udf_call`` calls the compiled
callback once with ``PROBE`` as ``data``: this package's ``run_udf`` answers a probe with the
``UdfCall`` it would run instead of running it, and any other process fails on the probe. The
``UdfCall`` is plain data, so a dask task can carry it to any worker (threads, processes, a
cluster), and every tile then runs the UDF directly: the callback itself is called only once.

That matters because openeo-pg-parser-networkx caches every node's result by node and would
return the first call's result for every later call of the same callback (pinned in
``tests/openeo_cdse_local/test_registry.py``); the probe's entries are taken out of the run's
results cache again, so nothing of the probe is ever reused.
"""

from __future__ import annotations

from dataclasses import dataclass


class _Marker:
    """A unique value that stays itself when pickled to another worker process."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def __reduce__(self) -> str:
        return self.name  # unpickled as this module's global of that name: the same object


#: the ``data`` a callback is called with to find out whether it is a single ``run_udf``
PROBE = _Marker("PROBE")
#: the ``context`` the probe passes: a UDF whose context is ``{"from_parameter": "context"}``
#: receives it, which tells that it reads its parent's context
PARENT_CONTEXT = _Marker("PARENT_CONTEXT")


@dataclass(frozen=True)
class UdfCall:
    """A callback that is a single ``run_udf`` on its ``data`` parameter, as plain data."""

    udf: str
    runtime: str
    context: object  # the context value, or ``PARENT_CONTEXT``

    def context_for(self, parent_context) -> dict:
        """The context the UDF gets when its parent process runs with ``parent_context``."""
        value = parent_context if self.context is PARENT_CONTEXT else self.context
        return value if value is not None else {}


def udf_call(process, results_cache: dict | None) -> UdfCall | None:
    """The ``run_udf`` a compiled callback consists of, or ``None`` for any other callback."""
    before = set(results_cache) if results_cache is not None else set()
    try:
        answer = process(named_parameters={"data": PROBE, "context": PARENT_CONTEXT})
    except Exception:  # noqa: BLE001  (any other process fails on the probe: not a plain UDF call)
        answer = None
    finally:
        if results_cache is not None:
            for key in set(results_cache) - before:
                del results_cache[key]
    return answer if isinstance(answer, UdfCall) else None
