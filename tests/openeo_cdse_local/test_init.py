"""The package's face: the names it exports, each the object of the module that defines it,
imported on first use only; an unknown name is an AttributeError naming it."""

import ast
import subprocess
import sys

import pytest

import openeo_cdse_local
from openeo_cdse_local import errors, executor, session

#: every exported name and the module it comes from
EXPORTS = {
    "DEFAULT_CHUNK_PX": session, "ExecutorError": errors, "InvalidData": errors, "OverlapResolverMissing": errors,
    "ProcessFailure": errors, "Result": executor, "Session": session, "UdfError": errors, "Unsupported": errors,
    "check_processes": executor, "preload": executor, "run": executor,
}


def test_all_lists_the_exports_sorted():
    assert openeo_cdse_local.__all__ == sorted(EXPORTS)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_export_is_the_object_of_its_module(name):
    assert getattr(openeo_cdse_local, name) is getattr(EXPORTS[name], name)


def test_from_import_resolves_through_the_lazy_lookup():
    from openeo_cdse_local import Session, run

    assert (Session, run) == (session.Session, executor.run)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match=r"^module 'openeo_cdse_local' has no attribute 'Executor'$"):
        openeo_cdse_local.Executor  # noqa: B018
    assert not hasattr(openeo_cdse_local, "registry_of_runs")
    with pytest.raises(ImportError, match="cannot import name 'runs'"):
        exec("from openeo_cdse_local import runs", {})


HEAVY = ("numpy", "dask", "xarray", "pyproj")
MODULES = ("openeo_cdse_local.errors", "openeo_cdse_local.executor", "openeo_cdse_local.session")


def _imported_after(statement: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a fresh interpreter has imported after ``statement``."""
    code = f"import sys; {statement}; print(sorted(m for m in {names!r} if m in sys.modules))"
    return ast.literal_eval(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True).stdout)


def test_importing_the_package_imports_nothing_heavy_and_none_of_its_modules():
    assert _imported_after("import openeo_cdse_local", HEAVY + MODULES) == []


def test_a_name_is_imported_on_first_use_only():
    """Asking for ``Session`` imports its module, not the executor behind ``run``."""
    assert _imported_after("import openeo_cdse_local; openeo_cdse_local.Session", MODULES) == [
        "openeo_cdse_local.errors", "openeo_cdse_local.session"]  # the session's checks raise Unsupported
