"""efast_udp.validation.check_udf: the UDF lint, an allow-list of what a kernel may touch,
catches the ways out (and the profile's IO writers), and the released UDFs pass it."""

from __future__ import annotations

import copy
import json

import pytest

from cli_support import UDP
from efast_udp.project import ROOT
from efast_udp.validation import validate_udp
from hidden_udfs import RELEASED, udf_node

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
