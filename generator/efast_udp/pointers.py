"""JSON pointers (RFC 6901) and the marker of a missing value: the neutral helpers that
validation, the diff and the node walker share to say where something is in a document."""

from __future__ import annotations


def pointer(*parts: str | int) -> str:
    """The JSON pointer made of ``parts`` (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def join(base: str, *parts: str | int) -> str:
    """``base`` (a pointer) extended by ``parts``."""
    return base + pointer(*parts)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: Marker for "there is nothing at this place" (distinct from JSON null).
MISSING = _Missing()
