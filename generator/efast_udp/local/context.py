"""Resolve parameter references nested inside argument objects (e.g. a node's ``context``).

Reproduces the back-end: ``{"from_parameter": "interval_days"}`` anywhere inside an argument
value (``context: {"interval_days": {"from_parameter": "interval_days"}}``) is replaced by the
parameter's value. openeo-pg-parser-networkx leaves such nested references unresolved
(only top-level arguments are resolved by openeo-processes-dask's ``@process``).
"""

from __future__ import annotations

import functools

from openeo_pg_parser_networkx.pg_schema import ParameterReference

from efast_udp.arguments import resolve_references


def _as_json(value):
    """The value with the parser's ``ParameterReference`` objects turned back into JSON references."""
    if isinstance(value, ParameterReference):
        return {"from_parameter": value.from_parameter}
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def resolve_nested_references(f):
    """Registry wrapper: resolve references inside dict/list arguments before ``f`` runs."""

    @functools.wraps(f)
    def wrapper(*args, named_parameters=None, **kwargs):
        named = named_parameters or {}
        for key, value in kwargs.items():
            if isinstance(value, (dict, list)):
                where = f"argument {key!r} of {getattr(f, '__name__', 'process')}"
                kwargs[key] = resolve_references(_as_json(value), named, where)
        return f(*args, named_parameters=named_parameters, **kwargs)

    return wrapper
