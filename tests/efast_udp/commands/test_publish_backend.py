"""``efast-udp publish-backend``'s options: ``--timeout`` and ``--retries`` are bounded."""

from __future__ import annotations

import pytest

from cli_support import one_line_error, publish


@pytest.mark.parametrize("option, value, message", [
    ("--timeout", "0", "expected seconds from 1 to 600"), ("--timeout", "nan", "expected seconds from 1 to 600"),
    ("--timeout", "1e9", "expected seconds from 1 to 600"), ("--retries", "-1", "from 0 to 10"),
    ("--retries", "1000", "from 0 to 10"),
])
def test_publish_backend_bounds_its_options(option, value, message, capsys):
    assert publish("http://127.0.0.1:9", option, value) == 2
    assert message in one_line_error(capsys, "publish-backend")
