"""``efast-udp bench`` on tiny chunks: the JSON has the agreed keys and the kernels agree with
their references. Speed and memory are judged by ``make bench``, never here."""

import json

from efast_udp import bench


def test_bench_json_shape_and_compositing_agreement(monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "SIZE", 16)
    result = bench.run_benchmark(runs=1, with_demo=False)
    json.dumps(result)  # serialisable as is
    assert set(result["kernels"]) == {"compositing", "interpolation", "fusion", "distance_score"}
    for figures in result["kernels"].values():
        assert {"mpx_per_s", "median_s", "peak_mib", "reference_mpx_per_s", "reference_peak_mib", "speedup",
                "memory_ratio"} <= set(figures)
        assert figures["mpx_per_s"] > 0 and figures["peak_mib"] >= 0
    assert result["kernels"]["compositing"]["max_abs_diff_vs_reference"] <= 1e-5
    assert set(result["neighborhood_overhead"]) >= {"default", "max"}
    assert {"nodes", "run_udf", "bytes"} <= set(result["graph"]) and result["graph"]["run_udf"] == 6
    assert result["build_s"] > 0 and result["validate_s"] > 0
    assert set(result["demo"]) >= {"wall_s", "peak_mib"}
