"""Text from documents, made safe for a terminal (issue 20).

A node id, a parameter name or a UDF line can hold control characters: ANSI escapes that colour
or clear the terminal or set its title, line breaks that fake a header or a second finding,
bidi overrides that show text reversed. Everything efast-udp prints from a document goes through
one of these functions; nothing else changes (the ``--json`` output keeps every character, as a
JSON escape where the terminal would act on it).
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, and the invisible Unicode format characters (bidi marks and
#: overrides, line and paragraph separators) that change how a terminal shows the rest of a line.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def label(text: object) -> str:
    """A name, a path or a one-line message: every control character escaped (``\\n``, ``\\x1b``)."""
    return CONTROL.sub(lambda m: _escape(m.group(0)), str(text))


def terminal_safe(text: str, keep: str = "\n\t") -> str:
    """Multi-line ``text`` with every control character but those in ``keep`` escaped."""
    return CONTROL.sub(lambda m: m.group(0) if m.group(0) in keep else _escape(m.group(0)), text)


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 and format characters inside its strings as ``\\uXXXX`` escapes
    (the JSON encoder escapes only C0 controls; those never occur raw in its output)."""
    return CONTROL.sub(lambda m: m.group(0) if m.group(0) == "\n" else f"\\u{ord(m.group(0)):04x}", text)
