"""The suite's own rules: what counts as CI is decided in one place, and under CI nothing may be
skipped (a skipped browser or back-end test would be a check that silently did not run)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ci import in_ci

TESTS = Path(__file__).parent


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("YES", True), ("", False), ("false", False),
                                             ("0", False)])
def test_what_counts_as_ci(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


@pytest.mark.parametrize("ci, outcome", [("true", "1 failed"), ("", "1 skipped")])
def test_a_skip_fails_under_ci(tmp_path, ci, outcome):
    (tmp_path / "conftest.py").write_text((TESTS / "conftest.py").read_text())
    (tmp_path / "ci.py").write_text((TESTS / "ci.py").read_text())
    (tmp_path / "test_skipping.py").write_text(textwrap.dedent('''
        import pytest

        def test_needs_a_browser():
            pytest.skip("chromium is not installed")
    '''))
    env = {"PATH": "/usr/bin:/bin", "CI": ci}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert outcome in result.stdout, result.stdout
    if ci:
        assert "skipped under CI, which must run every test: Skipped: chromium is not installed" in result.stdout
