"""The ``scale`` section of ``efast-udp bench`` (efast_udp.perf.scale) on small scenes: the
figures are consistent with each other. Speed and memory are judged by ``make bench``, never
here."""

import math

from efast_udp.perf import scale


def test_bench_scale_section_on_small_scenes():
    result = scale.scale_figures(sizes=(60, 90), import_rounds=1)
    assert [r["size_px"] for r in result["runs"]] == [60, 90]
    for run in result["runs"]:
        assert "error" not in run, run
        assert run["wall_s"] > 0 and run["peak_rss_mib"] > 0 and run["cpu_per_wall"] > 0
        assert set(run["phases_s"]) == {"wall_s", "imports_s", "set_up_s", "compute_and_write_s", "writing_s",
                                        "quicklooks_s"}
        phases = run["phases_s"]
        assert phases["writing_s"] <= phases["compute_and_write_s"] <= phases["wall_s"] <= run["wall_s"]
        assert math.isclose(run["writing_share"], phases["writing_s"] / run["wall_s"], abs_tol=0.002)
        assert math.isclose(run["quicklooks_share"], phases["quicklooks_s"] / run["wall_s"], abs_tol=0.002)
        mpx_dates = run["size_px"] ** 2 / 1e6 * 60
        assert math.isclose(run["mib_per_mpx_date"], run["peak_rss_mib"] / mpx_dates, rel_tol=0.01)
    ratio = result["runs"][1]["peak_rss_mib"] / result["runs"][0]["peak_rss_mib"]
    assert math.isclose(result["memory_growth_ratio"], ratio, abs_tol=0.01) and result["pixel_ratio"] == 2.25
    assert result["import_s"] > 0 and result["targets"] == scale.TARGETS
    table = scale.format_table(result)
    assert "memory growth" in table and "imports of run" in table and "CPU/wall" in table
