"""``efast_udp.perf.figures``: the figures of the benchmark beside the kernels, on hand-made graphs,
with the subprocesses and the clock replaced so that every figure is exact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from efast_udp.perf import figures


def neighbourhood_udp(size: int, overlap: int) -> dict:
    side = lambda v: [{"dimension": "x", "value": v, "unit": "px"}, {"dimension": "y", "value": v, "unit": "px"}]
    return {"process_graph": {"s2_distance_score": {"process_id": "apply_neighborhood",
                                                    "arguments": {"size": side(size), "overlap": side(overlap)}}}}


def test_neighbourhood_overhead_of_a_static_overlap():
    result = figures.neighbourhood_overhead(neighbourhood_udp(100, 35))
    # default 5000 m: ⌈16.7⌉ + 1 = 18 px; largest 10000 m: ⌈33.3⌉ + 1 = 35 px
    assert result == {
        "read_per_written": 2.89, "chunk_px": 100, "overlap_px": 35,
        "needed_overlap_px": {"default": 18, "max": 35},
        "needed_read_per_written": {"default": 1.85, "max": 2.89},  # 136² / 100² = 1.8496
        "excess": {"default": 1.563, "max": 1.0},  # 2.89 / 1.8496 = 1.56250...
    }


def test_an_overlap_below_the_need_reads_less_than_needed():
    result = figures.neighbourhood_overhead(neighbourhood_udp(50, 0))
    assert result["read_per_written"] == 1.0 and result["excess"]["max"] == round(50 ** 2 / 120 ** 2, 3) == 0.174


def test_graph_figures_count_callback_nodes_and_the_files_bytes(tmp_path):
    udf = {"process_id": "run_udf", "arguments": {"udf": "x", "runtime": "Python"}, "result": True}
    udp = {"process_graph": {
        "load": {"process_id": "load_collection", "arguments": {}},
        "a": {"process_id": "apply", "arguments": {"process": {"process_graph": {
            "u": udf, "n": {"process_id": "apply", "arguments": {"process": {"process_graph": {"v": udf}}}}}}}},
        "top": udf}}
    path = tmp_path / "udp.json"
    path.write_text(json.dumps(udp))
    assert figures.graph_figures(udp, path) == {"nodes": 6, "top_level_nodes": 3, "run_udf": 3,
                                                "bytes": len(json.dumps(udp))}


class FakeRun:
    """``subprocess.run`` that records the commands and answers with ``codes`` in turn."""

    def __init__(self, *codes: int, stderr: str = "", then=None):
        self.codes, self.stderr, self.then, self.calls = list(codes), stderr, then, []

    def __call__(self, args, **kwargs):
        self.calls.append((args, kwargs))
        if self.then:
            self.then(args)
        return SimpleNamespace(returncode=self.codes.pop(0), stdout="", stderr=self.stderr)


@pytest.fixture
def clock(monkeypatch):
    """time.perf_counter giving 0, 1 | 10, 12 | 20, 26 ...: calls of 1, 2, 6 s (median 2, mean 3)."""
    ticks = iter([0.0, 1.0, 10.0, 12.0, 20.0, 26.0, 30.0, 30.5])
    monkeypatch.setattr(figures.time, "perf_counter", lambda: next(ticks))


def test_command_seconds_is_the_median_of_the_runs(monkeypatch, clock):
    run = FakeRun(0, 0, 0)
    monkeypatch.setattr(figures.subprocess, "run", run)
    assert figures.command_seconds(["run", "--help"], runs=3) == 2.0
    assert [args for args, _ in run.calls] == [[sys.executable, "-m", "efast_udp", "run", "--help"]] * 3
    assert run.calls[0][1] == {"capture_output": True, "text": True, "timeout": 600}


def test_command_seconds_of_a_failing_command_is_none_after_one_run(monkeypatch, clock):
    run = FakeRun(2)
    monkeypatch.setattr(figures.subprocess, "run", run)
    assert figures.command_seconds(["nope"]) is None and len(run.calls) == 1


def test_command_seconds_of_the_real_command():
    seconds = figures.command_seconds(["--version"], runs=1)
    assert isinstance(seconds, float) and seconds == round(seconds, 3)
    assert figures.command_seconds(["no-such-command"], runs=1) is None


def demo_writes(metrics: dict | None):
    def write(args):
        out = Path(args[args.index("--out") + 1])
        if metrics is not None:
            (out / "metrics.json").write_text(json.dumps(metrics))
    return write


def test_demo_figures_are_the_demos_own(monkeypatch):
    run = FakeRun(0, then=demo_writes({"wall_s": 12.5, "peak_mib": 900.1, "rmse": {}}))
    monkeypatch.setattr(figures.subprocess, "run", run)
    assert figures.demo_figures(["--udp", "u.json", "--allow-untrusted-udf"]) == {"wall_s": 12.5, "peak_mib": 900.1}
    (args, kwargs), = run.calls
    assert args[:5] == [sys.executable, "-m", "efast_udp", "demo", "--out"]
    assert args[6:] == ["--quiet", "--udp", "u.json", "--allow-untrusted-udf"] and kwargs["timeout"] == 1800
    assert not Path(args[5]).exists()  # the temporary folder is gone


@pytest.mark.parametrize("code, stderr, metrics, error", [
    (2, "warning\nefast-udp demo: error: bad size\n", None, "efast-udp demo: error: bad size"),
    (1, "", None, "?"),
    (0, "", None, "?"),  # exit 0 but no metrics.json
])
def test_a_failed_demo_says_why(monkeypatch, code, stderr, metrics, error):
    monkeypatch.setattr(figures.subprocess, "run", FakeRun(code, stderr=stderr, then=demo_writes(metrics)))
    assert figures.demo_figures([]) == {"wall_s": None, "peak_mib": None, "error": error}


def fake_cpuinfo(monkeypatch, text: str | None):
    def read_text(self):
        if text is None:
            raise PermissionError("no")
        return text
    monkeypatch.setattr(figures, "Path", lambda p: SimpleNamespace(read_text=read_text.__get__(p)))


def test_cpu_identity_of_the_first_processor(monkeypatch):
    fake_cpuinfo(monkeypatch, "processor\t: 0\ncpu family\t: 23\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7571\n\n"
                              "processor\t: 1\ncpu family\t: 99\nmodel\t\t: 9\nmodel name\t: other\n")
    assert figures.cpu_identity() == "AMD EPYC 7571 (family 23, model 1)"


@pytest.mark.parametrize("text, identity", [
    ("model name\t: ARM thing\n", "ARM thing (family ?, model ?)"),
    ("processor\t: 0\nFeatures\t: fp\n", None),
    (None, None),
])
def test_cpu_identity_without_the_usual_fields(monkeypatch, text, identity):
    fake_cpuinfo(monkeypatch, text)
    assert figures.cpu_identity() == identity
