"""Arguments of a call of a UDP: ``NAME=VALUE`` parsed by the parameter's schema, defaults filled
in, every value checked against its schema, and ``from_parameter`` references replaced by values.

Messages name the parameter and say what was expected, in one line.
"""

from __future__ import annotations

import json

from openeo_cdse_local import parameters
from openeo_cdse_local.errors import ProcessFailure

from efast_udp.document import parse_json
from efast_udp.errors import NestedTooDeep, UnreadableInput, UsageError, did_you_mean
from efast_udp.graph_nodes import udf_nodes


def parameter_schemas(doc: dict) -> dict[str, object]:
    """name -> schema of the declared parameters (``{}`` when ``parameters`` is not a list)."""
    params = doc.get("parameters")
    if not isinstance(params, list):
        return {}
    return {p["name"]: p.get("schema", {}) for p in params if isinstance(p, dict) and isinstance(p.get("name"), str)}


def parse_assignment(item: str, schemas: dict[str, object], option: str) -> tuple[str, object]:
    """``NAME=VALUE`` -> (name, value). VALUE is JSON when it parses (``5``, ``null``,
    ``["B04","B8A"]``); otherwise, for a parameter that takes an array, a comma-separated list
    (``B04,B8A``); otherwise the text itself."""
    name, sep, text = item.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UsageError(f"{option} {item!r}: expected NAME=VALUE")
    if name not in schemas:
        raise UsageError(f"{option} {name}: unknown parameter{did_you_mean(name, schemas)}; expected one of "
                         f"{', '.join(sorted(schemas))}")
    try:
        return name, parse_json(text, f"{option} {name}")
    except NestedTooDeep as exc:
        raise UsageError(str(exc)) from None
    except UnreadableInput:
        pass  # not JSON: a list or text, below
    if _takes("array", schemas[name]) and not _takes("string", schemas[name]):
        return name, [part.strip() for part in text.split(",") if part.strip()]
    return name, text


def parse_assignments(items: list[str] | tuple, schemas: dict[str, object], option: str) -> dict:
    return dict(parse_assignment(item, schemas, option) for item in items or ())


def _takes(json_type: str, schema: object) -> bool:
    alternatives = schema if isinstance(schema, list) else [schema]
    for alt in alternatives:
        if isinstance(alt, dict):
            types = alt.get("type")
            if json_type == types or (isinstance(types, list) and json_type in types):
                return True
            if _takes(json_type, alt.get("anyOf") or alt.get("oneOf") or []):
                return True
    return False


def schema_problem(value: object, schema: object) -> str | None:
    """Why ``value`` does not match ``schema`` (a schema or a list of alternatives), in words, or
    ``None`` when it matches. Of several alternatives the one of the value's own type speaks."""
    # lazy: jsonschema costs 80 ms at ``run --help`` (python -X importtime), which imports this module; only a
    # check of a value needs it
    import jsonschema

    from efast_udp.validation.values import schema_errors

    alternatives = schema if isinstance(schema, list) else [schema]
    problems = []
    for alt in alternatives:
        if not isinstance(alt, dict):
            continue
        # openEO's subtype keyword left out: an argument's interval order is _interval_problem's,
        # with its own message
        errors = schema_errors(value, {k: v for k, v in alt.items() if k != "subtype"}, formats=True)
        if errors is None:
            return None  # a schema that cannot be evaluated does not block
        if not errors:
            return None
        error = jsonschema.exceptions.best_match(errors)
        problems.append((error.validator == "type" and not error.path, _describe(error)))
    if not problems:
        return None
    same_type = [text for wrong_type, text in problems if not wrong_type]
    return (same_type or [text for _, text in problems])[0]


def _describe(error) -> str:
    where = "".join(f"[{p!r}]" for p in error.absolute_path)
    prefix = f"item {where}: " if where else ""
    if error.validator == "uniqueItems":
        repeated = next(item for i, item in enumerate(error.instance) if item in error.instance[:i])
        return f"{prefix}must be unique ({json.dumps(repeated)} appears more than once)"
    if error.validator == "enum":
        return f"{prefix}{json.dumps(error.instance)} is not one of {', '.join(map(str, error.validator_value))}"
    return prefix + error.message


def resolve_parameters(doc: dict, given: dict) -> dict:
    """All parameter values for a call of ``doc``: ``given`` checked against each schema, the
    defaults for the rest (``openeo_cdse_local.parameters.values``, the executor's own rule);
    an unknown or missing required parameter is a usage error."""
    definitions = {p["name"]: p for p in doc.get("parameters") or [] if isinstance(p, dict) and "name" in p}
    unknown = sorted(set(given) - set(definitions), key=str)
    if unknown:
        raise UsageError(f"parameter {unknown[0]!r} does not exist{did_you_mean(str(unknown[0]), definitions)}; "
                         f"the parameters are {', '.join(sorted(definitions))}")
    for name in set(given) & set(definitions):
        schema = definitions[name].get("schema", {})
        problem = _interval_problem(given[name], schema) or schema_problem(given[name], schema)
        if problem:
            raise UsageError(f"parameter {name!r}: {problem}")
    try:
        values = parameters.values(doc, given)
    except ProcessFailure as exc:
        raise UsageError(str(exc)) from None
    longest = _longest_extent_days(doc)
    extent = values.get("temporal_extent")
    if longest is not None and isinstance(extent, list) and len(extent) == 2:
        # lazy: efast_udp.utc (pandas, openeo.udf) costs 0.5 s at ``build -o``, 0.7 s at ``validate`` (python -X
        # importtime)
        from efast_udp.utc import utc_seconds

        days = (utc_seconds(extent[1]) - utc_seconds(extent[0])) / 86400
        if days > longest:
            raise UsageError(f"parameter 'temporal_extent': {extent[0]} to {extent[1]} is {days:g} days; this "
                             f"version accepts at most {longest:g} days (the memory of one back-end call grows "
                             "with the number of dates): split the period into several calls")
    return values


def _longest_extent_days(doc: dict) -> float | None:
    """The longest ``temporal_extent`` the UDP's own UDFs accept (``max_temporal_extent_days`` in a
    UDF context, from 0.4.0 on), or ``None``."""
    limits = [u.context["max_temporal_extent_days"] for u in udf_nodes(doc)
              if isinstance(u.context, dict) and isinstance(u.context.get("max_temporal_extent_days"), (int, float))]
    return float(min(limits)) if limits else None


def _interval_problem(value: object, schema: object) -> str | None:
    """A temporal interval whose start is not before its end."""
    alternatives = schema if isinstance(schema, list) else [schema]
    if not any(isinstance(a, dict) and a.get("subtype") == "temporal-interval" for a in alternatives):
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        return None
    from efast_udp.utc import utc_seconds  # lazy: 0.5 s at ``build -o``, as in resolve_parameters

    try:
        start, end = (utc_seconds(v) for v in value)
    except ValueError as exc:
        return str(exc)
    if start > end:
        return f"start {value[0]} is after end {value[1]}"
    if start == end:
        return f"start and end are both {value[0]}: the interval [start, end) is empty"
    return None


def resolve_references(value: object, values: dict, where: str) -> object:
    """``value`` with every ``{"from_parameter": name}`` inside it replaced by ``values[name]``
    (the executor's rule, ``openeo_cdse_local.parameters.resolve``); an undefined one is a usage error."""
    try:
        return parameters.resolve(value, values, where)
    except ProcessFailure as exc:
        raise UsageError(str(exc)) from None
