"""Parameter references nested inside argument objects (e.g. a node's ``context``).

Reproduces the back-end's argument evaluation (openeo-python-driver
``openeo_driver/processgraph/evaluator.py``, ``convert_node`` evaluating dict and list
arguments recursively): ``{"from_parameter": "interval_days"}`` anywhere inside an argument
value is replaced by the parameter's value. Upstream: openeo-pg-parser-networkx resolves only
top-level references and leaves nested ones as ``ParameterReference`` objects (pinned in
``tests/openeo_cdse_local/test_registry.py``). The resolution itself is ``parameters.resolve``.
"""

from __future__ import annotations

import functools

from openeo_cdse_local.parameters import resolve


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
