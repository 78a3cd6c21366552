"""``efast_udp.stages.loading``: the two ``load_collection`` nodes, their bands the user's plus the
helper band the graph needs, and the CDSE feature flags."""

from __future__ import annotations

from efast_udp.stages import loading

EXTENTS = {"spatial_extent": {"from_parameter": "spatial_extent"},
           "temporal_extent": {"from_parameter": "temporal_extent"}}


def test_s2_is_its_data_bands_plus_scl_in_128_px_tiles(fragment, params):
    graph = fragment.flat(loading.load_s2(fragment.pipeline, params))
    assert graph == {
        "s2_bands": {"process_id": "array_concat",
                     "arguments": {"array1": {"from_parameter": "s2_data_bands"}, "array2": ["SCL"]}},
        "s2_input": {"process_id": "load_collection", "result": True, "arguments": {
            "bands": {"from_node": "s2_bands"}, "featureflags": {"tilesize": 128}, "id": "SENTINEL2_L2A", **EXTENTS}},
    }
    assert fragment.stages == ["s2_input"]


def test_s3_is_its_data_bands_plus_cloud_flags_binned(fragment, params):
    graph = fragment.flat(loading.load_s3(fragment.pipeline, params))
    assert graph == {
        "s3_bands": {"process_id": "array_concat",
                     "arguments": {"array1": {"from_parameter": "s3_data_bands"}, "array2": ["CLOUD_flags"]}},
        "s3_input": {"process_id": "load_collection", "result": True, "arguments": {
            "bands": {"from_node": "s3_bands"}, "id": "SENTINEL3_SYN_L2_SYN", **EXTENTS,
            "featureflags": {"reprojection_type": "binning", "super_sampling": 2, "flag_band": "CLOUD_flags",
                             "flag_bitmask": 255}}},
    }
    assert fragment.stages == ["s3_input"]


def test_both_collections_in_one_pipeline_keep_their_own_names(fragment, params):
    loading.load_s2(fragment.pipeline, params)
    loading.load_s3(fragment.pipeline, params)
    assert sorted(fragment.pipeline.node_names.values()) == ["s2_bands", "s2_input", "s3_bands", "s3_input"]
    assert fragment.stages == ["s2_input", "s3_input"]
