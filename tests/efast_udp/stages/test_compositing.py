"""``efast_udp.stages.compositing``: the S3 composites over all of ``temporal_extent`` (score first in
the merge) and their NaN-aware 5 x 5 Gaussian smoothing."""

from __future__ import annotations

from efast_udp.stages import compositing


def test_composites_of_the_scored_reflectance_bands(fragment, params):
    cube = compositing.s3_composites(fragment.pipeline, params, fragment.input("s3_coarse"), fragment.input("score"))
    graph = fragment.flat(cube)
    assert list(graph) == ["score", "s3_coarse", "s3_data", "s3_scored", "s3_composite"]
    assert graph["s3_data"] == {"process_id": "filter_bands", "arguments": {
        "bands": {"from_parameter": "s3_data_bands"}, "data": {"from_node": "s3_coarse"}}}
    # the score first: merge_cubes keeps the first cube's layout (the neighbourhood's 128 px tiles)
    assert graph["s3_scored"] == {"process_id": "merge_cubes", "arguments": {
        "cube1": {"from_node": "score"}, "cube2": {"from_node": "s3_data"}}}
    node = graph["s3_composite"]
    assert node.get("result") is True
    assert fragment.udf_arguments(node, "apply_dimension", "compositing") == {
        "data": {"from_node": "s3_scored"}, "dimension": "t",
        "context": {"temporal_extent": {"from_parameter": "temporal_extent"},
                    "interval_days": {"from_parameter": "interval_days"},
                    "sigma_days": {"from_parameter": "s3_temporal_score_stddev"},
                    "score_band": "score", "units": "reflectance", "units_limit": 5.0,
                    "max_temporal_extent_days": 184}}
    assert fragment.stages == ["s3_data", "s3_scored", "s3_composite"]


def test_smoothing_is_a_5x5_gaussian_of_sigma_1_in_128_px_chunks(fragment):
    graph = fragment.flat(compositing.smoothed(fragment.pipeline, fragment.input("composites")))
    node = graph["s3_smoothed"]
    assert node.get("result") is True
    assert fragment.udf_arguments(node, "apply_neighborhood", "smoothing") == {
        "data": {"from_node": "composites"},
        "size": [{"dimension": "x", "value": 128, "unit": "px"}, {"dimension": "y", "value": 128, "unit": "px"}],
        # the kernel's half-width: what a 5 x 5 kernel reads beyond a chunk
        "overlap": [{"dimension": "x", "value": 2, "unit": "px"}, {"dimension": "y", "value": 2, "unit": "px"}],
        "context": {"kernel_size": 5, "sigma_px": 1.0}}
    assert fragment.stages == ["s3_smoothed"]
