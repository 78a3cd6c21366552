"""Line diffs of text (UDF code, descriptions) as a reviewer reads them in a patch."""

from __future__ import annotations

import difflib

#: Marker after a diff line whose text has no line break at its end (as in ``git diff``).
NO_NEWLINE = "\\ No newline at end of text"


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ``\\n`` (the last one without, if the text lacks it).

    Only ``\\n`` breaks lines, so a ``\\r`` or form feed that changed still shows as a change.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> list[str]:
    """The unified diff of two texts as printable lines (no line breaks inside), ``[]`` if equal.

    A changed line without a final line break is followed by :data:`NO_NEWLINE`, so that a
    difference only in the final newline is still visible.
    """
    out = []
    diff = difflib.unified_diff(split_lines(old), split_lines(new), old_label, new_label,
                                n=max(context, 0))
    for line in diff:
        if line.endswith("\n"):
            out.append(line[:-1])
        else:
            out.extend([line, NO_NEWLINE])
    return out


def line_counts(old: str, new: str) -> tuple[int, int]:
    """``(added, removed)``: how many ``+`` and ``-`` lines the unified diff of two texts has."""
    body = list(difflib.unified_diff(split_lines(old), split_lines(new), n=0))[2:]
    added = sum(line.startswith("+") for line in body)
    removed = sum(line.startswith("-") for line in body)
    return added, removed
