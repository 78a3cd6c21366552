"""``efast-udp site`` (``efast_udp.commands.site``): its options, the settings it renders with, and
its one-line summary (the rendering is replaced here; the site itself is tested with site/)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from efast_udp.project import CHANGELOG, PUBLIC_DIR, UDP_DIR
from efast_udp.settings import DEFAULT_BACKEND_URL
from efast_udp.site import build


def rendered(*versions: str, drafts=()):
    releases = [SimpleNamespace(version=v) for v in versions]
    return SimpleNamespace(files={"a": b"", "b": b"", "c": b""}, releases=releases, latest=releases[-1],
                           drafts=frozenset(drafts))


@pytest.fixture
def builds(monkeypatch, recorder):
    def stand_in(site):
        recording = recorder(site)
        monkeypatch.setattr(build, "build", recording)
        return recording
    return stand_in


def test_defaults(parsed):
    args = parsed("site")
    assert (args.udp_dir, args.out, args.changelog, args.backend_url, args.previous_sums) == (
        UDP_DIR, PUBLIC_DIR, CHANGELOG, None, [])


def test_the_site_is_rendered_with_the_options_given(efast, builds, tmp_path):
    recording = builds(rendered("0.1.0", "0.2.0"))
    outcome = efast("site", "--udp-dir", tmp_path / "udp", "--out", tmp_path / "out", "--changelog", tmp_path / "C.md",
                    "--backend-url", "https://openeo.example.org", "--previous-sums", tmp_path / "s1",
                    "--previous-sums", tmp_path / "s2")
    assert (outcome.code, outcome.out) == (0, "")
    assert outcome.err == f"wrote {tmp_path / 'out'} (3 files; versions 0.1.0, 0.2.0; latest 0.2.0)\n"
    (), kwargs = recording.calls[0]
    assert kwargs["settings"].backend_url == "https://openeo.example.org"
    assert {k: v for k, v in kwargs.items() if k != "settings"} == {
        "udp_dir": tmp_path / "udp", "out_dir": tmp_path / "out", "changelog": tmp_path / "C.md",
        "previous_sums": [tmp_path / "s1", tmp_path / "s2"]}


def test_drafts_are_named_in_order(efast, builds, tmp_path):
    recording = builds(rendered("0.4.0", drafts=("0.4.0/efast.json", "0.4.0/processes.json", "0.3.9/x")))
    outcome = efast("site", "--out", tmp_path / "out")
    assert outcome.code == 0 and outcome.err == (
        f"wrote {tmp_path / 'out'} (3 files; versions 0.4.0; latest 0.4.0; draft (not committed yet): "
        "0.3.9/x, 0.4.0/efast.json, 0.4.0/processes.json)\n")
    assert recording.calls[0][1]["settings"].backend_url == DEFAULT_BACKEND_URL


def test_a_back_end_url_that_is_not_https_is_refused_before_rendering(efast, monkeypatch, not_called, tmp_path):
    monkeypatch.setattr(build, "build", not_called)
    outcome = efast("site", "--out", tmp_path / "out", "--backend-url", "http://openeo.example.org")
    assert outcome.code == 2 and not (tmp_path / "out").exists()
    assert outcome.error("site") == ("setting 'backend_url' must be an https:// URL (scheme https and a host), "
                                     "got 'http://openeo.example.org'")
