"""``efast-udp bench`` (``efast_udp.commands.bench``): its options, the refusal of too few rounds,
and what it prints and writes around the benchmark (which is replaced here: see tests of perf/)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from efast_udp import perf
from efast_udp.commands import bench
from efast_udp.perf import RUNS
from efast_udp.project import LATEST_UDP

RESULT = {"kernels": {"fusion": {"mpx_per_s": 1.0}}, "graph": {"nodes": 3}}


def replace_benchmark(monkeypatch, run_benchmark) -> None:
    """``efast_udp.perf.benchmark`` replaced by a module of ``run_benchmark`` and a one-line table
    (the real one imports the whole local executor)."""
    fake = types.ModuleType("efast_udp.perf.benchmark")
    fake.run_benchmark = run_benchmark
    fake.format_table = lambda result: f"TABLE of {sorted(result)}"
    monkeypatch.setitem(sys.modules, "efast_udp.perf.benchmark", fake)
    monkeypatch.setattr(perf, "benchmark", fake, raising=False)


@pytest.fixture
def measured(monkeypatch, checked_udp, recorder):
    """The benchmark replaced: its arguments recorded, RESULT answered."""
    stand_in = recorder(dict(RESULT))
    replace_benchmark(monkeypatch, stand_in)
    return stand_in


def test_defaults(parsed):
    args = parsed("bench")
    assert (args.udp, args.json, args.runs, args.no_demo, args.allow_untrusted_udf) == (LATEST_UDP, None, RUNS,
                                                                                      False, False)
    assert RUNS == 15 and bench.HELP.startswith("Benchmark every UDF")


@pytest.mark.parametrize("runs", ["4", "0", "-5"])
def test_fewer_than_five_rounds_are_refused_before_anything_runs(efast, monkeypatch, not_called, runs):
    replace_benchmark(monkeypatch, not_called)
    from efast_udp.commands import run

    monkeypatch.setattr(run, "checked_udp", not_called)
    outcome = efast("bench", "--runs", runs)
    assert outcome.code == 2 and outcome.out == ""
    assert outcome.error("bench") == f"--runs {runs}: at least 5 rounds are needed for a median and quartiles"


def test_the_table_and_the_json_go_to_stdout(efast, measured, checked_udp):
    outcome = efast("bench", "--runs", "5", "--no-demo", "--udp", "some.json", "--allow-untrusted-udf")
    assert outcome.code == 0 and outcome.err == ""
    table, _, text = outcome.out.partition("\n")
    assert table == "TABLE of ['graph', 'kernels', 'tool']"
    assert json.loads(text) == {"tool": "efast-udp bench", **RESULT} and list(json.loads(text))[0] == "tool"
    assert checked_udp.calls == [((Path("some.json"), True), {})]
    (args, kwargs), = measured.calls
    assert args == (Path("some.json"),)
    assert kwargs == {"runs": 5, "with_demo": False, "udp": {"id": "efast", "source": "some.json", "allow": True},
                      "allow_untrusted": True}


def test_json_file_is_written_and_replaced_only_if_bench_wrote_it(efast, measured, tmp_path):
    target = tmp_path / "bench.json"
    outcome = efast("bench", "--json", target)
    assert outcome.code == 0 and outcome.out == f"TABLE of ['graph', 'kernels', 'tool']\nwrote {target}\n"
    assert json.loads(target.read_text()) == {"tool": "efast-udp bench", **RESULT}
    assert measured.calls[0][1]["with_demo"] is True and measured.calls[0][1]["runs"] == RUNS
    assert efast("bench", "--json", target).code == 0  # its own file: replaced
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"tool": "something else"}')
    outcome = efast("bench", "--json", foreign)
    assert outcome.code == 2 and "the file exists" in outcome.error("bench")
    assert foreign.read_text() == '{"tool": "something else"}' and len(measured.calls) == 2


@pytest.mark.parametrize("content, own", [
    ('{"tool": "efast-udp bench", "kernels": {}}', True),
    ('{"tool": "efast-udp run"}', False),
    ('[{"tool": "efast-udp bench"}]', False),
    ("not json", False),
    (None, False),
])
def test_written_by_bench(tmp_path, content, own):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    assert bench._written_by_bench(path) is own


def test_the_real_udp_is_checked_before_the_benchmark(efast, monkeypatch, not_called, tmp_path):
    replace_benchmark(monkeypatch, not_called)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "efast", "process_graph": {"n": {"process_id": "nope", "arguments": {}}}}))
    outcome = efast("bench", "--udp", bad)
    assert outcome.code == 1 and outcome.err.splitlines()[-1].startswith(
        f"efast-udp bench: error: {bad} is not a valid UDP (")
