"""``efast_udp.stages.interpolation``: the composites at the S2 and target dates (the S2 score tells
the UDF the S2 dates), then upsampled bilinearly onto the S2 grid."""

from __future__ import annotations

from efast_udp.stages import interpolation


def test_target_band_name():
    assert interpolation.TARGET_BAND == "target"


def test_lr_series_interpolates_the_smoothed_composites_at_the_s2_and_target_dates(fragment, params):
    cube = interpolation.lr_series(fragment.pipeline, params, fragment.input("smoothed"), fragment.input("s2_score"))
    graph = fragment.flat(cube)
    assert list(graph) == ["smoothed", "s2_score", "lr_input", "lr_series"]
    assert graph["lr_input"] == {"process_id": "merge_cubes", "arguments": {
        "cube1": {"from_node": "smoothed"}, "cube2": {"from_node": "s2_score"}}}
    node = graph["lr_series"]
    assert node.get("result") is True
    assert fragment.udf_arguments(node, "apply_dimension", "interpolation") == {
        "data": {"from_node": "lr_input"}, "dimension": "t",
        "context": {name: {"from_parameter": name}
                    for name in ("temporal_extent", "temporal_extent_target", "interval_days", "target_time_series")}
        | {"score_band": "score", "target_band": "target"}}
    assert fragment.stages == ["lr_input", "lr_series"]


def test_lr_on_s2_grid_is_bilinear_onto_the_s2_input(fragment):
    cube = interpolation.lr_on_s2_grid(fragment.pipeline, fragment.input("lr"), fragment.input("s2"))
    assert fragment.flat(cube)["lr_fine"] == {"process_id": "resample_cube_spatial", "result": True, "arguments": {
        "data": {"from_node": "lr"}, "method": "bilinear", "target": {"from_node": "s2"}}}
    assert fragment.stages == ["lr_fine"]
