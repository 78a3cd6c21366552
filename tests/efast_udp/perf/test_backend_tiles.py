"""The ``backend_tiles`` section of the bench: the tile shapes the back-end hands each UDF node
of the released graph, and one real call in a child. Memory figures are judged by ``make bench``,
never here."""

import json

import numpy as np
import pytest

from efast_udp import constants as C
from efast_udp.perf import backend_tiles as bt
from efast_udp.project import LATEST_UDP


def udp():
    return json.loads(LATEST_UDP.read_text())


def test_tile_edges_follow_the_graph():
    graph = udp()["process_graph"]
    edges = bt.tile_edges(udp())
    size = graph["s3_distance_score"]["arguments"]["size"][0]["value"]
    overlap = graph["s3_distance_score"]["arguments"]["overlap"][0]["value"]
    assert edges["s3_distance_score"] == size + 2 * overlap == C.DISTANCE_CHUNK_PX + 2 * 35
    assert edges["s3_smoothed"] == C.SMOOTHING_CHUNK_PX + 2 * C.SMOOTHING_OVERLAP_PX
    assert edges["fused"] == edges["lr_series"] == edges["s3_composite"] == C.S2_TILE_PX
    assert set(edges) == {"s3_distance_score", "s2_distance_score", "s3_smoothed", "s3_composite", "lr_series",
                          "fused"}


def test_label_rates_and_times():
    s3 = bt._labels(81, C.S3_LABELS_PER_DAY, bt.S3_TIMES)
    assert len(s3) == int(np.ceil(81 * C.S3_LABELS_PER_DAY))
    assert (np.diff(s3) > np.timedelta64(0)).all()  # unique, sorted
    days = s3.astype("datetime64[D]")
    assert days.max() - days.min() <= np.timedelta64(80, "D")
    s2 = bt._labels(81, C.S2_LABELS_PER_DAY, bt.S2_TIMES)
    assert len(s2) == 33 and str(s2[0]).startswith("2022-08-01T11:26")


def test_fused_tile_holds_s2_only_at_s2_labels():
    spec = bt.tile_spec("fused", 10, 8)
    values = bt._fill(spec, np.random.default_rng(1))
    assert values.shape == (len(spec["labels"]), 11, 8, 8) and values.dtype == np.float32
    s2 = np.isin(np.array(spec["labels"], "datetime64[ns]"), np.array(spec["s2_labels"], "datetime64[ns]"))
    assert np.isnan(values[~s2, 0]).all() and np.isfinite(values[s2, 0]).all()
    assert np.isfinite(values[:, 5:9]).all()  # the Sentinel-3 series at every label
    assert np.nanmedian(values[:, 0]) > C.UNITS_MEDIAN_LIMIT > np.nanmedian(values[:, 5])  # S2 DN, S3 reflectance


def test_one_call_in_a_child_reports_its_shape_and_memory():
    code, context = bt.contexts(udp(), 6)["s3_distance_score"]
    spec = bt.tile_spec("s3_distance_score", 6, 24)
    figures = bt.measure_call(code, context, spec)
    assert "error" not in figures, figures
    assert figures["labels"] == len(spec["labels"]) == 15 and figures["edge_px"] == 24
    assert figures["output_shape"][0] == 15 and figures["output_shape"][2:] == [24, 24]
    assert figures["vm_peak_mib"] >= figures["peak_rss_mib"] > 0


@pytest.mark.parametrize("node_id", ["s3_distance_score", "s2_distance_score", "s3_composite", "s3_smoothed",
                                     "lr_series", "fused"])
def test_every_udf_on_a_back_end_shaped_tile_keeps_shape_and_declared_bands(node_id):
    """Through run_udf_code, on exactly the tile the back-end hands the node (size + 2 x overlap,
    or one layout tile), float32 (t, bands, y, x), minute labels two or three a day (6 days): the
    spatial shape is kept, and the bands are those apply_metadata declares (what the back-end
    names the result by)."""
    code, context = bt.contexts(udp(), 6)[node_id]
    edge = bt.tile_edges(udp())[node_id]
    spec = bt.tile_spec(node_id, 6, edge)
    figures = bt.measure_call(code, context, spec)
    assert "error" not in figures, figures
    assert figures["output_shape"][2:] == [edge, edge] and figures["output_labels"] >= 1
    if figures["declared_bands"] is not None:
        assert figures["output_bands"] == figures["declared_bands"]
    else:
        assert len(figures["output_bands"]) == len(spec["bands"])


def test_python_memory_parsing():
    assert bt._mib("2G") == 2048 and bt._mib("512m") == 512 and bt._mib("1T") == 1024 ** 2
    assert bt._mib("nonsense") == 0
