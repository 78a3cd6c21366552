"""Parameter values of a call and references to them, as the back-end's evaluator resolves them
(openeo-python-driver ``openeo_driver/processgraph/evaluator.py``, ``convert_node``). Light: no
import beyond the standard library and ``errors``."""

from __future__ import annotations

from openeo_cdse_local.errors import ProcessFailure


def reference_name(value: object) -> str | None:
    """The parameter name of a reference (``{"from_parameter": ...}`` or the parser's object)."""
    if isinstance(value, dict) and set(value) == {"from_parameter"}:
        return value["from_parameter"]
    name = getattr(value, "from_parameter", None)
    return name if isinstance(name, str) and not isinstance(value, (dict, list)) else None


def resolve(value: object, values: dict, where: str) -> object:
    """``value`` with every parameter reference inside it replaced by ``values[name]``."""
    name = reference_name(value)
    if name is not None:
        if name not in values:
            raise ProcessFailure(f"{where}: parameter {name!r} is referenced but not defined")
        return values[name]
    if isinstance(value, dict):
        return {k: resolve(v, values, where) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, values, where) for v in value]
    return value


def values(udp: dict, given: dict) -> dict:
    """Every parameter's value for a call: ``given``, else the definition's default. (Checking
    values against their schemas is the caller's job, before the run.)"""
    definitions = {p["name"]: p for p in udp.get("parameters") or [] if isinstance(p, dict) and "name" in p}
    unknown = sorted(set(given) - set(definitions))
    if unknown:
        raise ProcessFailure(f"parameter {unknown[0]!r} does not exist (parameters: {', '.join(definitions)})")
    out = {}
    for name, definition in definitions.items():
        if name in given:
            out[name] = given[name]
        elif definition.get("optional") or "default" in definition:
            out[name] = definition.get("default")
        else:
            raise ProcessFailure(f"parameter {name!r} is required")
    return out
