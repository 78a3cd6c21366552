"""UDF sources: the modules in ``efast_udp.udfs`` rendered into ``run_udf`` nodes.

Each UDF module runs on the back-end alone, with numpy, scipy, pandas, xarray and openeo. The
conventions the UDFs share (dates, temporal weights, label selection) live once, in
``udfs/prelude.py``: a module imports them with one line, ``from efast_udp.udfs.prelude import
...``, and the embedded text has the prelude's source in place of that line. Otherwise modules
and prelude are embedded unchanged, behind a header rendered from ``templates/udf_header.py.j2``.

Each module also declares, in its docstring, the ``context`` keys it reads and what they mean
(a "Context keys ...:" section, one ``key  meaning`` line each, optionally per ``mask_kind``);
:func:`udf_node` refuses a context with other keys, so a stage and its kernel cannot drift apart.
"""

from __future__ import annotations

import ast
import functools
import importlib.resources
import re

from openeo.internal.graph_building import PGNode

from efast_udp.project import project_version
from efast_udp.templates import render

#: The UDF modules (file names in efast_udp/udfs) in pipeline order.
UDF_MODULES = ("distance_score", "compositing", "smoothing", "interpolation", "fusion")
PRELUDE = "prelude"
_PRELUDE_IMPORT = re.compile(r"^from efast_udp\.udfs\.prelude import (?P<names>[\w, ]+)\n", re.MULTILINE)


@functools.lru_cache(maxsize=None)
def module_source(module_name: str) -> str:
    """The source text of ``efast_udp/udfs/<module_name>.py`` exactly as in the package."""
    if module_name not in UDF_MODULES + (PRELUDE,):
        raise KeyError(f"unknown UDF module {module_name!r}")
    return importlib.resources.files("efast_udp.udfs").joinpath(f"{module_name}.py").read_text("utf-8")


def embedded_source(module_name: str) -> str:
    """The module's text with the prelude's text in place of its prelude import (if any)."""
    source = module_source(module_name)
    imports = list(_PRELUDE_IMPORT.finditer(source))
    if not imports:
        return source
    if len(imports) > 1:
        raise ValueError(f"udfs/{module_name}.py imports the prelude more than once")
    prelude = module_source(PRELUDE)
    names = [n.strip() for n in imports[0]["names"].split(",") if n.strip()]
    missing = [n for n in names if not re.search(rf"^(def {n}\(|{n} = )", prelude, re.MULTILINE)]
    if missing:
        raise ValueError(f"udfs/{module_name}.py imports {', '.join(missing)} that udfs/prelude.py does not define")
    block = render("udf_prelude.py.j2", prelude=prelude, names=names)
    return source[:imports[0].start()] + block + source[imports[0].end():]


def udf_code(module_name: str) -> str:
    """Header + embedded module source: the text of the ``udf`` argument."""
    header = render("udf_header.py.j2", module=module_name, version=project_version())
    return header + embedded_source(module_name)


_SECTION = re.compile(r'^Context keys(?: when (?P<field>\w+) is "(?P<value>\w+)")?[^:\n]*:$')
_KEY_LINE = re.compile(r"^    (?P<key>\w+)  +(?P<meaning>\S.*)$")


@functools.lru_cache(maxsize=None)
def context_declaration(module_name: str) -> dict[tuple[str, str] | None, dict[str, str]]:
    """The context keys the module's docstring declares: ``{None: {key: meaning}}`` for every
    call, plus ``{(field, value): {...}}`` for the keys read only when ``context[field] == value``."""
    doc = ast.get_docstring(ast.parse(module_source(module_name))) or ""
    sections: dict = {}
    current = None
    for line in doc.splitlines():
        header = _SECTION.match(line)
        if header:
            current = (header["field"], header["value"]) if header["field"] else None
            sections.setdefault(current, {})
        elif current in sections and _KEY_LINE.match(line):
            match = _KEY_LINE.match(line)
            sections[current][match["key"]] = match["meaning"]
        else:
            current = object()  # any other line ends a section
    if None not in sections:
        raise ValueError(f"udfs/{module_name}.py declares no 'Context keys ...:' section in its docstring")
    return sections


def context_keys(module_name: str, context: dict) -> set[str]:
    """The context keys the UDF module declares it reads, for this context."""
    keys = set()
    for condition, declared in context_declaration(module_name).items():
        if condition is None or context.get(condition[0]) == condition[1]:
            keys |= set(declared)
    return keys


def check_context(module_name: str, context: dict) -> None:
    """Refuse a context whose keys differ from what the UDF module declares it reads."""
    expected = context_keys(module_name, context)
    extra, missing = sorted(set(context) - expected), sorted(expected - set(context))
    if extra or missing:
        raise ValueError(f"context for UDF {module_name!r} does not match the keys its docstring declares: "
                         f"missing {missing or 'nothing'}, unexpected {extra or 'nothing'}")


def udf_node(module_name: str, context: dict) -> PGNode:
    """``run_udf`` on the callback's data, with the context handed in by the outer node;
    ``context`` (what the outer node passes) is checked against the module's declaration."""
    check_context(module_name, context)
    return PGNode(
        "run_udf",
        data={"from_parameter": "data"},
        udf=udf_code(module_name),
        runtime="Python",
        context={"from_parameter": "context"},
    )
