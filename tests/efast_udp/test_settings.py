"""efast_udp.settings (issue 20): every bad value, unknown key or wrong type fails with one
line that names the setting; URLs are parsed, https only."""

from __future__ import annotations

import pytest

from cli_support import one_line_error
from e2e import fixture_udp
from efast_udp import settings
from efast_udp.cli import main
from efast_udp.errors import EfastUdpError, SettingsError
from efast_udp.settings import Settings


@pytest.mark.parametrize("project_doc, message", [
    ({"tool": {"efast-udp": {"base_ur": "https://x.org"}}}, "unknown setting 'base_ur'"),
    ({"tool": {"efast-udp": {"defaults": 5}}}, "defaults must be a table"),
    ({"tool": {"efast-udp": {"base_url": 5}}}, "base_url must be an https URL"),
    ({"tool": {"efast-udp": 5}}, "must be a table"),
    ({"tool": {"efast-udp": {"defaults": {"interval_days": 0}}}}, "interval_days"),
    ({"tool": {"efast-udp": {"defaults": {"fused_band_names": ["a", "a"]}}}}, "must be unique"),
])
def test_bad_settings_name_the_setting(project_doc, message):
    with pytest.raises(SettingsError, match=message):
        settings.Settings.load(project=project_doc)


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


def test_settings_require_https():
    with pytest.raises(EfastUdpError, match="base_url.*https"):
        Settings.load(base_url="http://example.org/efast")
    with pytest.raises(EfastUdpError, match="backend_url.*https"):
        Settings.load(project={"tool": {"efast-udp": {"backend_url": "ftp://x"}}})
