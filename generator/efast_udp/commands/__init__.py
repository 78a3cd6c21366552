"""One module per command of ``efast-udp`` (``add_arguments``, ``run``, ``HELP``), and the
argument types they share."""

from __future__ import annotations

import argparse
from pathlib import Path


def file_path(text: str) -> Path:
    """argparse type of an option that names a file to write: a path that ends in ``/`` names a
    folder (``Path`` would drop the slash, and the command would write a file of that name)."""
    if text.endswith(("/", "/.")) or text in (".", ".."):
        raise argparse.ArgumentTypeError(f"{text!r} names a folder; give the name of a file")
    return Path(text)
