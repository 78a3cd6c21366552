"""Calling a child process graph (callback) compiled by openeo-pg-parser-networkx."""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass


def _node(process) -> dict | None:
    """The parser's data of a compiled callback's result node (``None`` if it cannot be told).

    The parser compiles each node to ``partial(node_callable, ...)``; ``node_callable`` closes
    over the node's data, which holds its ``process_id`` and resolved arguments.
    """
    func = getattr(process, "func", None)
    if func is None:
        return None
    try:
        node = inspect.getclosurevars(func).nonlocals.get("node_with_data")
    except (TypeError, ValueError):
        return None
    return node if isinstance(node, dict) else None


def result_process_id(process) -> str | None:
    """Process id of the result node of a compiled callback (``None`` if it cannot be told)."""
    node = _node(process)
    return node.get("process_id") if node else None


@dataclass(frozen=True)
class UdfCall:
    """A callback that is a single ``run_udf`` on its ``data`` parameter: what a back-end ships to
    its Python workers (code, runtime, context). Plain data, so a task can carry it to any
    dask worker (threads, processes, a cluster)."""

    udf: str
    runtime: str
    context: object  # the value of the context, or ``PARENT_CONTEXT``


PARENT_CONTEXT = "<the context of the process that runs the callback>"


def udf_call(process) -> UdfCall | None:
    """The ``run_udf`` a callback consists of, or ``None`` for any other callback."""
    node = _node(process)
    if not node or node.get("process_id") != "run_udf":
        return None
    kwargs = node.get("resolved_kwargs") or {}
    udf = kwargs.get("udf")
    if not isinstance(udf, str) or getattr(kwargs.get("data"), "from_parameter", None) != "data":
        return None
    context = kwargs.get("context")
    if getattr(context, "from_parameter", None) == "context":
        context = PARENT_CONTEXT
    elif hasattr(context, "from_parameter"):
        return None
    return UdfCall(udf, str(kwargs.get("runtime", "Python")), context)


class ResultsCache(dict):
    """openeo-pg-parser-networkx's results cache, made safe for callbacks called repeatedly.

    The parser caches every node's result by node id and returns the cached result on the
    next call, so a callback run once per chunk or tile would return the first chunk's result
    every time. Before each callback call the results of callback nodes are forgotten; results
    of top-level nodes (ids ending in ``-<top-level graph uid>``) are kept.
    """

    top_suffix: str = ""

    def forget_callbacks(self) -> None:
        for key in [k for k in self if not str(k).endswith(self.top_suffix)]:
            del self[key]


_active: list[ResultsCache] = []
#: one callback call at a time: the parser's results cache is shared by all of them
_lock = threading.RLock()


def activate(cache: ResultsCache) -> None:
    _active[:] = [cache]


def call(process, **named) -> object:
    """Run a callback with its named parameters (``data``, ``x``, ``context``, ...)."""
    with _lock:
        for cache in _active:
            cache.forget_callbacks()
        return process(named_parameters=dict(named))
