"""Check 1: the document is valid against the project's JSON Schemas (``schemas/udp.schema.json``
and ``schemas/process-graph.schema.json``, written from the openEO API 1.2.0)."""

from __future__ import annotations

import functools
import re
from typing import Iterator

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT7

from efast_udp.validation import resources
from efast_udp.validation.context import Context
from efast_udp.pointers import pointer
from efast_udp.validation.findings import Finding, show
from efast_udp.validation.patterns import regex_format


@functools.lru_cache(maxsize=1)
def _validator():
    udp, pg = resources.udp_schemas()
    registry = Registry().with_resources(
        [(schema["$id"], DRAFT7.create_resource(schema)) for schema in (udp, pg)]
    )
    checker = FormatChecker(formats=())
    checker.checks("regex", raises=(re.error, OverflowError, RecursionError, ValueError, MemoryError))(regex_format)
    return Draft7Validator(udp, registry=registry, format_checker=checker)


def _most_specific(error):
    """For 'not valid under any of the given schemas', the alternative that came closest."""
    while error.context:
        # alternatives of another type (e.g. "is not of type 'array'" for an object) say nothing
        same_type = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
        inner = best_match(same_type or error.context)
        if inner is None:
            break
        error = inner
    return error


def _expected(error) -> str:
    """What the schema wanted at the place of ``error``, in a few words."""
    kind, value = error.validator, error.validator_value
    if kind == "required":
        return "properties " + ", ".join(value)
    if kind == "additionalProperties" and value is False:
        allowed = sorted(error.schema.get("properties", {}))
        return "only " + ", ".join(allowed) if allowed else "no properties"
    if kind is None or value is False or (kind == "not" and value == {}):
        return "nothing here (not allowed)"
    return f"{kind} {show(value)}"


def _message(error) -> str:
    """jsonschema's message, made readable for 'not allowed here' and cut to a sane length."""
    if error.validator == "not" and error.validator_value == {} and error.path:
        return f"'{error.path[-1]}' is not allowed here"
    return error.message if len(error.message) < 300 else error.message[:297] + "..."


def check_json_schema(ctx: Context) -> Iterator[Finding]:
    """A document that breaks the openEO process schema is rejected or misread by back-ends and
    clients (e.g. a parameter without schema cannot be rendered by the Web Editor)."""
    errors = sorted(_validator().iter_errors(ctx.doc), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        error = _most_specific(error)
        yield Finding(
            code="schema",
            pointer=pointer(*error.absolute_path),
            found=show(error.instance),
            expected=_expected(error),
            message=_message(error),
        )


CHECKS = [check_json_schema]
