"""The project version, read from the one place it lives: ``pyproject.toml``."""

from __future__ import annotations

import functools
import importlib.metadata
import tomllib
from pathlib import Path

#: The repository root when the package runs from a checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=None)
def pyproject() -> dict:
    """The parsed ``pyproject.toml`` of the checkout, or ``{}`` when installed without one."""
    path = PROJECT_ROOT / "pyproject.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def project_version() -> str:
    """The version of the UDP being rendered (``[project] version`` in pyproject.toml)."""
    version = pyproject().get("project", {}).get("version")
    return version or importlib.metadata.version("efast-udp")
