"""``check_arguments``: each node's arguments against its process's parameters: names, required
ones, literal values, and what references and callbacks bring into each place.

efast_udp.validation.check_arguments: a UDP parameter incompatible with the argument it is
passed to is a finding."""

from __future__ import annotations

import pytest

from efast_udp.validation import check_arguments, validate_udp
from efast_udp.validation.check_arguments import (
    check_callback_allowed,
    check_literal_values,
    check_parameter_compatibility,
    check_required_arguments,
    check_result_compatibility,
    check_unknown_arguments,
)

from udp_docs import cube_udp, findings, located, number_udp, UDF_NODE
from validation_support import load_json, FIXTURES


CALLBACK = {"process_graph": {"one": {"process_id": "add", "arguments": {"x": 1, "y": 1}, "result": True}}}


def _load(doc):
    return doc["process_graph"]["load"]["arguments"]


def test_an_unknown_argument_lists_the_parameters_and_gets_a_hint():
    doc = cube_udp()
    _load(doc)["temporal_extend"] = None
    [finding] = findings(check_unknown_arguments, doc)
    assert (finding.code, finding.pointer, finding.found) == (
        "unknown-argument", "/process_graph/load/arguments/temporal_extend", '"temporal_extend"')
    assert finding.expected.startswith("one of id, spatial_extent, temporal_extent, bands")
    assert finding.message == ("process 'load_collection' (node 'load') has no parameter 'temporal_extend'; "
                               "did you mean 'temporal_extent'?")


def test_a_profiled_argument_passes_on_its_process_only():
    doc = cube_udp()
    _load(doc)["featureflags"] = {"tilesize": 64}
    doc["process_graph"]["scaled"]["arguments"]["featureflags"] = {}
    assert located(check_unknown_arguments, doc) == [("unknown-argument", "/process_graph/scaled/arguments/featureflags")]


def test_arguments_of_an_unknown_process_are_left_to_the_process_check():
    doc = number_udp()
    doc["process_graph"]["sum"]["process_id"] = "no_such_process"
    doc["process_graph"]["sum"]["arguments"] = {"z": 1}
    for check in check_arguments.CHECKS:
        assert located(check, doc) == []


def test_each_missing_required_argument_is_a_finding_at_the_arguments():
    doc = number_udp()
    doc["process_graph"]["sum"]["arguments"] = {}
    found = findings(check_required_arguments, doc)
    assert [(f.code, f.pointer, f.expected) for f in found] == [
        ("missing-argument", "/process_graph/sum/arguments", "argument 'x'"),
        ("missing-argument", "/process_graph/sum/arguments", "argument 'y'")]
    assert found[0].message == "process 'add' (node 'sum') requires argument 'x'"


def test_an_optional_argument_may_be_left_out():
    doc = cube_udp()
    del _load(doc)["bands"]
    assert located(check_required_arguments, doc) == []


def test_a_literal_beside_references_is_checked_at_its_own_place():
    doc = cube_udp()
    _load(doc)["bands"] = ["B04", {"from_parameter": "factor"}, 3]
    [finding] = findings(check_literal_values, doc)
    assert (finding.code, finding.pointer, finding.found) == ("invalid-argument", "/process_graph/load/arguments/bands/2", "3")
    assert finding.expected == "string/band-name"
    assert finding.message == "argument 'bands' of process 'load_collection' (node 'load'): 3 is not of type 'string'"


def test_a_profiled_argument_is_checked_against_the_profiles_schema():
    doc = cube_udp()
    _load(doc)["featureflags"] = {"tilesize": "big"}
    [finding] = findings(check_literal_values, doc)
    assert (finding.pointer, finding.expected) == ("/process_graph/load/arguments/featureflags/tilesize",
                                                   "integer (>= 16, <= 4096)")


def test_an_interval_that_ends_before_it_starts():
    doc = cube_udp()
    _load(doc)["temporal_extent"] = ["2023-07-01", "2023-06-01"]
    [finding] = findings(check_literal_values, doc)
    assert finding.pointer == "/process_graph/load/arguments/temporal_extent"
    assert finding.message.endswith("the end '2023-06-01' is not later than the start '2023-07-01'")


@pytest.mark.parametrize("extent", [{"west": 5, "east": 6, "south": 51, "north": 50}, {"west": 5}])
def test_a_literal_spatial_extent_that_is_no_bounding_box_is_invalid(extent):
    """A literal object used to match load_collection's vector-cube alternative (type object,
    subtype datacube), so no literal spatial_extent was ever rejected."""
    doc = cube_udp()
    _load(doc)["spatial_extent"] = extent
    assert located(check_literal_values, doc) == [("invalid-argument", "/process_graph/load/arguments/spatial_extent")]


def test_a_udp_parameter_whose_schema_allows_what_the_process_rejects():
    doc = number_udp()
    doc["parameters"][0]["schema"] = {"type": "string"}
    [finding] = findings(check_parameter_compatibility, doc)
    assert (finding.code, finding.pointer) == ("incompatible-parameter", "/process_graph/sum/arguments/x")
    assert finding.found == "UDP parameter 'x': string"
    assert finding.expected == "number | null"
    assert finding.message == ("UDP parameter 'x' is not compatible with argument 'x' of process 'add' (node 'sum'): "
                               "type string is not accepted, the target accepts number | null")


def test_a_narrower_udp_parameter_is_compatible():
    doc = number_udp()
    doc["parameters"][0]["schema"] = {"type": "integer", "minimum": 3}
    assert located(check_parameter_compatibility, doc) == []


def test_a_reference_inside_an_array_is_judged_by_the_items_schema():
    doc = cube_udp()
    _load(doc)["temporal_extent"] = ["2023-06-01", {"from_parameter": "factor"}]
    [finding] = findings(check_parameter_compatibility, doc)
    assert finding.pointer == "/process_graph/load/arguments/temporal_extent/1"
    assert finding.expected == "string/date-time | string/date | null"


def test_a_callback_parameter_is_judged_too():
    doc = cube_udp()
    scaled = doc["process_graph"]["scaled"]
    scaled["process_id"] = "apply_dimension"
    scaled["arguments"]["dimension"] = "t"
    udf = scaled["arguments"]["process"]["process_graph"]["udf"]["arguments"]
    udf["data"] = {"from_parameter": "data"}
    assert located(check_parameter_compatibility, doc) == []
    udf["udf"] = {"from_parameter": "data"}
    [finding] = findings(check_parameter_compatibility, doc)
    assert (finding.code, finding.pointer) == ("incompatible-parameter", UDF_NODE + "/arguments/udf")
    assert finding.found == "callback parameter 'data': array/labeled-array<any>"
    assert finding.message.startswith("callback parameter 'data' is not compatible with argument 'udf' of process "
                                      "'run_udf' (node 'udf'): type array is not accepted")


def test_a_number_where_a_cube_is_expected():
    doc = cube_udp()
    doc["process_graph"]["n"] = {"process_id": "add", "arguments": {"x": 1, "y": 2}}
    doc["process_graph"]["scaled"]["arguments"]["data"] = {"from_node": "n"}
    [finding] = findings(check_result_compatibility, doc)
    assert (finding.code, finding.pointer) == ("incompatible-result", "/process_graph/scaled/arguments/data")
    assert finding.found == "result of 'n' (add): number | null"
    assert finding.expected == "object/datacube"
    assert finding.message == ("the result of node 'n' cannot be argument 'data' of process 'apply' (node 'scaled'): "
                               "type number is not accepted, the target accepts object/datacube")


def test_a_reference_to_a_missing_node_is_left_to_the_reference_check():
    doc = cube_udp()
    doc["process_graph"]["scaled"]["arguments"]["data"] = {"from_node": "nowhere"}
    assert located(check_result_compatibility, doc) == []


def test_a_callback_where_a_plain_value_is_expected():
    doc = number_udp()
    doc["process_graph"]["sum"]["arguments"]["y"] = CALLBACK
    [finding] = findings(check_callback_allowed, doc)
    assert (finding.code, finding.pointer, finding.found) == (
        "unexpected-callback", "/process_graph/sum/arguments/y", "a callback (process_graph)")
    assert finding.expected == "number | null"
    assert finding.message == "argument 'y' of process 'add' (node 'sum') does not take a callback"


def test_a_callback_in_a_context_of_any_type_is_allowed():
    doc = cube_udp()
    doc["process_graph"]["scaled"]["arguments"]["context"] = {"step": CALLBACK}
    assert located(check_callback_allowed, doc) == []


def test_a_literal_bounding_box_is_still_a_valid_spatial_extent():
    doc = cube_udp()
    _load(doc)["spatial_extent"] = {"west": 5, "east": 6, "south": 50, "north": 51}
    assert located(check_literal_values, doc) == []


def test_earlier_port_temporal_extent_is_incompatible_with_load_collection():
    path = FIXTURES / "earlier_port" / "efast.json"
    findings = validate_udp(load_json(path), str(path))
    assert [(f.code, f.pointer) for f in findings] == [
        ("incompatible-parameter", "/process_graph/load/arguments/temporal_extent")
    ]
    assert "array items are not constrained" in findings[0].message
    assert "unconstrained items" in findings[0].found
