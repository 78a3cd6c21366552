"""efast_udp (the package's ``__init__``): the Python API's names, looked up in ``efast_udp.api``
on first use, so that ``import efast_udp`` stays light; any other name is an AttributeError.
(That ``__version__`` is the package metadata is ``test_api.py``'s.)"""

from __future__ import annotations

import subprocess
import sys

import pytest

import efast_udp
from efast_udp import api

API = ["create_efast_udp", "load_udp", "released_versions", "run_local"]


def test_all_names_the_version_and_the_api():
    assert efast_udp.__all__ == ["__version__", *API]


@pytest.mark.parametrize("name", API)
def test_each_api_name_is_the_api_modules_object(name):
    assert getattr(efast_udp, name) is getattr(api, name)


def test_the_version_is_looked_up_in_the_api_module(monkeypatch):
    monkeypatch.setattr(api, "package_version", lambda: "9.8.7")
    assert efast_udp.__version__ == "9.8.7"  # asked again on every access, not cached at import


def test_star_import_gives_exactly_the_api():
    namespace: dict = {}
    exec("from efast_udp import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(["__version__", *API])
    assert namespace["load_udp"] is api.load_udp


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match=r"^module 'efast_udp' has no attribute 'create_udp'$"):
        efast_udp.create_udp  # noqa: B018
    assert not hasattr(efast_udp, "package_version")  # api's own helpers are not the package's API
    with pytest.raises(ImportError, match="cannot import name 'create_udp' from 'efast_udp'"):
        exec("from efast_udp import create_udp", {})


def test_importing_the_package_loads_the_api_only_when_a_name_is_used():
    code = ("import sys, efast_udp\n"
            "heavy = ('efast_udp.api', 'numpy', 'openeo', 'jsonschema', 'xarray')\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n"
            "efast_udp.load_udp\n"
            "print('efast_udp.api' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True"]
