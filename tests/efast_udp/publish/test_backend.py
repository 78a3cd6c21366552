"""efast_udp.publish.backend: ``efast-udp publish-backend`` talks only to the origin the user
named (https, or http on 127.0.0.1), bounded in time and size, with the retries asked for, and
checks what the back-end stored."""

from __future__ import annotations

import pytest

from cli_support import UDP, one_line_error
from efast_udp.cli import main
from efast_udp.project import ROOT


@pytest.mark.parametrize("argv, message", [
    (["publish-backend", "--url", "https://[::1", "--udp", str(UDP)], "not a URL"),
    (["serve", "--host", "::1", "--dir", str(ROOT)], "only the loopback interface"),
])
def test_malformed_addresses_are_one_line(capsys, argv, message):
    assert main(argv) == 2
    assert message in one_line_error(capsys, argv[0])
