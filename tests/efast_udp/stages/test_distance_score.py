"""``efast_udp.stages.distance_score``: one score UDF under ``apply_neighborhood`` for S2 and for S3
(Section 2.4), its neighbourhood sized for the largest allowed distance, its mask band renamed."""

from __future__ import annotations

import pytest

from efast_udp.stages import distance_score
from efast_udp.udf_source import context_keys

#: 128 px chunks; overlap ⌈10000 m / 300 m⌉ + 1 = 35 px (exact for every allowed distance)
SIZE = [{"dimension": "x", "value": 128, "unit": "px"}, {"dimension": "y", "value": 128, "unit": "px"}]
OVERLAP = [{"dimension": "x", "value": 35, "unit": "px"}, {"dimension": "y", "value": 35, "unit": "px"}]


def test_s2_score_of_the_invalid_fraction(fragment, params):
    graph = fragment.flat(distance_score.s2_score(fragment.pipeline, params, fragment.input("fraction")))
    assert list(graph) == ["fraction", "s2_distance_score", "s2_score"]
    assert fragment.udf_arguments(graph["s2_distance_score"], "apply_neighborhood", "distance_score") == {
        "data": {"from_node": "fraction"}, "size": SIZE, "overlap": OVERLAP,
        "context": {"mask_band": "SCL", "mask_kind": "fraction",
                    "cloud_tolerance": {"from_parameter": "cloud_tolerance"}, "fraction_scale": 100, "max_distance_to_cloud_m": {"from_parameter": "max_distance_to_cloud_m"},
                    "pixel_size_m": 300.0}}
    assert graph["s2_score"] == {"process_id": "rename_labels", "result": True, "arguments": {
        "data": {"from_node": "s2_distance_score"}, "dimension": "bands", "source": ["SCL"], "target": ["score"]}}
    assert fragment.stages == ["s2_distance_score", "s2_score"]


def test_s3_score_of_the_binned_cloud_flags_alone(fragment, params):
    graph = fragment.flat(distance_score.s3_score(fragment.pipeline, params, fragment.input("s3_coarse")))
    assert list(graph) == ["s3_coarse", "s3_flags", "s3_distance_score", "s3_score"]
    assert graph["s3_flags"] == {"process_id": "filter_bands", "arguments": {
        "bands": ["CLOUD_flags"], "data": {"from_node": "s3_coarse"}}}
    assert fragment.udf_arguments(graph["s3_distance_score"], "apply_neighborhood", "distance_score") == {
        "data": {"from_node": "s3_flags"}, "size": SIZE, "overlap": OVERLAP,
        "context": {"mask_band": "CLOUD_flags", "mask_kind": "binned_flags", "cloudy_above": 0.0,
                    "max_distance_to_cloud_m": {"from_parameter": "max_distance_to_cloud_m"}, "pixel_size_m": 300.0}}
    assert graph["s3_score"]["arguments"] == {"data": {"from_node": "s3_distance_score"}, "dimension": "bands",
                                              "source": ["CLOUD_flags"], "target": ["score"]}
    assert fragment.stages == ["s3_flags", "s3_distance_score", "s3_score"]


@pytest.mark.parametrize("stage, kind", [("s2_score", "fraction"), ("s3_score", "binned_flags")])
def test_each_context_holds_exactly_the_keys_its_mask_kind_reads(fragment, params, stage, kind):
    getattr(distance_score, stage)(fragment.pipeline, params, fragment.input("in"))
    context = fragment.pipeline.stages[stage.replace("_score", "_distance_score")].cube.result_node().arguments[
        "context"]
    assert context["mask_kind"] == kind
    assert set(context) == context_keys("distance_score", context)


def test_both_scores_in_one_pipeline(fragment, params):
    grid = fragment.input("grid")
    distance_score.s2_score(fragment.pipeline, params, grid)
    distance_score.s3_score(fragment.pipeline, params, grid)
    assert fragment.stages == ["s2_distance_score", "s2_score", "s3_flags", "s3_distance_score", "s3_score"]
    with pytest.raises(ValueError, match="node name 's2_distance_score' used twice"):
        distance_score.s2_score(fragment.pipeline, params, grid)
