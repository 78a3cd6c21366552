"""Calling a child process graph (callback) compiled by openeo-pg-parser-networkx."""

from __future__ import annotations

import inspect


def result_process_id(process) -> str | None:
    """Process id of the result node of a compiled callback (``None`` if it cannot be told).

    The parser compiles each node to ``partial(node_callable, ...)``; ``node_callable`` closes
    over the node's data, which holds its ``process_id``.
    """
    func = getattr(process, "func", None)
    if func is None:
        return None
    try:
        node = inspect.getclosurevars(func).nonlocals.get("node_with_data")
    except (TypeError, ValueError):
        return None
    return node.get("process_id") if isinstance(node, dict) else None


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


def activate(cache: ResultsCache) -> None:
    _active[:] = [cache]


def call(process, **named) -> object:
    """Run a callback with its named parameters (``data``, ``x``, ``context``, ...)."""
    for cache in _active:
        cache.forget_callbacks()
    return process(named_parameters=dict(named))
