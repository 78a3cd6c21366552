"""efast_udp.arguments: NAME=VALUE parsing, parameter values (defaults, schema checks with
messages that name the parameter and say what is wrong, "did you mean"), references, and the
temporal extents a run refuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from efast_udp import arguments
from efast_udp.cli import main
from efast_udp.errors import UsageError
from efast_udp.project import LATEST_UDP
from run_support import argv

UDP = json.loads(LATEST_UDP.read_text("utf-8"))


SCHEMAS = arguments.parameter_schemas(UDP)


@pytest.mark.parametrize("item, expected", [
    ("interval_days=5", 5),
    ("s2_data_bands=B04,B8A", ["B04", "B8A"]),          # a list parameter: comma-separated names
    ('s2_data_bands=["B04","B8A"]', ["B04", "B8A"]),   # or JSON
    ("s2_data_bands=B04", ["B04"]),
    ("temporal_extent=2022-01-01,2022-02-01", ["2022-01-01", "2022-02-01"]),
    ("fused_band_names=null", None),
    ("output_ndvi=true", True),
])
def test_name_value_is_parsed_the_same_way_for_every_command(item, expected):
    assert arguments.parse_assignment(item, SCHEMAS, "--param") == (item.split("=")[0], expected)


@pytest.mark.parametrize("item, message", [
    ("interval_days", "expected NAME=VALUE"),
    ("=5", "expected NAME=VALUE"),
    ("no_such=1", "unknown parameter"),
    ("interval_days=" + "[" * 80 + "]" * 80, "nested deeper"),
])
def test_bad_name_value(item, message):
    with pytest.raises(UsageError, match=message):
        arguments.parse_assignment(item, SCHEMAS, "--param")


def required(**extra) -> dict:
    return {"spatial_extent": {"west": 0, "south": 0, "east": 1, "north": 1},
            "temporal_extent": ["2022-01-01", "2022-03-01"], **extra}


def test_defaults_fill_what_is_not_given():
    values = arguments.resolve_parameters(UDP, required())
    defaults = {p["name"]: p["default"] for p in UDP["parameters"] if "default" in p}
    assert values == {**required(), **defaults}


@pytest.mark.parametrize("given, message", [
    ({"fused_band_names": ["a", "a"]}, "parameter 'fused_band_names': must be unique (\"a\" appears more than once)"),
    ({"s2_data_bands": ["B02", "B99"]}, "parameter 's2_data_bands': item [1]: \"B99\" is not one of B01"),
    ({"interval_days": 0}, "parameter 'interval_days': 0 is less than the minimum of 1"),
    ({"temporal_extent": ["2022-03-01", "2022-01-01"]}, "parameter 'temporal_extent': start 2022-03-01 is after end 2022-01-01"),
    ({"temporal_extent": ["2022-03-01", "2022-03-01"]}, "the interval [start, end) is empty"),
    # offsets count: 2022-02-10T00:00+02:00 is 2022-02-09T22:00Z, after 21:00Z
    ({"temporal_extent_target": ["2022-02-10T00:00:00+02:00", "2022-02-09T21:00:00Z"]}, "is after end"),
    ({"no_such": 1}, "parameter 'no_such' does not exist"),
])
def test_bad_values_say_what_is_wrong(given, message):
    with pytest.raises(UsageError) as caught:
        arguments.resolve_parameters(UDP, {**required(), **given})
    assert message in str(caught.value)


def test_a_required_parameter_is_required():
    with pytest.raises(UsageError, match="parameter 'temporal_extent' is required"):
        arguments.resolve_parameters(UDP, {"spatial_extent": required()["spatial_extent"]})


def test_references_resolve_inside_objects_and_lists():
    value = {"a": {"from_parameter": "x"}, "b": [1, {"from_parameter": "y"}], "c": {"d": 2}}
    assert arguments.resolve_references(value, {"x": 5, "y": "z"}, "here") == {"a": 5, "b": [1, "z"], "c": {"d": 2}}
    with pytest.raises(UsageError, match="here: parameter 'q' is referenced but not defined"):
        arguments.resolve_references({"from_parameter": "q"}, {}, "here")


def test_an_unknown_parameter_suggests_the_close_one(tmp_path, capsys):
    argv = ["run", "--data", str(tmp_path), "--out", str(tmp_path / "out")]
    assert main([*argv, "--param", "temporal_extnt=2023-06-01,2023-06-30"]) == 2
    err = capsys.readouterr().err
    assert "--param temporal_extnt: unknown parameter (did you mean 'temporal_extent'?)" in err
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"output_ndiv": True}))
    assert main([*argv, "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert "parameter 'output_ndiv' does not exist (did you mean 'output_ndvi'?)" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, expected", [
    (["build", "--set", "interval_day=3"], "--set interval_day: unknown parameter (did you mean 'interval_days'?)"),
    (["build", "--set", "zzz=3"], "--set zzz: unknown parameter; expected one of"),
])
def test_build_settings_suggest_the_close_parameter(argv, expected, tmp_path, capsys):
    assert main([*argv, "-o", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and not (tmp_path / "x.json").exists()


def test_run_arguments_are_matched_against_patterns_safely():
    """``run --param`` values and ``--set`` defaults are checked with arguments.schema_problem,
    which used jsonschema's own (backtracking) pattern keyword."""
    code = ("from efast_udp.arguments import schema_problem; "
            "print(schema_problem('a' * 40 + '!', {'type': 'string', 'pattern': '(a|a)+$'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("the pattern '(a|a)+$' takes longer than 0.5 s"), done.stderr


@pytest.mark.parametrize("extent, message", [
    (["2022-09-01T00:00:00+02:00", "2022-10-01T00:00:00+02:00"], "temporal_extent"),
    (["2022-09-01", "2022-10-01T00:00:00Z"], "temporal_extent"),
    (["01/09/2022", "2022-10-01"], "temporal_extent"),
    (["2022-01-01", "2022-07-05"], "at most 184 days"),
])
def test_temporal_extents_the_back_end_cannot_take_are_refused_by_run(small_scene, small_data, tmp_path, capsys,
                                                                      extent, message):
    args = argv(small_scene, small_data, tmp_path / "out") + ["--param", "temporal_extent=" + json.dumps(extent)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "temporal_extent" in err[0], err
    assert not (tmp_path / "out").exists()
