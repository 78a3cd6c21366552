"""Shared helpers of the site's tests: the hand-made fixture project (``e2e.fixture_udp``, three
releases) as a fixture, and ``efast-udp site`` run on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e import fixture_udp
from efast_udp.cli import main

BASE = fixture_udp.BASE_URL
VERSIONS = ("0.1.0", "0.2.0", "0.10.0")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_udp.make_project(tmp_path / "proj", VERSIONS)


def run_site(project: Path, out: Path | None = None, *extra: str) -> int:
    """``efast-udp site`` on the fixture project."""
    out = out or project / "public"
    return main(["site", "--udp-dir", str(project / "udp"), "--out", str(out), "--changelog",
                 str(project / "CHANGELOG.md"), *extra])
