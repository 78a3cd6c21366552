"""The shape of the code (issue 23's acceptance): modules of at most 400 lines, an import graph
without cycles, the executor package free of ``efast_udp``, UDF modules on the back-end's
libraries only, imports at the top of a module unless a measured start-up cost says otherwise.
Read from the source with ``ast``; the cycles found by the graph check's
``graph_nodes.find_cycle``. (That the command line starts without the heavy libraries is
``efast_udp/test_cli.py``'s.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from efast_udp.graph_nodes import find_cycle

GENERATOR = Path(__file__).resolve().parents[1] / "generator"
PACKAGES = ("efast_udp", "openeo_cdse_local")
MAX_LINES = 400
#: how many lines above a function-local import its ``lazy:`` comment may stand
COMMENT_LINES = 2
#: what an embedded UDF may import: the back-end's UDF runtime (and the shared prelude, inlined)
UDF_IMPORTS = {"__future__", "numpy", "scipy", "pandas", "xarray", "openeo", "efast_udp"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((GENERATOR / package).rglob("*.py")):
            parts = path.relative_to(GENERATOR).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports anywhere in its file (function-local ones too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # ``from package import module`` depends on the module; ``from module import name`` on the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        out.update(t for t in targets if t in MODULES and t != name)
    return out


GRAPH = {name: sorted(_imports(name, path)) for name, path in MODULES.items()}


def test_the_walk_sees_the_packages():
    assert {"efast_udp.cli", "openeo_cdse_local.executor", "openeo_cdse_local.processes.apply"} <= set(MODULES)
    assert "efast_udp.errors" in GRAPH["efast_udp.cli"]
    assert "openeo_cdse_local.errors" in GRAPH["openeo_cdse_local.processes.load_collection"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_400_lines(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(GENERATOR)} has {lines} lines; split it"


def test_the_import_graph_has_no_cycle():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH))


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_the_executor_imports_nothing_from_efast_udp():
    leaks = sorted(f"{name} -> {target}" for name, targets in GRAPH.items() if name.startswith("openeo_cdse_local")
                   for target in targets if target.startswith("efast_udp"))
    assert not leaks


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("efast_udp.udfs.")))
def test_udf_modules_import_only_the_backends_udf_libraries(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    roots |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert roots <= UDF_IMPORTS, sorted(roots - UDF_IMPORTS)
    own = set(GRAPH[name])
    assert own <= {"efast_udp.udfs.prelude", "efast_udp.udfs"}, sorted(own)


def _local_imports(tree: ast.AST) -> list[tuple[ast.stmt, ast.stmt | None]]:
    """(import, the statement before it in the same block) of every import inside a function."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            previous = None
            for child in block:
                if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
                    found.append((child, previous))
                previous = child
        for child in ast.iter_child_nodes(node):
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(tree, False)
    return found


def test_a_function_local_import_says_why_it_is_not_at_the_top():
    """Every import inside a function has a ``lazy:`` comment (with the figure that keeps it
    there) on its line or in the two lines above, or follows such an import in the same block."""
    bare = []
    for path in MODULES.values():
        lines = path.read_text("utf-8").splitlines()
        explained: set[int] = set()
        for node, previous in _local_imports(ast.parse("\n".join(lines))):
            first = max(node.lineno - 1 - COMMENT_LINES, 0)
            said = any("# lazy:" in line for line in lines[first:node.end_lineno])
            if said or (previous is not None and id(previous) in explained):
                explained.add(id(node))
            else:
                bare.append(f"{path.relative_to(GENERATOR)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not bare, ("imports inside functions without a '# lazy: <what it costs, measured>' comment; move them "
                      "to the top of the module or say why not:\n" + "\n".join(bare))


def test_the_lazy_import_check_sees_a_bare_import():
    tree = ast.parse("def f():\n    x = 1\n    import json\n    import os\n")
    (first, previous), (second, after) = _local_imports(tree)
    assert isinstance(previous, ast.Assign) and after is first and isinstance(second, ast.Import)
