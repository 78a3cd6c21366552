"""Resolve parameter references nested inside argument objects (e.g. a node's ``context``).

Reproduces the back-end: ``{"from_parameter": "interval_days"}`` anywhere inside an argument
value (``context: {"interval_days": {"from_parameter": "interval_days"}}``) is replaced by the
parameter's value. openeo-pg-parser-networkx leaves such nested references unresolved
(only top-level arguments are resolved by openeo-processes-dask's ``@process``).
"""

from __future__ import annotations

import functools

from openeo_pg_parser_networkx.pg_schema import ParameterReference

from efast_udp.errors import EfastUdpError


def resolve(value, named_parameters: dict, where: str):
    if isinstance(value, ParameterReference):
        name = value.from_parameter
        if name not in named_parameters:
            raise EfastUdpError(f"{where}: parameter {name!r} is referenced but not defined")
        return named_parameters[name]
    if isinstance(value, dict):
        if set(value) == {"from_parameter"}:
            return resolve(ParameterReference(from_parameter=value["from_parameter"]), named_parameters, where)
        return {k: resolve(v, named_parameters, where) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, named_parameters, where) for v in value]
    return value


def resolve_nested_references(f):
    """Registry wrapper: resolve references inside dict/list arguments before ``f`` runs."""

    @functools.wraps(f)
    def wrapper(*args, named_parameters=None, **kwargs):
        named = named_parameters or {}
        for key, value in kwargs.items():
            if isinstance(value, (dict, list)):
                kwargs[key] = resolve(value, named, f"argument {key!r} of {getattr(f, '__name__', 'process')}")
        return f(*args, named_parameters=named_parameters, **kwargs)

    return wrapper
