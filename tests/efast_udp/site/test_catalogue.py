"""efast_udp.site.catalogue: the changelog's release dates are real calendar dates, and an
error names the changelog and the line."""

from __future__ import annotations

import pytest

from cli_support import one_line_error
from e2e import fixture_udp
from efast_udp.cli import main
from efast_udp.errors import UsageError
from efast_udp.site import catalogue


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


def test_changelog_entries_keep_real_dates():
    entries = catalogue.changelog_entries("## [0.2.0] - 2024-02-29\n## 0.1.0 - 2023-12-31\n", "C.md")
    assert {v: e.date for v, e in entries.items()} == {"0.2.0": "2024-02-29", "0.1.0": "2023-12-31"}
    with pytest.raises(UsageError, match="^C.md line 1: '2023-02-29'"):
        catalogue.changelog_entries("## [0.2.0] - 2023-02-29\n", "C.md")
