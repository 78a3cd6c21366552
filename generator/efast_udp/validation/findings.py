"""What a check reports: one :class:`Finding` per problem, located by a JSON pointer."""

from __future__ import annotations

import json
from dataclasses import dataclass

from efast_udp.pointers import MISSING
from efast_udp.terminal import label

#: How many characters of a found value a finding shows.
_FOUND_WIDTH = 80


@dataclass(frozen=True)
class Finding:
    """One problem in a UDP document.

    ``pointer`` is an RFC 6901 JSON pointer into the document (``""`` is the whole document),
    ``found`` a short rendering of what is there, ``expected`` what a valid document has there,
    ``message`` one sentence for a person, and ``code`` a stable identifier of the check.
    """

    code: str
    pointer: str
    found: str
    expected: str
    message: str

    def as_dict(self) -> dict:
        """The finding as a JSON-serialisable dict."""
        return {
            "code": self.code,
            "pointer": self.pointer,
            "found": self.found,
            "expected": self.expected,
            "message": self.message,
        }

    def format(self, filename: str | None = None) -> str:
        """One line for a terminal: ``file#pointer: [code] message (found ...; expected ...)``."""
        where = f"{filename or ''}#{self.pointer}"
        # label: a node id may hold line breaks and ANSI escapes
        return label(f"{where}: [{self.code}] {self.message} (found: {self.found}; expected: {self.expected})")


def show(value: object) -> str:
    """A short, single-line JSON rendering of ``value`` for the ``found`` field."""
    if value is MISSING:
        return "(missing)"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    text = " ".join(text.split())
    if len(text) > _FOUND_WIDTH:
        text = text[: _FOUND_WIDTH - 1] + "…"
    return text
