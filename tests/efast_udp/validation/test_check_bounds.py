"""Hostile numbers that size the work of a run (issue 20): released UDF code handed a context of
``max_distance_to_cloud_m`` 1e7 ran for hours, a ``kernel_size`` of 30001 or an overlap of 10^6
exhausted memory. ``validate`` names each with its JSON pointer (exit 1), ``run`` refuses the
graph before it reads any data, and every release lies inside the ranges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_support import argv

from efast_udp import constants
from efast_udp.cli import main
from efast_udp.project import LATEST_UDP, RELEASES_DIR
from efast_udp.validation import validate_udp
from efast_udp.validation.check_bounds import CONTEXT_BOUNDS

PG = "/process_graph"


def _param_index(doc, name):
    return [p["name"] for p in doc["parameters"]].index(name)


def _set(doc, path, value):
    *parents, last = path
    target = doc
    for part in parents:
        target = target[part]
    target[last] = value


#: (edit path inside the document, hostile value, pointer of the finding, words of the message)
CASES = [
    (("process_graph", "s2_distance_score", "arguments", "context", "max_distance_to_cloud_m"), 1e7,
     f"{PG}/s2_distance_score/arguments/context/max_distance_to_cloud_m", "is above the largest 10000"),
    (("process_graph", "s3_distance_score", "arguments", "context", "max_distance_to_cloud_m"), 0,
     f"{PG}/s3_distance_score/arguments/context/max_distance_to_cloud_m", "must be above 0"),
    (("process_graph", "s3_distance_score", "arguments", "context", "pixel_size_m"), 0.001,
     f"{PG}/s3_distance_score/arguments/context/pixel_size_m", "is below the smallest 10"),
    (("process_graph", "s3_smoothed", "arguments", "context", "kernel_size"), 30001,
     f"{PG}/s3_smoothed/arguments/context/kernel_size", "is above the largest 31"),
    (("process_graph", "s3_smoothed", "arguments", "context", "kernel_size"), 4,
     f"{PG}/s3_smoothed/arguments/context/kernel_size", "is not odd"),
    (("process_graph", "s3_smoothed", "arguments", "context", "sigma_px"), float("inf"),
     f"{PG}/s3_smoothed/arguments/context/sigma_px", "is not a finite number"),
    (("process_graph", "s3_smoothed", "arguments", "context", "sigma_px"), "1.0",
     f"{PG}/s3_smoothed/arguments/context/sigma_px", "is not a number"),
    (("process_graph", "s3_composite", "arguments", "context", "max_temporal_extent_days"), 10**6,
     f"{PG}/s3_composite/arguments/context/max_temporal_extent_days", "is above the largest 366"),
    (("process_graph", "s3_composite", "arguments", "context", "units_limit"), -1,
     f"{PG}/s3_composite/arguments/context/units_limit", "is below the smallest 0"),
    (("process_graph", "s3_distance_score", "arguments", "context", "cloudy_above"), 1e9,
     f"{PG}/s3_distance_score/arguments/context/cloudy_above", "is above the largest 255"),
    (("process_graph", "s2_distance_score", "arguments", "context", "fraction_scale"), True,
     f"{PG}/s2_distance_score/arguments/context/fraction_scale", "is not a number"),
    (("process_graph", "s3_composite", "arguments", "context", "interval_days"), 0.5,
     f"{PG}/s3_composite/arguments/context/interval_days", "is below the smallest 1"),
    (("process_graph", "s3_smoothed", "arguments", "overlap", 0, "value"), 10**6,
     f"{PG}/s3_smoothed/arguments/overlap/0/value", "is above the largest 4096"),
    (("process_graph", "s3_smoothed", "arguments", "overlap", 1, "value"), 200,
     f"{PG}/s3_smoothed/arguments/overlap/1/value", "is larger than the size 128"),
    (("process_graph", "s2_distance_score", "arguments", "size", 0, "value"), 0,
     f"{PG}/s2_distance_score/arguments/size/0/value", "is below the smallest 1"),
    (("process_graph", "s2_distance_score", "arguments", "size", 1, "value"), None,
     f"{PG}/s2_distance_score/arguments/size/1/value", "is not a number"),
    (("process_graph", "s3_distance_score", "arguments", "size", 0, "unit"), "m",
     f"{PG}/s3_distance_score/arguments/size/0/unit", "only pixels can be range-checked"),
]


def hostile(edit) -> dict:
    doc = json.loads(LATEST_UDP.read_text())
    edit(doc)
    return doc


def work_findings(doc):
    return [f for f in validate_udp(doc) if f.code == "work-bound"]


@pytest.mark.parametrize("path, value, where, words", CASES, ids=[c[2].split("/", 2)[2] + f"={c[1]!r}" for c in CASES])
def test_a_hostile_number_is_a_finding_at_its_pointer(path, value, where, words):
    findings = work_findings(hostile(lambda doc: _set(doc, path, value)))
    assert [f.pointer for f in findings] == [where], findings
    assert words in findings[0].message and "sizes the work of a run" in findings[0].message


@pytest.mark.parametrize("flag, value", [("tilesize", 1), ("tilesize", 10**6), ("super_sampling", 100)])
def test_hostile_featureflags_are_findings_of_the_backend_profile(flag, value):
    node = "s2_input" if flag == "tilesize" else "s3_input"
    doc = hostile(lambda doc: _set(doc, ("process_graph", node, "arguments", "featureflags", flag), value))
    assert f"{PG}/{node}/arguments/featureflags/{flag}" in {f.pointer for f in validate_udp(doc)}


def test_a_parameter_default_out_of_range_is_a_finding():
    def edit(doc):
        index = _param_index(doc, "max_distance_to_cloud_m")
        doc["parameters"][index]["default"] = 1e7
        doc["parameters"][index]["schema"]["maximum"] = 1e12

    doc = hostile(edit)
    index = _param_index(doc, "max_distance_to_cloud_m")
    pointers = [f.pointer for f in work_findings(doc)]
    assert pointers == [f"/parameters/{index}/default", f"/parameters/{index}/schema"]  # once, used twice


@pytest.mark.parametrize("name, schema, words", [
    ("max_distance_to_cloud_m", {"type": "number", "exclusiveMinimum": 0}, "allows values up to any number"),
    ("max_distance_to_cloud_m", {"type": "number", "maximum": 1e12, "exclusiveMinimum": 0}, "allows values up to 1e+12"),
    ("max_distance_to_cloud_m", [{"type": "number", "maximum": 100, "exclusiveMinimum": 0}, {"type": "string"}],
     "not numbers"),
    ("max_distance_to_cloud_m", {"anyOf": [{"type": "number", "maximum": 100}, {"type": "null"}]}, "not numbers"),
    ("s3_temporal_score_stddev", {"type": "number", "exclusiveMinimum": 0, "maximum": 1e6}, "allows values up to 1e+06"),
    ("interval_days", {"type": "integer", "maximum": 366}, "allows values down to any number"),
    ("interval_days", {"type": "integer", "minimum": -5, "maximum": 366}, "allows values down to -5"),
])
def test_a_parameter_schema_open_towards_more_work_is_a_finding(name, schema, words):
    doc = hostile(lambda doc: _set(doc, ("parameters", _param_index(doc, name), "schema"), schema))
    findings = [f for f in work_findings(doc) if f.pointer.endswith("/schema")]
    assert len(findings) == 1 and words in findings[0].message, findings
    assert findings[0].pointer == f"/parameters/{_param_index(doc, name)}/schema"


def test_a_schema_open_only_away_from_more_work_is_no_finding():
    def edit(doc):  # a smaller distance or a longer interval never makes more work
        doc["parameters"][_param_index(doc, "max_distance_to_cloud_m")]["schema"] = {"type": "number", "maximum": 100}
        doc["parameters"][_param_index(doc, "interval_days")]["schema"] = {"type": "integer", "minimum": 1}

    assert work_findings(hostile(edit)) == []


def test_a_context_from_a_callback_parameter_is_a_finding():
    path = ("process_graph", "s3_smoothed", "arguments", "context", "kernel_size")
    findings = work_findings(hostile(lambda doc: _set(doc, path, {"from_parameter": "data"})))
    assert [f.pointer for f in findings] == [f"{PG}/s3_smoothed/arguments/context/kernel_size"]
    assert "not a parameter of the UDP" in findings[0].message


def test_a_whole_context_from_a_parameter_default_is_checked():
    def edit(doc):
        context = doc["process_graph"]["s3_smoothed"]["arguments"]["context"]
        doc["parameters"].append({"name": "smoothing", "description": "Hostile.", "optional": True,
                                  "schema": {"type": "object"}, "default": {**context, "kernel_size": 30001}})
        doc["process_graph"]["s3_smoothed"]["arguments"]["context"] = {"from_parameter": "smoothing"}

    doc = hostile(edit)
    index = _param_index(doc, "smoothing")
    assert f"/parameters/{index}/default/kernel_size" in {f.pointer for f in work_findings(doc)}


def test_a_run_udf_with_its_own_literal_context_is_checked():
    def edit(doc):
        node = doc["process_graph"]["s3_smoothed"]["arguments"]["process"]["process_graph"]["runudf1"]
        node["arguments"]["context"] = {"kernel_size": 30001, "sigma_px": 1.0}

    pointers = {f.pointer for f in work_findings(hostile(edit))}
    assert f"{PG}/s3_smoothed/arguments/process/process_graph/runudf1/arguments/context/kernel_size" in pointers


@pytest.mark.parametrize("release", sorted(RELEASES_DIR.glob("*/efast.json")) + [LATEST_UDP],
                         ids=lambda p: p.parent.name)
def test_every_release_lies_inside_the_ranges(release):
    assert work_findings(json.loads(release.read_text())) == []


def test_the_ranges_are_the_documented_ones():
    distance = CONTEXT_BOUNDS["max_distance_to_cloud_m"]
    assert (distance.low, distance.low_open, distance.high) == (0, True, constants.MAX_MAX_DISTANCE_TO_CLOUD_M)
    assert CONTEXT_BOUNDS["kernel_size"].problem(constants.SMOOTHING_KERNEL_SIZE) is None
    assert CONTEXT_BOUNDS["max_temporal_extent_days"].problem(constants.MAX_TEMPORAL_EXTENT_DAYS) is None
    doc = json.loads(LATEST_UDP.read_text())
    schema = doc["parameters"][_param_index(doc, "interval_days")]["schema"]
    assert CONTEXT_BOUNDS["interval_days"].high == schema["maximum"]


def test_validate_prints_the_pointer_and_exits_1(tmp_path, capsys):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile(lambda doc: _set(
        doc, CASES[0][0], CASES[0][1]))))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert (f"#{CASES[0][2]}: [work-bound] max_distance_to_cloud_m 10000000.0 is above the largest 10000" in out), out


@pytest.mark.parametrize("case", [0, 3, 12], ids=["distance", "kernel", "overlap"])
def test_run_refuses_the_graph_before_it_reads_anything(small_scene, small_data, tmp_path, capsys, case):
    path, value, where, _ = CASES[case]
    udp = tmp_path / "hostile.json"
    udp.write_text(json.dumps(hostile(lambda doc: _set(doc, path, value))))
    assert main(argv(small_scene, small_data, tmp_path / "out", udp=udp)) == 1  # an invalid document, as validate
    err = capsys.readouterr().err
    assert f"#{where}: [work-bound]" in err and "nothing was run" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_run_refuses_a_value_beyond_the_parameter_schema_in_one_line(small_scene, small_data, tmp_path, capsys):
    assert main(argv(small_scene, small_data, tmp_path / "out", "--param=max_distance_to_cloud_m=1e12")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "parameter 'max_distance_to_cloud_m'" in err and "10000" in err, err
    assert not (tmp_path / "out").exists()


def _wide_schema(tmp_path, name, schema) -> Path:
    doc = hostile(lambda doc: _set(doc, ("parameters", _param_index(doc, name), "schema"), schema))
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("name, schema, value, words", [
    ("interval_days", {"type": "integer", "minimum": 1}, "1000", "is above the largest 366"),
    ("max_distance_to_cloud_m", {"type": "number", "maximum": 10000}, "-1", "is below the smallest 0"),
])
def test_run_refuses_a_value_beyond_the_range_that_a_wide_schema_lets_through(
        small_scene, small_data, tmp_path, capsys, name, schema, value, words):
    udp = _wide_schema(tmp_path, name, schema)  # valid: the schema is closed towards more work
    assert main(argv(small_scene, small_data, tmp_path / "out", f"--param={name}={value}", udp=udp)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"parameter {name!r}: {value} {words}" in err, err
    assert not (tmp_path / "out").exists()


def test_run_checks_a_whole_context_given_as_an_argument():
    from efast_udp.validation.check_bounds import run_problem

    doc = hostile(lambda doc: None)
    doc["process_graph"]["s3_smoothed"]["arguments"]["context"] = {"from_parameter": "smoothing"}
    assert "parameter 'smoothing' key 'kernel_size': 30001 is above the largest 31" in run_problem(
        doc, {"smoothing": {"kernel_size": 30001, "sigma_px": {"from_parameter": "x"}}, "x": 1})
    assert run_problem(json.loads(LATEST_UDP.read_text()), {"max_distance_to_cloud_m": 5000, "interval_days": 2}) is None


@pytest.mark.parametrize("distance, pixel", [({"from_parameter": "max_distance_to_cloud_m"}, 10.0), (10000, 30.0)])
def test_a_distance_of_too_many_pixels_is_a_finding(distance, pixel):
    def edit(doc):
        context = doc["process_graph"]["s2_distance_score"]["arguments"]["context"]
        context.update(max_distance_to_cloud_m=distance, pixel_size_m=pixel)

    findings = work_findings(hostile(edit))
    assert [f.pointer for f in findings] == [f"{PG}/s2_distance_score/arguments/context/pixel_size_m"], findings
    assert f"is a distance of {10000 / pixel:g} px; at most 33.3333 px" in findings[0].message


def test_run_checks_the_distance_in_pixels_too():
    from efast_udp.validation.check_bounds import run_problem

    doc = hostile(lambda doc: doc["process_graph"]["s3_distance_score"]["arguments"]["context"].update(pixel_size_m=30))
    assert run_problem(doc, {"max_distance_to_cloud_m": 900}) is None
    problem = run_problem(doc, {"max_distance_to_cloud_m": 5000})
    assert problem.startswith("parameter 'max_distance_to_cloud_m': 5000 is too far for node 's3_distance_score'")
    assert "166.667 px; at most 33.3333 px" in problem


def test_a_pixel_size_from_a_parameter_is_checked_at_its_smallest():
    """pixel_size_m given by a parameter: validate takes the smallest its schema admits, run the
    argument (the bound used to apply to literal pixel sizes only)."""
    from efast_udp.validation.check_bounds import run_problem

    def edit(doc):
        doc["parameters"].append({"name": "pixel", "description": "Coarse pixel (m).", "optional": True,
                                  "default": 300, "schema": {"type": "number", "minimum": 10, "maximum": 1000}})
        doc["process_graph"]["s3_distance_score"]["arguments"]["context"]["pixel_size_m"] = {"from_parameter": "pixel"}

    doc = hostile(edit)
    findings = work_findings(doc)
    assert [f.pointer for f in findings] == [f"{PG}/s3_distance_score/arguments/context/pixel_size_m"], findings
    assert "over pixel_size_m 10 is a distance of" in findings[0].message
    assert run_problem(doc, {"max_distance_to_cloud_m": 5000, "pixel": 300}) is None
    problem = run_problem(doc, {"max_distance_to_cloud_m": 5000, "pixel": 20})
    assert "max_distance_to_cloud_m 5000 over pixel_size_m 20 is a distance of 250 px" in problem, problem
    doc["process_graph"]["s3_distance_score"]["arguments"]["context"]["max_distance_to_cloud_m"] = 900
    problem = run_problem(doc, {"max_distance_to_cloud_m": 5000, "pixel": 20})
    assert problem.startswith("parameter 'pixel': 20 is too small for node 's3_distance_score'"), problem
