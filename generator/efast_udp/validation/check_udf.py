"""Check 6: the Python UDFs in ``run_udf`` nodes: Python runtime, inline source that compiles
for the oldest Python the back-ends run, the ``apply_datacube(cube, context)`` entry point, and
the UDF lint: an allow-list of what a kernel may touch (the profile's ``udf`` rules).

The lint reads the code, it does not run it, and it is no sandbox: it catches the usual ways out
of "compute on the cube you are given" (imports beyond numpy/scipy/xarray/pandas/math and the
openeo UDF classes; file, network and process access; dynamic code; names with double
underscores) so that a reviewer sees them. ``efast-udp run`` executes only UDF code the project
released, whatever the lint says."""

from __future__ import annotations

import ast
import functools
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


@functools.lru_cache(maxsize=64)
def parse(source: str) -> ast.Module | SyntaxError | ValueError:
    """The syntax tree of a UDF's source for the oldest Python the back-ends run, or the error
    that stops it. Cached per source text: the checks of a document, and a second validation of
    the same UDFs, parse each UDF once (4 parses per UDF made 0.13 of a validation's 0.28 s);
    the trees are only read."""
    try:
        return ast.parse(source, feature_version=tuple(resources.udf_policy()["min_python"]))
    except (SyntaxError, ValueError) as exc:
        return exc.with_traceback(None)


def tree_of(source: str) -> ast.Module | None:
    """``parse``'s tree, ``None`` when the source does not compile."""
    tree = parse(source)
    return tree if isinstance(tree, ast.Module) else None


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
        exc = parse(source)
        if not isinstance(exc, ast.Module):
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
        tree = tree_of(_source(node) or "")
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


#: Why a name with ``__`` in it is refused, wherever it appears.
_DUNDER = "a name with double underscores reaches Python's internals"


def _import_rule(module: str, imports: dict) -> tuple[str, dict] | None:
    """The first allow-list entry (name, rule) that is ``module`` or a package of it, else ``None``."""
    return next(((m, r) for m, r in imports.items() if module == m or module.startswith(m + ".")), None)


def _module_allowed(module: str, policy: dict) -> bool:
    """``import module`` / ``from module import ...``: on the allow-list, and a submodule of an
    allowed package only when listed."""
    entry = _import_rule(module, policy["imports"])
    if entry is None:
        return False
    allowed, rule = entry
    if module == allowed:
        return True
    sub = module[len(allowed) + 1:]
    return "submodules" not in rule or sub in rule["submodules"] or any(
        sub.startswith(s + ".") for s in rule["submodules"])


def _attribute_problem(name: str, policy: dict) -> str | None:
    """Why an attribute (or imported) name is off limits, or ``None``."""
    if "__" in name:
        return _DUNDER
    if name.startswith("_"):
        return "a private name reaches a library's internals (and, through them, anything)"
    if name in policy["allowed_attributes"]:
        return None
    if name in policy["forbidden_attributes"]:
        return policy["forbidden_attributes"][name]
    for prefix, why in policy["forbidden_attribute_prefixes"].items():
        if name.startswith(prefix):
            return why
    return None


def lint(tree: ast.Module, policy: dict) -> Iterator[tuple[int, str, str]]:
    """(line, what, why) for every use of something a kernel may not touch."""
    imports = policy["imports"]
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _module_allowed(alias.name, policy):
                    yield line, f"import {alias.name}", "not on the import allow-list"
                elif _import_rule(alias.name, imports)[1].get("from_only"):
                    yield line, f"import {alias.name}", "only 'from ... import NAME' of its listed names is allowed"
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if node.level or not _module_allowed(module, policy):
                yield line, f"from {module} import ...", "not on the import allow-list"
                continue
            rule = _import_rule(module, imports)[1]
            for alias in node.names:
                if alias.name == "*":
                    yield line, f"from {module} import *", "imports names that cannot be checked"
                elif "names" in rule and alias.name not in rule["names"]:
                    yield line, f"from {module} import {alias.name}", "not one of the names allowed from " + module
                elif module != "__future__" and alias.name not in rule.get("names", ()) and \
                        (problem := _attribute_problem(alias.name, policy)):  # a listed name was reviewed as such
                    yield line, f"from {module} import {alias.name}", problem
        elif isinstance(node, ast.Name):
            if node.id in policy["forbidden_names"]:
                yield line, node.id, policy["forbidden_names"][node.id]
            elif "__" in node.id:
                yield line, node.id, _DUNDER
        elif isinstance(node, ast.Attribute):
            problem = _attribute_problem(node.attr, policy)
            if problem:
                yield line, f".{node.attr}", problem
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            yield line, "a text with double underscores", "names of Python's internals, e.g. for a format string or a lookup by name"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and "__" in node.name:
            yield line, node.name, _DUNDER
        elif isinstance(node, ast.arg) and "__" in node.arg:
            yield line, node.arg, _DUNDER
        elif isinstance(node, ast.alias) and node.asname and "__" in node.asname:
            yield line, node.asname, _DUNDER


@functools.lru_cache(maxsize=64)
def lint_source(source: str) -> tuple[tuple[int, str, str], ...]:
    """``lint`` of a source that compiles under the profile's rules, cached per source text (the
    profile is a file of the project, read once)."""
    tree = tree_of(source)
    return () if tree is None else tuple(lint(tree, resources.udf_policy()))


def check_lint(ctx: Context) -> Iterator[Finding]:
    """What a kernel may touch: computation on its input cube, nothing of the system around it."""
    for node in _udf_nodes(ctx):
        for line, what, why in lint_source(_source(node) or ""):
            yield Finding(
                code="udf-lint",
                pointer=node.argument_pointer("udf"),
                found=f"line {line}: {what}",
                expected="computation only: numpy, scipy, xarray, pandas, math and the openeo UDF classes",
                message=f"UDF of node '{node.id}' uses {what} (line {line}): {why}",
            )


CHECKS = [check_runtime, check_inline_source, check_compiles, check_entry_point, check_lint]
