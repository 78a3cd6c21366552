"""SHA-256 digests and ``SHA256SUMS`` files: the one place that hashes what is released (UDP
files, site files, UDF sources on the trust list) and reads and writes the sums files, in the
``sha256sum`` format (``<hex digest>  <relative path>`` per line)."""

from __future__ import annotations

import hashlib
import re
from typing import Callable

from efast_udp.errors import ReleaseError

SUMS_NAME = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def sha256(data: bytes | str) -> str:
    """Hex SHA-256 of ``data`` (text as UTF-8)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def render_sums(entries: dict[str, bytes], order: Callable[[str], object] | None = None) -> str:
    """``SHA256SUMS`` text for ``{relative path: bytes}``, one line per file sorted by ``order``
    of the path (default: the path itself); a ``SHA256SUMS`` entry itself is left out."""
    paths = sorted((rel for rel in entries if rel != SUMS_NAME), key=order)
    return "".join(f"{sha256(entries[rel])}  {rel}\n" for rel in paths)


def parse_sums(text: str, source: str) -> dict[str, str]:
    """``{relative path: hex digest}`` of a ``SHA256SUMS`` text; ``source`` names it in errors."""
    sums = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            m = _LINE.match(line)
            if not m:
                raise ReleaseError(f"{source} line {number} is not '<sha256>  <path>': {line[:80]!r}")
            sums[m.group(2)] = m.group(1)
    return sums
