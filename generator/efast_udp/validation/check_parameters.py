"""Check 5: the UDP's parameters and examples: unique names, optional parameters with a valid
default, no unused parameter, and examples that name only known parameters with valid values."""

from __future__ import annotations

from typing import Iterator

from efast_udp.validation import graph as g
from efast_udp.validation.check_processes import did_you_mean
from efast_udp.validation.context import Context
from efast_udp.pointers import MISSING, join, pointer
from efast_udp.validation.findings import Finding, show
from efast_udp.validation.schemas import describe
from efast_udp.validation.values import value_error


def check_unique_names(ctx: Context) -> Iterator[Finding]:
    """Two parameters with one name make the call ambiguous; clients show both, back-ends use one."""
    seen: dict[str, int] = {}
    for i, param in ctx.parameter_list():
        name = param.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Finding(
                code="duplicate-parameter",
                pointer=pointer("parameters", i, "name"),
                found=show(name),
                expected="a name not used by another parameter",
                message=f"parameter '{name}' is declared twice (also at /parameters/{seen[name]})",
            )
        else:
            seen[name] = i


def check_optional_has_default(ctx: Context) -> Iterator[Finding]:
    """Back-ends still demand an optional parameter that has no ``default``."""
    for i, param in ctx.parameter_list():
        if param.get("optional") is True and "default" not in param:
            yield Finding(
                code="missing-default",
                pointer=pointer("parameters", i),
                found="optional: true without default",
                expected="a 'default' value",
                message=f"optional parameter '{param.get('name')}' has no default",
            )


def check_default_marks_optional(ctx: Context) -> Iterator[Finding]:
    """A parameter with a default but without ``optional: true`` is shown and enforced as
    required by clients such as the Web Editor, so users must fill what has a default."""
    for i, param in ctx.parameter_list():
        if "default" in param and param.get("optional") is not True:
            yield Finding(
                code="default-not-optional",
                pointer=pointer("parameters", i, "optional"),
                found=show(param.get("optional", MISSING)),
                expected="true (the parameter has a default)",
                message=f"parameter '{param.get('name')}' has a default but is not marked optional: true",
            )


def check_default_valid(ctx: Context) -> Iterator[Finding]:
    """A default that breaks its own schema is what every user gets who does not set it."""
    for i, param in ctx.parameter_list():
        if "default" not in param or "schema" not in param:
            continue
        error = value_error(param["default"], param["schema"])
        if error:
            path, message = error
            yield Finding(
                code="invalid-default",
                pointer=pointer("parameters", i, "default", *path),
                found=show(param["default"]),
                expected=describe(param["schema"]),
                message=f"the default of parameter '{param.get('name')}' does not match its schema: {message}",
            )


def _referenced_parameters(ctx: Context) -> set[str]:
    names = set()
    for node in ctx.nodes():
        for ref in g.refs_of(node):
            if ref.kind == "from_parameter" and isinstance(ref.target, str):
                names.add(ref.target)
    return names


def check_parameter_used(ctx: Context) -> Iterator[Finding]:
    """A declared parameter that the graph never reads is a setting without effect: users
    believe they changed something."""
    used = _referenced_parameters(ctx)
    for i, param in ctx.parameter_list():
        name = param.get("name")
        if isinstance(name, str) and name not in used:
            yield Finding(
                code="unused-parameter",
                pointer=pointer("parameters", i),
                found=show(name),
                expected="a parameter referenced by some from_parameter",
                message=f"parameter '{name}' is declared but never used by the process graph",
            )


def _examples(ctx: Context) -> Iterator[tuple[int, dict]]:
    examples = ctx.doc.get("examples")
    if isinstance(examples, list):
        for i, example in enumerate(examples):
            if isinstance(example, dict) and isinstance(example.get("arguments"), dict):
                yield i, example["arguments"]


def _parameters_by_name(ctx: Context) -> dict[str, dict]:
    return {p["name"]: p for _, p in ctx.parameter_list() if isinstance(p.get("name"), str)}


def check_example_names(ctx: Context) -> Iterator[Finding]:
    """An example naming an unknown parameter fails when a user copies it."""
    params = _parameters_by_name(ctx)
    for i, arguments in _examples(ctx):
        for name in arguments:
            if name not in params:
                yield Finding(
                    code="unknown-example-argument",
                    pointer=pointer("examples", i, "arguments", name),
                    found=show(name),
                    expected="one of " + ", ".join(params),
                    message=f"example {i} sets '{name}', which is not a parameter of the process"
                            + did_you_mean(name, params),
                )


def check_example_required(ctx: Context) -> Iterator[Finding]:
    """An example without a required argument cannot be run as shown."""
    params = _parameters_by_name(ctx)
    for i, arguments in _examples(ctx):
        for name, param in params.items():
            if param.get("optional") is not True and "default" not in param and name not in arguments:
                yield Finding(
                    code="missing-example-argument",
                    pointer=pointer("examples", i, "arguments"),
                    found="(missing)",
                    expected=f"argument '{name}'",
                    message=f"example {i} does not set the required parameter '{name}'",
                )


def check_example_values(ctx: Context) -> Iterator[Finding]:
    """An example value that breaks the parameter schema teaches users a call that fails."""
    params = _parameters_by_name(ctx)
    for i, arguments in _examples(ctx):
        for name, value in arguments.items():
            schema = params.get(name, {}).get("schema")
            error = value_error(value, schema) if schema is not None else None
            if error:
                path, message = error
                yield Finding(
                    code="invalid-example-argument",
                    pointer=join(pointer("examples", i, "arguments", name), *path),
                    found=show(value),
                    expected=describe(schema),
                    message=f"example {i} argument '{name}' does not match the parameter schema: {message}",
                )


CHECKS = [
    check_unique_names,
    check_optional_has_default,
    check_default_marks_optional,
    check_default_valid,
    check_parameter_used,
    check_example_names,
    check_example_required,
    check_example_values,
]
