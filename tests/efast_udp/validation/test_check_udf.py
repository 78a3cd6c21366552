"""``check_udf``: each ``run_udf`` node's runtime, inline source that compiles for the oldest
Python of the back-ends, its entry point, and the lint of what a kernel may touch."""

import ast

import pytest
from udp_docs import UDF, UDF_POINTER, cube_udp, findings, located

from efast_udp.validation import resources
from efast_udp.validation.check_udf import (
    _module_allowed,
    check_compiles,
    check_entry_point,
    check_inline_source,
    check_lint,
    check_runtime,
    lint,
)

POLICY = resources.udf_policy()


def _udf_arguments(doc):
    return doc["process_graph"]["scaled"]["arguments"]["process"]["process_graph"]["udf"]["arguments"]


def _lint(source):
    return sorted(lint(ast.parse(source), POLICY))


@pytest.mark.parametrize("runtime, shown", [("R", '"R"'), ("python", '"python"'), (None, "null")])
def test_only_the_profiles_runtimes_run(runtime, shown):
    doc = cube_udp()
    _udf_arguments(doc)["runtime"] = runtime
    [finding] = findings(check_runtime, doc)
    assert (finding.code, finding.found, finding.expected) == ("udf-runtime", shown, "'Python'")
    assert finding.pointer == UDF_POINTER[: -len("udf")] + "runtime"
    assert finding.message == f"UDF node 'udf' uses runtime {shown}, the back-end runs Python"


@pytest.mark.parametrize("udf", ["https://example.org/udf.py", "/workspace/udf.py", 3, None])
def test_a_udf_without_its_source_inline(udf):
    doc = cube_udp()
    _udf_arguments(doc)["udf"] = udf
    [finding] = findings(check_inline_source, doc)
    assert (finding.code, finding.pointer) == ("udf-not-inline", UDF_POINTER)
    for check in (check_compiles, check_entry_point, check_lint):  # nothing to read: one finding only
        assert located(check, doc) == []


def test_source_with_only_carriage_returns_counts_as_inline():
    assert located(check_inline_source, cube_udp(UDF.replace("\n", "\r"))) == []


@pytest.mark.parametrize("source, reason", [
    ("def apply_datacube(cube, context):\n    return cube +\n", "(line 2): invalid syntax"),
    ("def apply_datacube(cube, context):\n    match cube:\n        case _:\n            return cube\n",
     "Pattern matching is only supported in Python 3.10 and greater"),
    ("def apply_datacube(cube, context):\n    with (a as b, c as d):\n        return cube\n",
     "Parenthesized context managers are only supported in Python 3.9 and greater"),
])
def test_source_that_does_not_compile_for_python_3_8(source, reason):
    [finding] = findings(check_compiles, cube_udp(source))
    assert (finding.code, finding.pointer, finding.expected) == ("udf-syntax", UDF_POINTER, "Python 3.8+ source")
    assert finding.message.startswith("UDF of node 'udf' does not compile (line ")
    assert reason in finding.message
    assert located(check_lint, cube_udp(source)) == []  # what does not parse is not linted


def test_a_syntax_error_shows_its_line():
    [finding] = findings(check_compiles, cube_udp("import numpy\n\nx = = 1\n"))
    assert finding.found == 'line 3: "x = = 1"'


def test_python_3_8_syntax_compiles():
    source = "def apply_datacube(cube, context, /):\n    if (n := len(context)):\n        return cube\n    return cube\n"
    assert located(check_compiles, cube_udp(source)) == []


@pytest.mark.parametrize("source, found", [
    ("def apply(cube, context):\n    return cube\n", "no top-level function"),
    ("def apply_datacube(data, context):\n    return data\n", "apply_datacube(data, context)"),
    ("def apply_datacube(cube, context, extra):\n    return cube\n", "apply_datacube(cube, context, extra)"),
    ("class K:\n    def apply_datacube(cube, context):\n        return cube\n", "no top-level function"),
])
def test_the_entry_point_is_apply_datacube_of_cube_and_context(source, found):
    [finding] = findings(check_entry_point, cube_udp(source))
    assert (finding.code, finding.pointer, finding.found) == ("udf-entry-point", UDF_POINTER, found)
    assert finding.expected == "def apply_datacube(cube, context)"


def test_keyword_only_arguments_of_the_right_names_pass():
    assert located(check_entry_point, cube_udp("def apply_datacube(*, cube, context):\n    return cube\n")) == []


def test_apply_metadata_is_optional_but_must_have_its_arguments():
    hook = UDF + "\n\ndef apply_metadata(meta, context):\n    return meta\n"
    [finding] = findings(check_entry_point, cube_udp(hook))
    assert (finding.found, finding.expected) == ("apply_metadata(meta, context)", "def apply_metadata(metadata, context)")
    fine = UDF + "\n\ndef apply_metadata(metadata, context):\n    return metadata\n"
    assert located(check_entry_point, cube_udp(fine)) == []


@pytest.mark.parametrize("module, allowed", [
    ("numpy", True), ("numpy.linalg", True), ("numpy.lib.stride_tricks", True), ("numpy.lib", False),
    ("numpy.core", False), ("numpyx", False), ("xarray.core", False), ("scipy.ndimage", True),
    ("openeo", False), ("os", False),
])
def test_module_allowed_by_the_allow_list_and_its_submodules(module, allowed):
    assert _module_allowed(module, POLICY) is allowed


def test_lint_refuses_imports_off_the_allow_list():
    source = ("from __future__ import annotations\nimport typing\nfrom typing import Any, cast\n"
              "from numpy import *\nfrom . import sibling\nimport subprocess\nfrom numpy import load\n"
              "from openeo.udf import XarrayDataCube\nfrom openeo.udf.run_code import run_udf_code\n")
    assert _lint(source) == [
        (2, "import typing", "only 'from ... import NAME' of its listed names is allowed"),
        (3, "from typing import cast", "not one of the names allowed from typing"),
        (4, "from numpy import *", "imports names that cannot be checked"),
        (5, "from . import ...", "not on the import allow-list"),
        (6, "import subprocess", "not on the import allow-list"),
        (7, "from numpy import load", "reads files (numpy load/loadtxt, pickle)"),
        (9, "from openeo.udf.run_code import run_udf_code", "not one of the names allowed from openeo.udf.run_code"),
    ]


def test_lint_refuses_forbidden_names_attributes_and_double_underscores():
    source = ("import numpy as __np\n"
              "def apply_datacube(cube, context, __x=1):\n"
              "    open('f')\n"
              "    s = '{0.__class__}'\n"
              "    cube._private\n"
              "    cube.__class__\n"
              "    class __K: pass\n"
              "    cube.values.tofile('x')\n"
              "    return cube.to_netcdf('x')\n")
    assert _lint(source) == [
        (1, "__np", "a name with double underscores reaches Python's internals"),
        (2, "__x", "a name with double underscores reaches Python's internals"),
        (3, "open", "file access: a UDF computes from its input cube only"),
        (4, "a text with double underscores", "names of Python's internals, e.g. for a format string or a lookup by name"),
        (5, "._private", "a private name reaches a library's internals (and, through them, anything)"),
        (6, ".__class__", "a name with double underscores reaches Python's internals"),
        (7, "__K", "a name with double underscores reaches Python's internals"),
        (8, ".tofile", "writes a file"),
        (9, ".to_netcdf", "writes files (to_csv, to_netcdf, to_pickle, ...), except the conversions listed as allowed"),
    ]


def test_lint_lets_the_listed_conversions_pass():
    assert _lint("def apply_datacube(cube, context):\n    return cube.to_numpy(), cube.t.to_index()\n") == []


def test_every_lint_problem_is_a_finding_at_the_udf():
    source = UDF.replace("import numpy as np", "import numpy as np\nimport os")
    [finding] = findings(check_lint, cube_udp(source))
    assert (finding.code, finding.pointer, finding.found) == ("udf-lint", UDF_POINTER, "line 2: import os")
    assert finding.message == "UDF of node 'udf' uses import os (line 2): not on the import allow-list"
