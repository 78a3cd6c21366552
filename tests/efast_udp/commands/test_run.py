"""``efast-udp run`` as a user meets it: options, ``--params`` files and calls checked before
anything is read or written (one line, exit 2), injected code that never runs, ``--timings``."""

from __future__ import annotations

import json

from cli_support import UDP, one_line_error
from efast_udp.cli import main


def test_a_rerun_with_a_bad_option_leaves_the_previous_outputs_alone(small_scene, small_data, tmp_path, capsys):
    out = tmp_path / "out"
    call = ["run", "--udp", str(UDP), "--data", str(small_data), "--out", str(out), "--quiet", "--no-quicklooks",
            "--no-geotiff", "--param", f"spatial_extent={json.dumps(small_scene.spatial_extent)}",
            "--param", f"temporal_extent={json.dumps(small_scene.temporal_extent)}"]
    assert main(call) == 0
    capsys.readouterr()  # the summary line of the good run (stderr)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for bad in (["--param", "interval_days=-3"], ["--scheduler", "bogus"], ["--workers", "0"], ["--chunk-px", "0"],
                ["--scheduler", "distributed", "--memory-limit", "banana"], ["--param", "interval_days=1e400"]):
        assert main(call + bad) == 2, bad
        one_line_error(capsys, "run")
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before, bad
    assert main(call[:6] + [str(tmp_path / "new")] + call[7:] + ["--param", "interval_days=-3"]) == 2
    assert not (tmp_path / "new").exists()
