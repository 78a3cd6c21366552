"""Settings, changelog and terminal output (issue 20): URLs are parsed, dates are real dates and
the error names the file given, and ``diff`` never writes a document's control characters raw."""

from __future__ import annotations

import copy
import json

import pytest
from e2e import fixture_udp
from cli_support import UDP, one_line_error

from efast_udp import settings
from efast_udp.cli import main
from efast_udp.errors import SettingsError, UsageError
from efast_udp.site import catalogue


@pytest.mark.parametrize("url, message", [
    ('https://x.org/a"b', "found '\"'"),
    ("https://x.org/a'b", "found \"'\""),
    ("https://x.org/a b", "found ' '"),
    ("https://x.org/\nimport os", "found '\\n'"),
    ("https://x.org/\tx", "found '\\t'"),
    ("https://x.org:99999/x", "Port out of range"),
    ("https://x.org:0/x", "a port from 1 to 65535"),
    ("https://x.org:abc/x", "Port could not be cast"),
    ("https://[::1/", "Invalid IPv6 URL"),
    ("https://u:secret@x.org/", "no user name or password"),
    ("https://x.org/?q=1", "no query or fragment"),
    ("https://x.org/#top", "no query or fragment"),
    ("http://x.org", "scheme https and a host"),
    ("https:///path", "scheme https and a host"),
    ("https://x.org/<script>", "found '<' '>'"),
])
def test_a_bad_base_url_is_refused(url, message, tmp_path, capsys):
    for source in ({"project": {"tool": {"efast-udp": {"base_url": url}}}}, {"environ": {"EFAST_UDP_BASE_URL": url}}):
        with pytest.raises(SettingsError, match="setting 'base_url' must be an https:// URL") as caught:
            settings.Settings.load(**{"project": {}, "environ": {}, **source})
        assert message in str(caught.value)
        assert "\n" not in str(caught.value)


def test_the_environment_base_url_reaches_the_command_as_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EFAST_UDP_BASE_URL", "https://[::1/")
    project = fixture_udp.make_project(tmp_path / "proj")
    assert main(["site", "--udp-dir", str(project / "udp"), "--out", str(tmp_path / "site"),
                 "--changelog", str(project / "CHANGELOG.md")]) == 2
    assert "setting 'base_url' must be an https:// URL (Invalid IPv6 URL)" in one_line_error(capsys, "site")
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("url", ["https://efast-udp.github.io/efast-udp", "https://[::1]:8443/site/",
                                 "https://x.org:443/a/b%20c"])
def test_good_urls_stay(url):
    assert settings.Settings.load(project={}, environ={"EFAST_UDP_BASE_URL": url}).base_url == url.rstrip("/")


@pytest.mark.parametrize("date", ["2026-13-45", "2026-02-30", "2025-00-10", "0000-01-01"])
def test_a_changelog_date_must_be_a_calendar_date(date, tmp_path, capsys):
    project = fixture_udp.make_project(tmp_path / "proj")
    mine = tmp_path / "NOTES.md"
    mine.write_text(f"# Changes\n\n## [0.1.0] - {date}\n\n- first\n", encoding="utf-8")
    assert main(["site", "--udp-dir", str(project / "udp"), "--out", str(tmp_path / "site"),
                 "--changelog", str(mine)]) == 2
    err = one_line_error(capsys, "site")
    assert f"{mine} line 3: '{date}' (for 0.1.0) is not a calendar date; expected YYYY-MM-DD" in err
    assert not (tmp_path / "site").exists()


def test_a_missing_date_names_the_changelog_given(tmp_path, capsys):
    project = fixture_udp.make_project(tmp_path / "proj")
    mine = tmp_path / "NOTES.md"
    mine.write_text("# Changes\n\n## [0.1.0]\n\n- undated\n", encoding="utf-8")
    assert main(["site", "--udp-dir", str(project / "udp"), "--out", str(tmp_path / "site"),
                 "--changelog", str(mine)]) == 2
    assert f"{mine} has no dated entry for 0.1.0" in one_line_error(capsys, "site")


def test_changelog_entries_keep_real_dates():
    entries = catalogue.changelog_entries("## [0.2.0] - 2024-02-29\n## 0.1.0 - 2023-12-31\n", "C.md")
    assert {v: e.date for v, e in entries.items()} == {"0.2.0": "2024-02-29", "0.1.0": "2023-12-31"}
    with pytest.raises(UsageError, match="^C.md line 1: '2023-02-29'"):
        catalogue.changelog_entries("## [0.2.0] - 2023-02-29\n", "C.md")


# --- diff writes no control characters -------------------------------------------------------

HOSTILE_ID = "evil\x1b[2J\x1b]0;title\x07\n--- /etc/passwd\n+++ fake\r\u202egnp.exe\x9b31m"


def hostile_pair(tmp_path):
    old = json.loads(UDP.read_text())
    new = copy.deepcopy(old)
    new["process_graph"][HOSTILE_ID] = {"process_id": "add\x1b[31m", "arguments": {"x\x1b": 1, "y": 2}}
    new["parameters"][0]["name"] = "p\x1b[1m\nq"
    new["summary"] = "s\x1b[5m\x7f"
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return str(tmp_path / "old.json"), str(tmp_path / "new.json")


@pytest.mark.parametrize("mode", [[], ["--stat"], ["--json"], ["--no-udf-code"]])
def test_diff_escapes_control_characters(tmp_path, capsys, mode):
    old, new = hostile_pair(tmp_path)
    assert main(["diff", *mode, old, new]) == 1
    out = capsys.readouterr().out
    raw = [c for c in out if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]
    assert raw == [], mode
    lines = out.splitlines()
    assert sum(line.startswith("--- ") for line in lines) <= 1  # only the real header
    if mode == ["--json"]:
        doc = json.loads(out)
        assert any(n["path"].startswith("evil\x1b[2J\x1b]0;title\x07\n") for n in doc["nodes"]["added"])
    elif not mode:
        assert "+ evil\\x1b[2J\\x1b]0;title\\x07\\n--- ~1etc~1passwd\\n+++ fake\\r\\u202egnp.exe\\x9b31m (add\\x1b[31m)" in out


def test_diff_escapes_control_characters_in_udf_code(tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    new = copy.deepcopy(doc)
    runudf = new["process_graph"]["fused"]["arguments"]["process"]["process_graph"]["runudf1"]
    runudf["arguments"]["udf"] += "# \x1b[8mhidden\x1b[0m\n"
    (tmp_path / "old.json").write_text(json.dumps(doc))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "+# \\x1b[8mhidden\\x1b[0m" in out


def raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]


@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_validate_escapes_control_characters(tmp_path, capsys, mode):
    doc = json.loads(UDP.read_text())
    doc["process_graph"][HOSTILE_ID] = {"process_id": "nope\x1b[2J", "arguments": {}}
    path = tmp_path / "ansi.json"
    path.write_text(json.dumps(doc))
    assert main(["validate", *mode, str(path)]) == 1
    out = capsys.readouterr().out
    assert raw_controls(out) == []
    if not mode:
        assert len(out.splitlines()) == 3  # three findings, one line each: no faked lines
        assert all(line.startswith(f"{path}#/process_graph/evil\\x1b[2J") for line in out.splitlines())
    else:
        assert json.loads(out)[str(path)][0]["pointer"].startswith("/process_graph/evil\x1b[2J\x1b]0;title\x07\n")


def test_error_lines_escape_control_characters(tmp_path, capsys):
    name = str(tmp_path / "x\x1b[31m\n\u202e.json")
    assert main(["validate", name]) == 2
    err = capsys.readouterr().err
    assert raw_controls(err) == [] and len(err.splitlines()) == 1 and "x\\x1b[31m \\u202e.json" in err


def test_run_names_a_foreign_udf_without_raw_escapes():
    from efast_udp import trust

    doc = json.loads(UDP.read_text())
    doc["examples"][0]["arguments"]["hook\x1b[8m"] = {"process_graph": {"e\x1b]0;t\x07": {
        "process_id": "run_udf", "arguments": {"udf": "x = 1\n", "runtime": "Python"}}}}
    with pytest.raises(UsageError) as caught:
        trust.vouch(doc)
    assert raw_controls(str(caught.value)) == [] and "hook\\x1b[8m" in str(caught.value)
    assert all(raw_controls(w) == [] for w in trust.vouch(doc, allow_untrusted=True))
