"""``efast-udp build`` (``efast_udp.commands.build``): the stage list, the options that need ``-o``,
what it says about udp/, and a debugging render to a file with its settings applied.

``efast-udp build``: bad settings, options that need ``-o FILE`` and refused builds end
with one line and exit 2 (and create nothing); ``--list-intermediates``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from efast_udp import release
from efast_udp.cli import main
from efast_udp.project import ROOT
from efast_udp.settings import Settings
from efast_udp.udp import intermediates

from cli_support import one_line_error


def test_list_intermediates_prints_every_stage_and_its_description(efast, monkeypatch, not_called):
    monkeypatch.setattr(release, "write", not_called)
    outcome = efast("build", "--list-intermediates")
    assert outcome.code == 0 and outcome.err == ""
    stages = intermediates()
    assert outcome.out.splitlines() == [f"{name:22s} {description}" for name, description in stages]
    assert [name for name, _ in stages][:2] == ["s2_input", "s2_scl"] and stages[-1][0] == "fused"
    assert len(stages) == 20


@pytest.mark.parametrize("option", [["--until", "s2_input"], ["--set", "interval_days=3"],
                                    ["--base-url", "https://example.org/x"], ["--force"]])
def test_debugging_options_need_an_output_file(efast, monkeypatch, not_called, option):
    monkeypatch.setattr(release, "write", not_called)
    outcome = efast("build", *option)
    assert outcome.code == 2 and outcome.error("build") == (
        "--until, --set, --base-url and --force need -o FILE (udp/ holds only the published render)")


def test_an_up_to_date_udp_dir_is_said_to_be(efast, monkeypatch, recorder):
    write = recorder([])
    monkeypatch.setattr(release, "write", write)
    outcome = efast("build")
    assert (outcome.code, outcome.out) == (0, "udp/ is up to date\n")
    (args, kwargs), = write.calls
    assert isinstance(args[0], Settings) and args[0] == Settings.load() and kwargs == {}


def test_written_files_are_named_relative_to_the_checkout(efast, monkeypatch, recorder, tmp_path):
    monkeypatch.setattr(release, "write", recorder([ROOT / "udp" / "efast.json", tmp_path / "elsewhere.json"]))
    outcome = efast("build")
    assert outcome.code == 0 and outcome.out == f"wrote udp/efast.json\nwrote {tmp_path / 'elsewhere.json'}\n"


def test_a_render_to_a_file_takes_the_settings_and_the_cut(efast, monkeypatch, not_called, tmp_path):
    monkeypatch.setattr(release, "write", not_called)
    target = tmp_path / "debug" / "efast.json"
    outcome = efast("build", "-o", target, "--set", "interval_days=5", "--set", "output_ndvi=true",
                    "--base-url", "https://example.org/site", "--until", "s3_composite")
    assert (outcome.code, outcome.out, outcome.err) == (0, f"wrote {target}\n", "")
    doc = json.loads(target.read_text())
    defaults = {p["name"]: p.get("default") for p in doc["parameters"]}
    assert defaults["interval_days"] == 5 and defaults["output_ndvi"] is True
    assert [n for n, node in doc["process_graph"].items() if node.get("result")] == ["s3_composite"]
    assert {link["rel"]: link["href"] for link in doc["links"]}["latest-version"] == \
        "https://example.org/site/efast.json"


def test_an_existing_output_needs_force(efast, tmp_path):
    target = tmp_path / "x.json"
    target.write_text("keep")
    outcome = efast("build", "-o", target)
    assert outcome.code == 2 and "the file exists" in outcome.error("build") and target.read_text() == "keep"
    assert efast("build", "-o", target, "--force").code == 0
    assert json.loads(target.read_text())["id"] == "efast"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "efast_udp", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["--set", "s2_data_bands=B02,B99"], '"B99" is not one of'),
    (["--set", "interval_days=-2"], "interval_days"),
    (["--base-url", "http://example.org/efast"], "must be an https:// URL"),
    (["--set", "no_such_parameter=1"], "unknown parameter"),
    (["--until", "no_such_stage"], "unknown intermediate"),
])
def test_bad_generator_settings_fail_with_one_line_and_exit_2(tmp_path, args, message):
    result = run_cli("build", *args, "-o", str(tmp_path / "x.json"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_list_intermediates_names_every_stage():
    result = run_cli("build", "--list-intermediates")
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert result.returncode == 0
    assert names[0] == "s2_input" and names[-1] == "fused" and "s3_composite" in names and "lr_series" in names


def test_build_refuses_options_that_need_an_output(capsys):
    assert main(["build", "--until", "s3_composite"]) == 2
    assert "need -o FILE" in one_line_error(capsys, "build")


def test_a_refused_build_creates_no_folders(tmp_path, capsys):
    assert main(["build", "--set", "no_such=1", "-o", str(tmp_path / "a" / "b.json")]) == 2
    one_line_error(capsys, "build")
    assert not (tmp_path / "a").exists()
