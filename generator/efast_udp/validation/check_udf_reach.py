"""Check 6b (issue 20): the UDF rules for every ``run_udf`` wherever it sits, and the file
writes the allowed libraries offer through their plotting and IO objects.

``check_udf`` looks at the nodes of the process graph and its callbacks. A ``run_udf`` can also
sit where no graph walk looks: in a parameter's ``default`` (a callback a graph takes
``from_parameter``), in an example, in a value nested in an argument. Such a node gets the same
rules here (inline source, compiles, the lint); the trust list of ``efast-udp run`` covers it too
(``trust.every_udf``).

The lint's allow-list lets a kernel use xarray, numpy and pandas objects; some of their methods
write files without any import: ``cube.plot.imshow().figure.canvas.print_png(PATH)``,
``savefig``. Names reaching plotting and figure objects are refused here in addition to the
profile's rules (which already refuse ``to_*`` writers, ``save*``, ``tofile``, ``dump``).
"""

from __future__ import annotations

import ast
import functools
from typing import Iterator

from efast_udp.graph_nodes import every_run_udf, udf_code
from efast_udp.validation import check_udf
from efast_udp.validation.context import Context
from efast_udp.pointers import join, pointer
from efast_udp.validation.findings import Finding, show

#: attribute (or imported) name -> why a kernel may not reach it
WRITERS = {
    "plot": "plotting (xarray/pandas .plot): its figures write image files",
    "plotting": "plotting: its figures write image files",
    "figure": "a plotting figure: writes image files (savefig, canvas.print_png)",
    "canvas": "a figure canvas: writes image files (print_png, print_figure)",
    "pyplot": "matplotlib plotting: writes image files",
    "matplotlib": "matplotlib plotting: writes image files",
    "imsave": "writes an image file",
    "tofile": "writes a file",
    "writelines": "writes to a file",
    "write": "writes to a file or stream",
}
#: name prefix -> why
WRITER_PREFIXES = {
    "print_": "prints a figure to a file (print_png, print_figure, ...)",
    "savefig": "writes an image file",
    "write_": "writes a file (write_png, ...)",
}


def writer_problem(name: str) -> str | None:
    if name in WRITERS:
        return WRITERS[name]
    return next((why for prefix, why in WRITER_PREFIXES.items() if name.startswith(prefix)), None)


def lint_writers(tree: ast.AST) -> Iterator[tuple[int, str, str]]:
    """(line, what, why) for every name of ``tree`` that reaches a plotting or writing object."""
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and (why := writer_problem(node.attr)):
            yield line, f".{node.attr}", why
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if why := writer_problem(alias.name):
                    yield line, f"from {node.module} import {alias.name}", why
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if why := writer_problem(alias.name.split(".")[0]):
                    yield line, f"import {alias.name}", why


@functools.lru_cache(maxsize=64)
def writer_rules(source: str) -> tuple[tuple[int, str, str], ...]:
    """``lint_writers`` of a source that compiles, cached per source text."""
    tree = check_udf.tree_of(source)
    return () if tree is None else tuple(lint_writers(tree))


def _finding(where: str, label: str, line: int, what: str, why: str) -> Finding:
    return Finding(code="udf-lint", pointer=where, found=f"line {line}: {what}",
                   expected="computation only: numpy, scipy, xarray, pandas, math and the openeo UDF classes",
                   message=f"UDF of node '{label}' uses {what} (line {line}): {why}")


def check_every_udf(ctx: Context) -> Iterator[Finding]:
    """Graph nodes: the writer rules. Nodes outside the graphs: every UDF rule."""
    in_graphs = {id(node.data): node for node in ctx.nodes()}
    for path, data in every_run_udf(ctx.doc):
        node = in_graphs.get(id(data))
        where = node.argument_pointer("udf") if node else join(pointer(*path), "arguments", "udf")
        label = node.id if node else "/".join(map(str, path))
        source = udf_code(data)
        if source is None:
            if node is None:
                yield Finding(code="udf-not-inline", pointer=where, found=show((data.get("arguments") or {}).get("udf")),
                              expected="the UDF's Python source code (multi-line string)",
                              message=f"UDF node '{label}' (outside the process graph) does not carry its source "
                                      "code inline")
            continue
        if check_udf.tree_of(source) is None:
            if node is None:
                yield Finding(code="udf-syntax", pointer=where, found=show(source), expected="Python source",
                              message=f"UDF of node '{label}' (outside the process graph) does not compile")
            continue
        rules = writer_rules(source) + (() if node else check_udf.lint_source(source))
        for line, what, why in sorted(set(rules)):
            yield _finding(where, label, line, what, why)


CHECKS = [check_every_udf]
