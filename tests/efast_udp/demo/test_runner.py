"""The demo end to end on a small scene (efast_udp.demo.runner): metrics, quicklooks and the
site's figures, with the recorded error figures (tests/test_same_results.py)."""

import json

from efast_udp.demo.runner import run_demo
from results_record import DEMO, close, load_record


def test_demo_writes_metrics_and_quicklooks(tmp_path):
    from pathlib import Path
    udp = Path(__file__).parents[3] / "udp" / "efast.json"
    report = run_demo(tmp_path, udp, show_progress=False, quicklooks_too=True, **DEMO)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert set(saved) >= {"rmse", "oracle_max_abs_diff", "wall_s", "peak_mib"}
    assert set(saved["rmse"]) == {"all", "gap"} and set(saved["rmse"]["gap"]) == {"efast", "s2_only"}
    assert report["oracle_max_abs_diff"] < 1e-4
    assert report["rmse"]["gap"]["efast"] < report["rmse"]["gap"]["s2_only"]
    # Sentinel-3 in CDSE's units counts: EFAST at most half the S2-only error inside the gap
    assert report["rmse"]["gap"]["efast"] <= 0.5 * report["rmse"]["gap"]["s2_only"], report["rmse"]
    # the numbers do not move (test_same_results): the errors equal the recorded ones within 1e-6
    assert not close({"rmse": report["rmse"]}, load_record()["demo"], "demo")
    assert len(list((tmp_path / "quicklooks").glob("*.png"))) == 10
    site = sorted(p.name for p in (tmp_path / "site").iterdir())  # the site's figure and thumbnail
    assert site == ["efast-demo.png", "thumbnail.png"]
    assert all(b"matplotlib" not in (tmp_path / "site" / name).read_bytes() for name in site)
