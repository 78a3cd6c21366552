"""What counts as CI, in one place, and what a test does when a tool it needs is missing."""

from __future__ import annotations

import os

import pytest

TRUE_VALUES = ("1", "true", "yes")


def in_ci() -> bool:
    """True when the environment variable ``CI`` says so (``true``, ``1`` or ``yes``)."""
    return os.environ.get("CI", "").strip().lower() in TRUE_VALUES


def unavailable(reason: str):
    """Skip (locally) or fail (under CI) a test that cannot run here."""
    if in_ci():
        pytest.fail(f"{reason} -- CI is set, so this test must run", pytrace=False)
    pytest.skip(reason)
