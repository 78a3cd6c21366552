"""``efast_udp.stages.fusion``: S2 merged with the upsampled low-resolution series, fused band by band
at the target dates (Eq. 2) by one UDF whose pairing and names come from the parameters."""

from __future__ import annotations

from efast_udp.stages import fusion


def test_fusion_merges_s2_first_and_runs_the_fusion_udf_along_t(fragment, params):
    graph = fragment.flat(fusion.fused(fragment.pipeline, params, fragment.input("s2"), fragment.input("lr_fine")))
    assert list(graph) == ["s2", "lr_fine", "fusion_input", "fused"]
    assert graph["fusion_input"] == {"process_id": "merge_cubes", "arguments": {
        "cube1": {"from_node": "s2"}, "cube2": {"from_node": "lr_fine"}}}
    node = graph["fused"]
    assert node.get("result") is True
    arguments = fragment.udf_arguments(node, "apply_dimension", "fusion")
    assert (arguments["data"], arguments["dimension"]) == ({"from_node": "fusion_input"}, "t")
    assert fragment.stages == ["fusion_input", "fused"]


def test_fusion_context_pairs_the_bands_and_carries_the_papers_numbers(fragment, params):
    cube = fusion.fused(fragment.pipeline, params, fragment.input("s2"), fragment.input("lr_fine"))
    assert fragment.flat(cube)["fused"]["arguments"]["context"] == {
        "s2_bands": {"from_parameter": "s2_data_bands"},
        "s3_bands": {"from_parameter": "s3_data_bands"},
        "fused_band_names": {"from_parameter": "fused_band_names"},
        "output_ndvi": {"from_parameter": "output_ndvi"},
        "sigma_days": {"from_parameter": "temporal_score_stddev"},  # the paper's s (Section 2.5)
        "scl_band": "SCL",
        "invalid_scl": [0, 3, 8, 9, 10, 11],
        "scale": 0.0001,
        "units": "digital numbers",
        "units_limit": 5.0,
        "score_band": "score",
        "target_band": "target",
        "ndvi_red": "B04",
        "ndvi_nir": "B8A",
        "ndvi_band": "NDVI",
    }
