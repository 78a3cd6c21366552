"""UDP parameter values for a local run: defaults, ``NAME=VALUE`` parsing, schema checks.

Reproduces what a back-end does before running a process: every parameter the call sets must
exist, required ones must be set, each value must match its schema in the UDP (so an unknown
band or ``interval_days: 0`` is rejected upfront, with the parameter's name), and optional
ones take their ``default``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from efast_udp.errors import EfastUdpError


def parse_assignments(items: list[str] | None) -> dict:
    """``["interval_days=5", 's2_data_bands=["B04","B8A"]']`` -> values (JSON, else a string)."""
    values = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise EfastUdpError(f"--param {item!r}: expected NAME=VALUE")
        try:
            values[name.strip()] = json.loads(text)
        except json.JSONDecodeError:
            values[name.strip()] = text
    return values


#: largest ``--params`` file read (a parameter file is a few kB; this stops a wrong path early)
MAX_PARAMS_BYTES = 10 * 2 ** 20


def load_params_file(path: Path | None) -> dict:
    """UDP argument values from a JSON object file (``run --params FILE``); ``{}`` without one."""
    if path is None:
        return {}
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PARAMS_BYTES:
            raise EfastUdpError(f"--params {path}: {size} bytes, more than the {MAX_PARAMS_BYTES} a parameter file may have")
        with path.open("rb") as handle:
            text = handle.read(MAX_PARAMS_BYTES + 1).decode("utf-8")
    except FileNotFoundError:
        raise EfastUdpError(f"--params: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EfastUdpError(f"--params: cannot read {path}: {exc}") from None
    try:
        values = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EfastUdpError(f"--params {path}: not valid JSON ({exc})") from None
    if not isinstance(values, dict):
        raise EfastUdpError(f"--params {path}: expected a JSON object of UDP arguments, got {type(values).__name__}")
    return values


def _schema_error(name: str, value, schema) -> str | None:
    schemas = schema if isinstance(schema, list) else [schema]
    messages = []
    for s in schemas:
        s = {k: v for k, v in s.items() if k not in ("subtype",)}
        try:
            jsonschema.validate(value, s, format_checker=jsonschema.FormatChecker())
            return None
        except jsonschema.ValidationError as exc:
            messages.append(exc.message)
        except jsonschema.SchemaError:
            return None  # a schema we cannot evaluate does not block the run
    return min(messages, key=len) if messages else None


def resolve_parameters(udp: dict, given: dict) -> dict:
    """All parameter values for a run of ``udp`` (a process definition)."""
    definitions = {p["name"]: p for p in udp.get("parameters", [])}
    unknown = sorted(set(given) - set(definitions))
    if unknown:
        raise EfastUdpError(f"parameter {unknown[0]!r} does not exist (parameters: {', '.join(definitions)})")
    values = {}
    for name, definition in definitions.items():
        if name in given:
            value = given[name]
        elif definition.get("optional") or "default" in definition:
            value = definition.get("default")
        else:
            raise EfastUdpError(f"parameter {name!r} is required")
        if name in given:
            problem = _schema_error(name, value, definition.get("schema", {}))
            if problem:
                raise EfastUdpError(f"parameter {name!r}: {problem}")
        values[name] = value
    return values
