"""Product-level: the suite's own layout. Every test module mirrors the module it tests:
``tests/<package path>/test_<module>.py`` tests ``generator/<package path>/<module>.py``
(``test_main.py`` a package's ``__main__.py``, ``test_init.py`` its ``__init__.py``); only the
product-level tests of ``PRODUCT_LEVEL`` sit at the top of ``tests/``; every module of
``generator/`` has its test module. No test module imports
another: what several share is in a helper module of ``tests/`` (``conftest.py``, ``cubes.py``,
``cli_support.py``, ...), importable by its bare name (``pythonpath = ["tests"]``)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
GENERATOR = TESTS.parent / "generator"
PACKAGES = ("efast_udp", "openeo_cdse_local")
#: folders of tests/ that hold no test modules of their own (data, node tools, helper packages)
NOT_TESTS = {"fixtures", "js", "backend", "e2e", "__pycache__", "node_modules"}
#: The tests about the whole product rather than one module, at the top of tests/.
PRODUCT_LEVEL = {
    "test_architecture.py": "the code's shape: module sizes, an acyclic import graph, the executor apart, lazy imports explained",
    "test_ci_rules.py": "what counts as CI, and that nothing is skipped under it",
    "test_docs_lint.py": "the openEO linter's rules on the UDP's texts, the README's pinned release",
    "test_layout.py": "this file: the suite mirrors the packages",
    "test_notebook.py": "the executed notebook docs/notebooks/efast.ipynb against the dummy back-end",
    "test_same_results.py": "the numbers do not move: run and demo against the recorded fingerprint",
    "test_site_backend.py": "end to end: the served site's UDP on openeo-driver's dummy back-end",
    "test_site_browser.py": "the site's pages in a real browser (chromium, Playwright)",
    "test_validation_js.py": "the official openEO JS validator on the rendered UDPs and fixtures",
}
#: a test module's name for a package's special modules
SPECIAL = {"__main__": "main", "__init__": "init"}


def suite_test_modules() -> list[Path]:
    """Every ``test_*.py`` below tests/, outside the folders of ``NOT_TESTS``."""
    return sorted(p for p in TESTS.rglob("test_*.py") if not NOT_TESTS & set(p.relative_to(TESTS).parts[:-1]))


def python_files() -> list[Path]:
    """Every Python file of the suite (test and helper modules)."""
    return sorted(p for p in TESTS.rglob("*.py") if not NOT_TESTS & set(p.relative_to(TESTS).parts[:-1]))


def counts_as_module(path: Path) -> bool:
    """A module that wants tests: every module but an ``__init__.py`` without a function or class."""
    if path.name != "__init__.py":
        return True
    tree = ast.parse(path.read_text("utf-8"))
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) for node in tree.body)


def generator_modules() -> list[Path]:
    """The modules of the packages, relative to generator/."""
    return sorted(p.relative_to(GENERATOR) for package in PACKAGES for p in (GENERATOR / package).rglob("*.py")
                  if "__pycache__" not in p.parts and counts_as_module(p))


def mirrored_test(module: Path) -> Path:
    """``efast_udp/review/compare.py`` -> ``efast_udp/review/test_compare.py`` (relative to tests/)."""
    return module.parent / f"test_{SPECIAL.get(module.stem, module.stem)}.py"


def module_under_test(test: Path) -> Path | None:
    """The module a test file mirrors (relative to generator/), or None when there is none."""
    rel = test.relative_to(TESTS)
    name = rel.stem.removeprefix("test_")
    if not rel.parent.parts or rel.parent.parts[0] not in PACKAGES:
        return None
    for stem in (name, *[special for special, short in SPECIAL.items() if short == name]):
        module = rel.parent / f"{stem}.py"
        if (GENERATOR / module).is_file():
            return module
    return None


def modules_without_tests() -> list[str]:
    """The package modules that no test module mirrors yet."""
    tested = {module_under_test(t) for t in suite_test_modules()}
    return [m.as_posix() for m in generator_modules() if m not in tested]


def imported_test_modules(path: Path) -> list[str]:
    """The test modules ``path`` imports (``import test_x``, ``from test_x import y``, ``from a.test_x import y``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.ImportFrom) and not node.module:  # from . import test_x
            names = [a.name for a in node.names]
        found += [name for name in names if any(part.startswith("test_") for part in name.split("."))]
    return found


def test_every_test_module_mirrors_a_module_or_is_product_level():
    stray = [t.relative_to(TESTS).as_posix() for t in suite_test_modules()
             if module_under_test(t) is None and t.relative_to(TESTS).as_posix() not in PRODUCT_LEVEL]
    assert stray == [], ("test modules that mirror no module of generator/ (move them to tests/<package path>/"
                         f"test_<module>.py, or list a product-level test in PRODUCT_LEVEL): {stray}")


def test_the_product_level_tests_exist():
    assert sorted(PRODUCT_LEVEL) == sorted(p.name for p in TESTS.glob("test_*.py"))


def test_no_test_module_imports_another():
    imports = {p.relative_to(TESTS).as_posix(): imported_test_modules(p) for p in python_files()}
    assert {path: names for path, names in imports.items() if names} == {}


def test_the_layout_rules_find_what_they_should(tmp_path):
    package = TESTS / "efast_udp"
    assert module_under_test(package / "review" / "test_compare.py") == Path("efast_udp/review/compare.py")
    assert module_under_test(package / "test_main.py") == Path("efast_udp/__main__.py")
    assert module_under_test(package / "validation" / "test_init.py") == Path("efast_udp/validation/__init__.py")
    assert module_under_test(package / "test_no_such_module.py") is None
    assert module_under_test(TESTS / "test_docs_lint.py") is None
    assert mirrored_test(Path("openeo_cdse_local/processes/apply_neighborhood.py")) == \
        Path("openeo_cdse_local/processes/test_apply_neighborhood.py")
    assert Path("efast_udp/udfs/__init__.py") not in generator_modules()  # empty: nothing to test
    assert Path("efast_udp/commands/__init__.py") in generator_modules()
    source = "import test_a\nfrom test_b import x\nfrom pkg.test_c import y\nimport cubes\nfrom test import z\n"
    (tmp_path / "probe.py").write_text(source, "utf-8")
    assert imported_test_modules(tmp_path / "probe.py") == ["test_a", "test_b", "pkg.test_c"]


def test_every_module_has_its_test_module():
    missing = modules_without_tests()
    assert missing == [], (f"{len(missing)} of {len(generator_modules())} modules of generator/ have no test module "
                           "(write tests/<package path>/test_<module>.py): " + ", ".join(missing))


def test_a_module_without_its_test_module_is_found(monkeypatch):
    """The check above can fail: a module with no mirrored test module is listed."""
    monkeypatch.setitem(globals(), "generator_modules", lambda: [Path("efast_udp/cli.py"), Path("pkg/none.py")])
    assert modules_without_tests() == ["pkg/none.py"]
