"""efast_udp.commands: the argument types the commands share (a file option never takes a
folder name)."""

from __future__ import annotations

import pytest

from efast_udp.cli import main


@pytest.mark.parametrize("argv", [["build", "-o", "out/"], ["run", "--timings", "t/"], ["bench", "--json", "."]])
def test_a_file_option_given_a_folder_name_is_refused(argv, capsys):
    """Path() drops a trailing slash: `build -o keepdir/` wrote a file named keepdir."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "names a folder; give the name of a file" in err, err
