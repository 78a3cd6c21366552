"""``efast-udp diff`` (``efast_udp.commands.diff``): its own argument checks (``--context``, the
output forms, process definitions with named parameters), its exit codes, and a reader that stops
early. What the diff finds is tested with review/."""

from __future__ import annotations

import argparse
import io
import json
import os

import pytest

from efast_udp.commands import diff
from efast_udp.errors import UsageError


def definition(**fields) -> dict:
    return {"id": "p", "process_graph": {"n": {"process_id": "add", "arguments": {"x": 1}, "result": True}}, **fields}


@pytest.fixture
def pair(tmp_path):
    """Two files: ``p`` and ``p`` with another summary."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(definition(summary="one")))
    new.write_text(json.dumps(definition(summary="two")))
    return str(old), str(new)


@pytest.mark.parametrize("text, lines", [("0", 0), ("3", 3), ("250", 250)])
def test_context_lines(text, lines):
    assert diff._context_lines(text) == lines


@pytest.mark.parametrize("text, message", [("-1", "must be 0 or more"), ("x", "not a number of lines: 'x'"),
                                           ("1.5", "not a number of lines: '1.5'")])
def test_context_lines_refused(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{message}$"):
        diff._context_lines(text)


def test_a_bad_context_is_a_usage_error(efast, pair):
    outcome = efast("diff", "--context", "-2", *pair)
    assert outcome.code == 2 and "argument --context: must be 0 or more" in outcome.err


def test_json_and_stat_exclude_each_other(efast, pair):
    outcome = efast("diff", "--json", "--stat", *pair)
    assert outcome.code == 2 and "argument --stat: not allowed with argument --json" in outcome.err


@pytest.mark.parametrize("mode, first_line", [
    ([], "--- OLD"), (["--stat"], "metadata: 1 field(s) changed (summary)"), (["--json"], "{"),
])
def test_different_documents_exit_1_in_every_form(efast, pair, mode, first_line):
    outcome = efast("diff", *mode, *pair)
    assert (outcome.code, outcome.err) == (1, "")
    assert outcome.out.splitlines()[0] == first_line.replace("OLD", pair[0])


def test_the_same_document_exits_0(efast, pair):
    outcome = efast("diff", "--stat", pair[0], pair[0])
    assert (outcome.code, outcome.out) == (0, "no differences\n")


def test_json_output_is_the_whole_structured_diff(efast, pair):
    report = json.loads(efast("diff", "--json", "--context", "0", *pair).out)
    assert report["metadata"] == [{"path": "/summary", "kind": "changed", "old": "one", "new": "two"}]
    assert report["identical"] is False


def test_process_definition_takes_a_definition_or_the_chosen_entry_of_a_listing():
    doc = definition()
    assert diff.process_definition(doc, "a.json") is doc
    listing = {"processes": [definition(id="a"), definition(id="b")]}
    assert diff.process_definition(listing, "l.json", "b")["id"] == "b"


@pytest.mark.parametrize("parameters", [
    {"a": 1}, "text", [{"name": "a"}, "b"], [{"name": 1}], [{"description": "no name"}], [{"name": "a"}, {"name": "a"}],
])
def test_parameters_without_unique_string_names_are_refused(parameters):
    with pytest.raises(UsageError, match=r"^x\.json is not a process definition \(parameters must be a list of "
                                         r"objects with unique string names\)$"):
        diff.process_definition(definition(parameters=parameters), "x.json")


@pytest.mark.parametrize("parameters", [{}, False, 0, ""])
def test_falsy_parameters_that_are_no_list_are_refused(parameters):
    """They used to pass as "no parameters" (``or []``) and compare as identical to []."""
    with pytest.raises(UsageError, match="parameters must be a list"):
        diff.process_definition(definition(parameters=parameters), "x.json")


def test_no_parameters_at_all_is_a_definition():
    assert diff.process_definition(definition(parameters=[]), "x.json")["parameters"] == []
    assert "parameters" not in diff.process_definition(definition(), "x.json")


class ClosedPipe(io.StringIO):
    """stdout of ``efast-udp diff | head`` after head has gone: writing fails, the descriptor is ``fd``."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        return self.fd


def test_a_reader_that_stops_early_is_no_error(monkeypatch, tmp_path):
    fd = os.open(tmp_path / "stdout", os.O_WRONLY | os.O_CREAT)
    try:
        monkeypatch.setattr("sys.stdout", ClosedPipe(fd))
        diff._write("some text\n")  # no exception
        assert os.path.samestat(os.fstat(fd), os.stat(os.devnull))  # the final flush goes nowhere
    finally:
        os.close(fd)


def test_write_prints_the_text(capsys):
    diff._write("a\nb\n")
    assert capsys.readouterr().out == "a\nb\n"
