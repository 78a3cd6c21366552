"""Check 3: each node's arguments match the parameters of its process: no unknown names (unless
profiled), every required one present, literal values valid, and every reference to a UDP
parameter, callback parameter or node result compatible with the place it is used."""

from __future__ import annotations

from typing import Iterator

from efast_udp.validation import graph as g
from efast_udp.validation import resources
from efast_udp.validation.check_processes import did_you_mean
from efast_udp.validation.compat import incompatibility
from efast_udp.validation.context import Context
from efast_udp.pointers import join
from efast_udp.validation.findings import Finding, show
from efast_udp.validation.schemas import describe, schema_at
from efast_udp.validation.values import value_error


def _spec_parameters(node: g.Node) -> list[dict] | None:
    spec = resources.process_spec(node.process_id) if node.process_id else None
    if spec is None:
        return None
    return [p for p in spec.get("parameters", []) if isinstance(p, dict) and "name" in p]


def check_unknown_arguments(ctx: Context) -> Iterator[Finding]:
    """A misspelled or non-standard argument is rejected by back-ends (or silently ignored, so
    the user's setting has no effect); only arguments listed in the back-end profile may pass."""
    for node in ctx.nodes():
        params = _spec_parameters(node)
        if params is None:
            continue
        names = [p["name"] for p in params]
        for arg in node.arguments:
            if arg in names or resources.extra_argument(node.process_id, arg):
                continue
            yield Finding(
                code="unknown-argument",
                pointer=node.argument_pointer(arg),
                found=show(arg),
                expected="one of " + ", ".join(names),
                message=f"process '{node.process_id}' (node '{node.id}') has no parameter '{arg}'"
                        + did_you_mean(arg, names),
            )


def check_required_arguments(ctx: Context) -> Iterator[Finding]:
    """A missing required argument makes the back-end reject the job."""
    for node in ctx.nodes():
        for param in _spec_parameters(node) or []:
            if param.get("optional") or param["name"] in node.arguments:
                continue
            yield Finding(
                code="missing-argument",
                pointer=join(node.pointer, "arguments"),
                found="(missing)",
                expected=f"argument '{param['name']}'",
                message=f"process '{node.process_id}' (node '{node.id}') requires argument '{param['name']}'",
            )


def _contains_reference(value: object) -> bool:
    return any(g.ref_kind(v) or g.is_callback(v) for _, v in g.iter_values(value))


def _literal_errors(value: object, schema: object, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """``(path, message)`` for literal parts of ``value`` that ``schema`` rejects; parts that
    are references or callbacks are left to the reference checks."""
    if g.ref_kind(value) or g.is_callback(value):
        return
    if _contains_reference(value):
        items = enumerate(value) if isinstance(value, list) else value.items()
        for key, item in items:
            yield from _literal_errors(item, schema_at(schema, [key]), path + (key,))
        return
    error = value_error(value, schema)
    if error:
        yield path + error[0], error[1]


def check_literal_values(ctx: Context) -> Iterator[Finding]:
    """A literal value the process does not accept (wrong type, out of range, unknown method
    name) fails the job on the back-end."""
    for node in ctx.nodes():
        for name, value in node.arguments.items():
            param = g.parameter_spec(node.process_id, name)
            if param is None:
                continue
            for path, message in _literal_errors(value, param.get("schema", {})):
                yield Finding(
                    code="invalid-argument",
                    pointer=node.argument_pointer(name, *path),
                    found=show(_at(value, path)),
                    expected=describe(schema_at(param.get("schema", {}), list(path))),
                    message=f"argument '{name}' of process '{node.process_id}' (node '{node.id}'): {message}",
                )


def _at(value: object, path: tuple) -> object:
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def check_parameter_compatibility(ctx: Context) -> Iterator[Finding]:
    """A UDP parameter whose schema allows values that the process it is passed to rejects:
    the Web Editor and clients accept the user's input, the back-end then fails (the earlier
    EFAST port's ``temporal_extent`` without ``items`` is such a case)."""
    for node in ctx.nodes():
        for ref in g.refs_of(node):
            if ref.kind != "from_parameter" or not isinstance(ref.target, str):
                continue
            param = g.parameter_spec(node.process_id, ref.argument)
            declared_in, schema, known = g.resolve_parameter(node.graph, ref.target)
            if param is None or declared_in is None:
                continue
            is_udp_parameter = declared_in.parent is None
            expected = schema_at(param.get("schema", {}), list(ref.path))
            reason = incompatibility(expected, schema, strict=is_udp_parameter)
            if reason is None:
                continue
            what = f"{'UDP' if is_udp_parameter else 'callback'} parameter '{ref.target}'"
            yield _incompatible("incompatible-parameter", node, ref, f"{what}: {describe(schema)}", expected,
                                f"{what} is not compatible with", reason)


def _incompatible(code: str, node, ref, found: str, expected, subject: str, reason: str) -> Finding:
    """A value referenced into an argument that cannot take it: "<subject> argument 'x' of ..."."""
    return Finding(code=code, pointer=node.argument_pointer(ref.argument, *ref.path), found=found,
                   expected=describe(expected),
                   message=f"{subject} argument '{ref.argument}' of process '{node.process_id}' "
                           f"(node '{node.id}'): {reason}")


def check_result_compatibility(ctx: Context) -> Iterator[Finding]:
    """Passing a node's result where its type cannot be used (e.g. a number where a data cube
    is expected) fails on the back-end."""
    for node in ctx.nodes():
        for ref in g.refs_of(node):
            source = node.graph.nodes.get(ref.target) if ref.kind == "from_node" and isinstance(ref.target, str) else None
            param = g.parameter_spec(node.process_id, ref.argument)
            spec = resources.process_spec(source.process_id) if source and source.process_id else None
            if param is None or spec is None or not isinstance(spec.get("returns"), dict):
                continue
            expected = schema_at(param.get("schema", {}), list(ref.path))
            returned = spec["returns"].get("schema", {})
            reason = incompatibility(expected, returned, strict=False)
            if reason:
                yield _incompatible("incompatible-result", node, ref,
                                    f"result of '{ref.target}' ({source.process_id}): {describe(returned)}", expected,
                                    f"the result of node '{ref.target}' cannot be", reason)


def check_callback_allowed(ctx: Context) -> Iterator[Finding]:
    """A callback where the process expects a plain value is never executed as intended."""
    for node in ctx.nodes():
        for name, path, _callback in g.callbacks_of(node):
            param = g.parameter_spec(node.process_id, name)
            if param is None:
                continue
            alts = schema_at(param.get("schema", {}), list(path))
            if any("type" not in a or a.get("subtype") == "process-graph" for a in alts):
                continue
            yield Finding(
                code="unexpected-callback",
                pointer=node.argument_pointer(name, *path),
                found="a callback (process_graph)",
                expected=describe(alts),
                message=f"argument '{name}' of process '{node.process_id}' (node '{node.id}') does not take a callback",
            )


CHECKS = [
    check_unknown_arguments,
    check_required_arguments,
    check_literal_values,
    check_parameter_compatibility,
    check_result_compatibility,
    check_callback_allowed,
]

