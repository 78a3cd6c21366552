"""``check_udf``: each ``run_udf`` node's runtime, inline source that compiles for the oldest
Python of the back-ends, its entry point, and the lint of what a kernel may touch.

efast_udp.validation.check_udf: the UDF lint, an allow-list of what a kernel may touch,
catches the ways out (and the profile's IO writers), and the released UDFs pass it."""

from __future__ import annotations

import ast
import copy
import json

import pytest

from efast_udp.project import ROOT
from efast_udp.validation import resources, validate_udp
from efast_udp.validation.check_udf import (
    _module_allowed,
    check_compiles,
    check_entry_point,
    check_inline_source,
    check_lint,
    check_runtime,
    lint,
)

from cli_support import UDP
from hidden_udfs import udf_node, RELEASED
from udp_docs import cube_udp, findings, located, UDF, UDF_POINTER


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


BYPASSES = {
    "os_system": "import os\nos.system('touch /tmp/pwned')\n",
    "subprocess": "import subprocess\nsubprocess.run(['true'])\n",
    "eval": "eval('1 + 1')\n",
    "open": "open('/tmp/pwned', 'w')\n",
    "getattr_builtins": "getattr(__builtins__, '__import__')('os')\n",
    "builtins_dict": "b = __builtins__\n",
    "dunder_attribute": "import numpy as np\nnp.__dict__\n",
    "subclasses": "().__class__.__bases__[0].__subclasses__()\n",
    "logging_dictconfig": "import logging.config\nlogging.config.dictConfig({'()': 'os.system'})\n",
    "logging_filehandler": "import logging\nlogging.FileHandler('/tmp/pwned')\n",
    "numpy_savetxt": "import numpy as np\nnp.savetxt('/tmp/pwned', [1])\n",
    "numpy_loadtxt": "import numpy as np\nnp.loadtxt('/etc/passwd')\n",
    "numpy_load_pickle": "import numpy as np\nnp.load('x.npy', allow_pickle=True)\n",
    "numpy_tofile": "import numpy as np\nnp.zeros(1).tofile('/tmp/pwned')\n",
    "pandas_read_csv": "import pandas\npandas.read_csv('/etc/passwd')\n",
    "pandas_to_csv": "import pandas\npandas.DataFrame().to_csv('/tmp/pwned')\n",
    "pandas_from_import": "from pandas import read_pickle\n",
    "xarray_open": "import xarray\nxarray.open_dataset('x.nc')\n",
    "xarray_to_netcdf": "def apply(cube):\n    cube.to_netcdf('/tmp/pwned')\n",
    "scipy_io": "from scipy import io\n",
    "scipy_io_module": "import scipy.io\n",
    "openeo_connect": "import openeo\nopeneo.connect('https://example.org')\n",
    "openeo_connection": "from openeo.rest.connection import Connection\n",
    "openeo_udf_runner": "from openeo.udf.run_code import run_udf_code\n",
    "openeo_udf_import_form": "import openeo.udf\nopeneo.connect('https://example.org')\n",
    "star_import": "from numpy import *\n",
    "importlib": "import importlib\n",
    "relative_import": "from . import secrets\n",
    "compile": "exec(compile('1', 'x', 'eval'))\n",
    "globals": "globals()['x'] = 1\n",
    "getattr_alias": "g = getattr\n",
    "pandas_eval": "import pandas\npandas.eval('1 + 1')\n",
    "typing_hints": "import typing\ntyping.get_type_hints(object)\n",
    # found in review: private internals and re-exported modules of the allowed libraries
    "typing_reexported_builtins": "import typing\ntyping.stdlib_re.enum.bltns.exec('import os')\n",
    "typing_forwardref_eval": "from typing import ForwardRef\nForwardRef('1')._evaluate({}, {}, frozenset())\n",
    "numpy_private_globals": "import numpy as np\nnp._globals.enum.bltns.exec('import os')\n",
    "numpy_private_open": "import numpy as np\nnp.lib._datasource._open('/tmp/pwned', 'w').write('x')\n",
    "operator_by_name": "import typing\ntyping.operator.methodcaller('system', 'id')\n",
    "xarray_pathlib": "import xarray as xr\nxr.core.utils.Path('/tmp/pwned').unlink()\n",
    "scipy_shutil": "import scipy\nscipy._lib._testutils.shutil.rmtree('/tmp/x')\n",
    "scipy_importlib": "import scipy\nscipy._importlib.import_module('subprocess')\n",
    "builtins_getattr_attribute": "import numpy as np\nb = np.ma.core.inspect.builtins\nb.getattr(b, '_' + '_import_' + '_')('os')\n",
    "format_string_walk": "import numpy as np\n'{0.__globals__[os].environ}'.format(np.sum)\n",
    "format_without_dunder_text": "import numpy as np\nt = '{0.' + '_' * 2 + 'globals' + '_' * 2 + '}'\nt.format(np.sum)\n",
    "pandas_pickle": "import pandas\npandas.compat.pickle_compat.pkl.loads(b'')\n",
    "pandas_private_socket": "import pandas\npandas._testing.pa.util.socket.socket()\n",
    "numpy_inspect": "import numpy\nnumpy.ma.core.inspect.stack()\n",
    "decorator_builtins": "import numpy as np\n@np.ma.core.inspect.builtins.exec\ndef f():\n    pass\n",
}


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_the_lint_catches_what_a_kernel_may_not_touch(name):
    doc = json.loads(UDP.read_text())
    node = doc["process_graph"]["s3_composite"]["arguments"]["process"]["process_graph"]["runudf1"]
    node["arguments"]["udf"] = BYPASSES[name] + node["arguments"]["udf"]
    findings = [f for f in validate_udp(doc) if f.code == "udf-lint"]
    assert findings, name
    assert all(f.pointer.endswith("/runudf1/arguments/udf") and "line" in f.found for f in findings)


def test_the_released_udfs_pass_the_lint():
    for path in sorted((ROOT / "udp" / "releases").glob("*/efast.json")):
        assert [f for f in validate_udp(json.loads(path.read_text())) if f.code == "udf-lint"] == [], path


@pytest.mark.parametrize("code, refused", [
    ("cube.to_netcdf(PATH)", ".to_netcdf"), ("cube.to_zarr(PATH)", ".to_zarr"), ("np.save(PATH, a)", ".save"),
    ("cube.values.tofile(PATH)", ".tofile"), ("np.savez(PATH, a)", ".savez"), ("cube.values.dump(PATH)", ".dump"),
    ("cube.to_dataset(name='a').to_netcdf(PATH)", ".to_netcdf"), ("cube.rio.to_raster(PATH)", ".to_raster"),
])
def test_the_profile_lint_already_refuses_io_writers(code, refused):
    """Pinned: what the profile's rules refuse, validated end to end in a graph UDF."""
    doc = copy.deepcopy(RELEASED)
    doc["process_graph"]["evil"] = udf_node("def apply_datacube(cube, context):\n    " + code + "\n    return cube\n")
    found = [f.found for f in validate_udp(doc) if f.code == "udf-lint"]
    assert f"line 2: {refused}" in found
