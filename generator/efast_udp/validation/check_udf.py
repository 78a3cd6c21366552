"""Check 6: the Python UDFs in ``run_udf`` nodes: Python runtime, inline source that compiles
for the oldest Python the back-ends run, the ``apply_datacube(cube, context)`` entry point, and
imports only from the profile's allow-list (no os, subprocess, socket, network modules)."""

from __future__ import annotations

import ast
from typing import Iterator

from efast_udp.validation import resources
from efast_udp.validation.context import Context
from efast_udp.validation.findings import Finding, show


def _udf_nodes(ctx: Context):
    return [n for n in ctx.nodes() if n.process_id == "run_udf"]


def _source(node) -> str | None:
    """The inline UDF source of a run_udf node (a literal with a line break), else ``None``."""
    udf = node.arguments.get("udf")
    return udf if isinstance(udf, str) and ("\n" in udf or "\r" in udf) else None


def _tree(source: str) -> ast.Module | None:
    version = tuple(resources.udf_policy()["min_python"])
    try:
        return ast.parse(source, feature_version=version)
    except (SyntaxError, ValueError):
        return None


def check_runtime(ctx: Context) -> Iterator[Finding]:
    """The back-end only runs UDFs of the runtimes it has (Python on CDSE)."""
    runtimes = resources.udf_policy()["runtimes"]
    for node in _udf_nodes(ctx):
        runtime = node.arguments.get("runtime")
        if runtime not in runtimes:
            yield Finding(
                code="udf-runtime",
                pointer=node.argument_pointer("runtime"),
                found=show(runtime),
                expected=" or ".join(map(repr, runtimes)),
                message=f"UDF node '{node.id}' uses runtime {show(runtime)}, the back-end runs {', '.join(runtimes)}",
            )


def check_inline_source(ctx: Context) -> Iterator[Finding]:
    """A UDF given as URL or workspace path is fetched at run time: it can change or vanish
    after the UDP was released, and cannot be checked here."""
    for node in _udf_nodes(ctx):
        if _source(node) is None:
            yield Finding(
                code="udf-not-inline",
                pointer=node.argument_pointer("udf"),
                found=show(node.arguments.get("udf")),
                expected="the UDF's Python source code (multi-line string)",
                message=f"UDF node '{node.id}' does not carry its source code inline",
            )


def check_compiles(ctx: Context) -> Iterator[Finding]:
    """A syntax error only surfaces on the back-end's workers, after data was loaded."""
    version = tuple(resources.udf_policy()["min_python"])
    for node in _udf_nodes(ctx):
        source = _source(node)
        if source is None:
            continue
        try:
            ast.parse(source, feature_version=version)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            yield Finding(
                code="udf-syntax",
                pointer=node.argument_pointer("udf"),
                found=f"line {line}: {show((getattr(exc, 'text', '') or '').strip())}",
                expected=f"Python {version[0]}.{version[1]}+ source",
                message=f"UDF of node '{node.id}' does not compile (line {line}): {getattr(exc, 'msg', exc)}",
            )


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _argument_names(func: ast.FunctionDef) -> list[str]:
    return [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]


def check_entry_point(ctx: Context) -> Iterator[Finding]:
    """The back-end calls ``apply_datacube(cube=..., context=...)``; without it (or with other
    argument names) the UDF fails on every chunk."""
    policy = resources.udf_policy()
    entry = policy["entry_point"]
    for node in _udf_nodes(ctx):
        tree = _tree(_source(node) or "")
        if tree is None or _source(node) is None:
            continue
        functions = _functions(tree)
        for spec, required in [(entry, True)] + [(h, False) for h in policy.get("optional_hooks", [])]:
            func = functions.get(spec["name"])
            if func is None and not required:
                continue
            found = "no top-level function" if func is None else f"{spec['name']}({', '.join(_argument_names(func))})"
            if func is not None and _argument_names(func) == spec["arguments"]:
                continue
            yield Finding(
                code="udf-entry-point",
                pointer=node.argument_pointer("udf"),
                found=found,
                expected=f"def {spec['name']}({', '.join(spec['arguments'])})",
                message=f"UDF of node '{node.id}' must define {spec['name']}({', '.join(spec['arguments'])}) "
                        "at top level",
            )


def _imported_modules(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                yield alias.name, stmt.lineno
        elif isinstance(stmt, ast.ImportFrom):
            yield ("." * stmt.level) + (stmt.module or ""), stmt.lineno


def check_imports(ctx: Context) -> Iterator[Finding]:
    """A UDF runs on the provider's machines with the user's credits: it may only compute
    (numpy, scipy, pandas, xarray, openeo, pure standard modules), never touch the system or the
    network (os, subprocess, socket, urllib, ...)."""
    allowed = resources.udf_policy()["allowed_imports"]
    for node in _udf_nodes(ctx):
        tree = _tree(_source(node) or "")
        if tree is None:
            continue
        for module, line in _imported_modules(tree):
            if module.split(".")[0] in allowed:
                continue
            yield Finding(
                code="udf-import",
                pointer=node.argument_pointer("udf"),
                found=f"line {line}: import {module}",
                expected="modules of the profile's allow-list: " + ", ".join(sorted(allowed)),
                message=f"UDF of node '{node.id}' imports '{module}' (line {line}), which is not on the allow-list",
            )


def _called_names(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for call in ast.walk(tree):
        if isinstance(call, ast.Call):
            func = call.func
            while isinstance(func, ast.Attribute):
                func = func.value
            if isinstance(func, ast.Name) and (func is call.func or func.id == "importlib"):
                yield func.id, call.lineno


def check_forbidden_calls(ctx: Context) -> Iterator[Finding]:
    """Dynamic imports, eval/exec and file access would bypass the import allow-list."""
    forbidden = resources.udf_policy()["forbidden_calls"]
    for node in _udf_nodes(ctx):
        tree = _tree(_source(node) or "")
        if tree is None:
            continue
        for name, line in _called_names(tree):
            if name in forbidden:
                yield Finding(
                    code="udf-forbidden-call",
                    pointer=node.argument_pointer("udf"),
                    found=f"line {line}: {name}(...)",
                    expected="no call of " + ", ".join(sorted(forbidden)),
                    message=f"UDF of node '{node.id}' calls {name}() (line {line}): {forbidden[name]}",
                )


CHECKS = [check_runtime, check_inline_source, check_compiles, check_entry_point, check_imports,
          check_forbidden_calls]
