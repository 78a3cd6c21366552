"""efast_udp.project: a broken pyproject.toml is one line."""

from __future__ import annotations

import pytest

from efast_udp import project
from efast_udp.errors import SettingsError


def test_pyproject_syntax_error_is_one_line(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[project\nversion = 1\n")
    with pytest.raises(SettingsError, match="pyproject.toml is not valid TOML"):
        project.pyproject(path)
    path.write_text('[project]\nversion = 1\n')
    project.pyproject.cache_clear()
