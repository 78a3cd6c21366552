"""efast_udp.settings (issue 20): every bad value, unknown key or wrong type fails with one
line that names the setting; URLs are parsed, https only."""

from __future__ import annotations

import pytest

from efast_udp import settings
from efast_udp.errors import SettingsError


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
