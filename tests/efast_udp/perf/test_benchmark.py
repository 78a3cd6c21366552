"""``efast-udp bench`` on tiny chunks (efast_udp.perf.benchmark): every kernel agrees with its
reference, and the figures that can be computed from the UDP are exactly those. Speed and memory
are judged by ``make bench``, never here."""

import json
import math

from efast_udp import constants as C
from efast_udp.perf import benchmark, scenarios
from efast_udp.project import LATEST_UDP


def test_kernels_agree_with_their_references_and_the_figures_are_exact(monkeypatch):
    monkeypatch.setattr(scenarios, "SIZE", 16)
    result = benchmark.run_benchmark(runs=5, with_demo=False, backend_periods={})  # calls: perf/test_backend_tiles.py
    json.dumps(result)  # serialisable as is
    assert result["backend_tiles"]["periods"] == {} and result["backend_tiles"]["executor_cores"] == 2
    assert set(result["kernels"]) == {"compositing", "interpolation", "fusion", "distance_score"}
    for name, k in result["kernels"].items():
        assert k["max_abs_diff_vs_reference"] <= 1e-5, name  # float32 kernels vs float64 references
        assert k["runs"] == 5 and k["mpx_per_s"] > 0 and k["peak_mib"] >= 0
        # the ratios are what the figures say they are
        assert math.isclose(k["speedup"], k["mpx_per_s"] / k["reference_mpx_per_s"], rel_tol=0.05, abs_tol=0.05), name
        if k["reference_peak_mib"] >= 1:  # tiny chunks: rounding to 0.1 MiB says nothing below that
            assert math.isclose(k["memory_ratio"], k["peak_mib"] / k["reference_peak_mib"], rel_tol=0.1, abs_tol=0.05)
    assert result["kernels"]["distance_score"]["max_abs_diff_vs_reference"] <= 1e-6  # float32 sqrt of exact distances
    size, overlap = C.DISTANCE_CHUNK_PX, math.ceil(C.MAX_MAX_DISTANCE_TO_CLOUD_M / C.COARSE_PIXEL_SIZE_M) + 1
    default = math.ceil(C.DEFAULT_MAX_DISTANCE_TO_CLOUD_M / C.COARSE_PIXEL_SIZE_M) + 1
    assert result["neighborhood_overhead"] == {
        "read_per_written": round((size + 2 * overlap) ** 2 / size ** 2, 3), "chunk_px": size, "overlap_px": overlap,
        "needed_overlap_px": {"default": default, "max": overlap},
        "needed_read_per_written": {"default": round((size + 2 * default) ** 2 / size ** 2, 3),
                                    "max": round((size + 2 * overlap) ** 2 / size ** 2, 3)},
        "excess": {"default": round((size + 2 * overlap) ** 2 / (size + 2 * default) ** 2, 3), "max": 1.0},
    }
    assert result["neighborhood_overhead"]["read_per_written"] == 2.393 and default == 18  # (128 + 70)² / 128²

    def count(graph):  # written out here, independently of the bench
        n = udf = 0
        for node in graph.values():
            n, udf = n + 1, udf + (node["process_id"] == "run_udf")
            for value in node["arguments"].values():
                if isinstance(value, dict) and "process_graph" in value:
                    sub_n, sub_udf = count(value["process_graph"])
                    n, udf = n + sub_n, udf + sub_udf
        return n, udf

    udp = json.loads(LATEST_UDP.read_text())
    nodes, udfs = count(udp["process_graph"])
    assert result["graph"] == {"nodes": nodes, "top_level_nodes": len(udp["process_graph"]), "run_udf": udfs,
                               "bytes": LATEST_UDP.stat().st_size}
    assert udfs == 6 and result["build_s"] > 0 and result["validate_s"] > 0
    assert set(result["help_s"]) == {"run", "demo", "bench", "build"} and all(v > 0 for v in result["help_s"].values())
