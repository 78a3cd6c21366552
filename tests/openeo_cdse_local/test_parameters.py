"""``parameters``: a call's parameter values (given, else the default) and references to them
resolved as the back-end's evaluator resolves them."""

import subprocess
import sys

import pytest

from openeo_cdse_local.errors import ProcessFailure
from openeo_cdse_local.parameters import reference_name, resolve, values

UDP = {"parameters": [
    {"name": "extent", "schema": {}},
    {"name": "days", "schema": {}, "optional": True, "default": 5},
    {"name": "names", "schema": {}, "optional": True},  # optional without default: null
    {"name": "sigma", "schema": {}, "default": 20},  # a default without optional: still the default
    "not a parameter",
    {"schema": {}},
]}


class Named:
    """Stands for the parser's ``ParameterReference`` (an object with ``from_parameter``; the
    parser itself takes 2 s to import)."""

    def __init__(self, name):
        self.from_parameter = name


@pytest.mark.parametrize("value, name", [
    ({"from_parameter": "days"}, "days"),
    (Named("days"), "days"),
    ({"from_parameter": "days", "extra": 1}, None),  # an object with more keys is no reference
    ({"from_node": "days"}, None),
    (Named(3), None),
    ("days", None),
    (None, None),
])
def test_reference_name(value, name):
    assert reference_name(value) == name


def test_resolve_replaces_references_at_any_depth():
    value = {"a": {"from_parameter": "x"}, "b": [1, {"c": Named("y")}], "d": "x"}
    assert resolve(value, {"x": [1, 2], "y": None}, "here") == {"a": [1, 2], "b": [1, {"c": None}], "d": "x"}


def test_resolve_leaves_values_without_references_as_they_are():
    assert resolve([1, "a", {"b": None}], {}, "here") == [1, "a", {"b": None}]


def test_an_undefined_reference_names_the_parameter_and_the_place():
    with pytest.raises(ProcessFailure, match=r"^dry run: parameter 'nope' is referenced but not defined$"):
        resolve({"a": [{"from_parameter": "nope"}]}, {"x": 1}, "dry run")


def test_values_take_what_is_given_else_the_default():
    assert values(UDP, {"extent": [1, 2], "days": 7}) == {"extent": [1, 2], "days": 7, "names": None, "sigma": 20}


def test_a_given_null_is_kept_over_the_default():
    assert values(UDP, {"extent": None, "days": None})["days"] is None


def test_a_required_parameter_must_be_given():
    with pytest.raises(ProcessFailure, match=r"^parameter 'extent' is required$"):
        values(UDP, {"days": 7})


def test_an_unknown_parameter_is_named_with_the_parameters_there_are():
    with pytest.raises(ProcessFailure, match=r"^parameter 'a' does not exist \(parameters: extent, days, names, sigma\)$"):
        values(UDP, {"extent": 1, "z": 1, "a": 2})


@pytest.mark.parametrize("udp", [{}, {"parameters": None}, {"parameters": []}])
def test_a_definition_without_parameters_takes_none(udp):
    assert values(udp, {}) == {}
    with pytest.raises(ProcessFailure, match="parameter 'x' does not exist"):
        values(udp, {"x": 1})


def test_the_module_is_light():
    """Only the standard library and ``errors``: no numpy, dask or parser."""
    code = ("import sys; import openeo_cdse_local.parameters; "
            "print(sorted(m for m in ('numpy', 'dask', 'xarray', 'openeo_pg_parser_networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
