"""Validation of literal values (argument values, defaults, example arguments) against openEO
data-type schemas: JSON Schema draft-07 plus the openEO ``subtype`` keyword for the subtypes a
user actually types (dates, temporal intervals, bounding boxes, GeoJSON)."""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re

from jsonschema import Draft7Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError, best_match

from efast_udp.validation import patterns

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def parse_instant(text: str) -> _dt.datetime | None:
    """An RFC 3339 date or date-time as an aware datetime (dates at 00:00 UTC), else ``None``."""
    try:
        if _DATE.match(text):
            return _dt.datetime.combine(_dt.date.fromisoformat(text), _dt.time(), _dt.timezone.utc)
        if _DATE_TIME.match(text):
            return _dt.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", text.replace(" ", "T")))
    except ValueError:
        return None
    return None


def _check_date(value: object) -> str | None:
    """Dates must be real calendar dates in ``YYYY-MM-DD`` form (RFC 3339 full-date)."""
    if isinstance(value, str) and not (_DATE.match(value) and parse_instant(value)):
        return f"{value!r} is not a date (YYYY-MM-DD)"
    return None


def _check_date_time(value: object) -> str | None:
    """Date-times must be RFC 3339 with a time zone, e.g. ``2024-05-01T00:00:00Z``."""
    if isinstance(value, str) and not (_DATE_TIME.match(value) and parse_instant(value)):
        return f"{value!r} is not an RFC 3339 date-time with time zone"
    return None


def _check_temporal_interval(value: object) -> str | None:
    """An interval is [start, end): not open on both ends, and the end later than the start."""
    if not (isinstance(value, list) and len(value) == 2):
        return None
    start, end = value
    if start is None and end is None:
        return "a temporal interval must not be open on both ends"
    if isinstance(start, str) and isinstance(end, str):
        a, b = parse_instant(start), parse_instant(end)
        if a and b and b <= a:
            return f"the end {end!r} is not later than the start {start!r}"
    return None


def _check_bounding_box(value: object) -> str | None:
    """A bounding box must not have its south edge north of its north edge."""
    if isinstance(value, dict):
        south, north = value.get("south"), value.get("north")
        if isinstance(south, (int, float)) and isinstance(north, (int, float)) and south > north:
            return f"south ({south}) is greater than north ({north})"
    return None


def _check_geojson(value: object) -> str | None:
    """GeoJSON (RFC 7946) must name its type and carry coordinates / geometry / features."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind in _GEOMETRY_TYPES:
        return None if isinstance(value.get("coordinates"), list) else f"{kind} without coordinates"
    if kind == "Feature":
        return None if isinstance(value.get("geometry"), dict) else "Feature without geometry"
    if kind == "FeatureCollection":
        return None if isinstance(value.get("features"), list) else "FeatureCollection without features"
    return f"{kind!r} is not a GeoJSON geometry, Feature or FeatureCollection type"


def _no_literal_cube(value: object) -> str:
    """A data cube only ever comes from a node or a parameter, never as a literal value: without
    this, any JSON object would match a process's data-cube alternative (``load_collection``'s
    ``spatial_extent`` accepts a vector cube), and no literal object would ever be rejected."""
    return "a data cube cannot be written as a literal value"


_SUBTYPE_CHECKS = {
    "date": _check_date,
    "date-time": _check_date_time,
    "temporal-interval": _check_temporal_interval,
    "bounding-box": _check_bounding_box,
    "geojson": _check_geojson,
    "datacube": _no_literal_cube,
    "raster-cube": _no_literal_cube,
    "vector-cube": _no_literal_cube,
}


@functools.lru_cache(maxsize=1)
def validator_class():
    """Draft 7 with openEO's ``subtype`` and the safe ``pattern`` keywords (:mod:`.patterns`)."""
    def subtype(validator, subtype_name, instance, schema):
        check = _SUBTYPE_CHECKS.get(subtype_name)
        message = check(instance) if check else None
        if message:
            yield ValidationError(message)

    return validators.extend(Draft7Validator, {
        "subtype": subtype, "pattern": patterns.pattern, "patternProperties": patterns.patternProperties,
        "additionalProperties": patterns.additionalProperties,
    })


@functools.lru_cache(maxsize=512)
def _validator(schema_json: str, formats: bool):
    """A validator for the schema (checking ``format`` too when ``formats``), or ``None`` if the
    schema itself is broken (the JSON Schema check reports that; a broken schema cannot judge
    values)."""
    schema = json.loads(schema_json)
    if isinstance(schema, list):
        schema = {"anyOf": schema}
    cls = validator_class()
    try:
        cls.check_schema(schema)
    except (SchemaError, OverflowError, RecursionError, ValueError, MemoryError):  # e.g. a{4294967296}
        return None
    return cls(schema, format_checker=FormatChecker()) if formats else cls(schema)


def schema_errors(value: object, schema: object, formats: bool = False) -> list | None:
    """Every ``jsonschema`` error of ``value`` against ``schema`` (a schema, or a list of
    alternatives) with openEO's ``subtype`` and the safe patterns; ``None`` when the schema
    cannot judge values (broken, an unresolvable ``$ref``): the one schema checker of the
    project, for the graph's values here and for the arguments users give (``arguments``)."""
    validator = _validator(json.dumps(schema, sort_keys=True), formats)
    if validator is None:
        return None
    try:
        return list(validator.iter_errors(value))
    except Exception:  # noqa: BLE001 - unresolvable $ref, unknown type: the schema is at fault
        return None


def value_error(value: object, schema: object) -> tuple[tuple, str] | None:
    """The most relevant reason why ``value`` does not match ``schema``, as ``(path, message)``
    with ``path`` inside the value; ``None`` if it matches."""
    if schema in ({}, [], None):
        return None
    error = best_match(schema_errors(value, schema) or [])
    if error is None:
        return None
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _alternatives_error(value, error)
    return tuple(error.absolute_path), _short(error.message)


def _short(message: str) -> str:
    return message if len(message) < 300 else message[:297] + "..."


def _alternatives_error(value: object, error) -> tuple[tuple, str]:
    """For a value that fits none of several alternatives: the meaning-level finding of an
    alternative whose form it has (an interval whose end is before its start), else what the
    alternatives are, by their descriptions."""
    semantic = [e for e in error.context if e.validator == "subtype"]
    if semantic:
        return tuple(semantic[0].absolute_path), _short(semantic[0].message)
    described = [a.get("description") for a in error.validator_value if isinstance(a, dict)]
    if described and all(isinstance(d, str) and d for d in described):
        forms = " or ".join(d.rstrip(".").lower() for d in described)
        return tuple(error.absolute_path), f"{json.dumps(value)[:200]} is not one of the accepted forms: {forms}"
    return tuple(error.absolute_path), _short(error.message)
