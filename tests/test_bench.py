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


def test_bench_scale_section_on_small_scenes():
    from efast_udp.local import bench_scale
    result = bench_scale.scale_figures(sizes=(60, 90))
    assert [r["size_px"] for r in result["runs"]] == [60, 90]
    for run in result["runs"]:
        assert "error" not in run, run
        assert run["wall_s"] > 0 and run["peak_rss_mib"] > 100 and run["mib_per_mpx_date"] > 0
    assert result["memory_growth_ratio"] > 0 and result["pixel_ratio"] == 2.25
    assert "memory growth" in bench_scale.format_table(result)
