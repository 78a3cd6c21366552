"""Schema ``pattern``s matched safely (issue 20).

A parameter's schema is written by whoever wrote the UDP, and a pattern such as ``(a|a)+$`` makes
a backtracking engine take time that doubles with each character of the value. Patterns are
therefore matched with the ``regex`` engine (which avoids most such blow-ups) under a timeout of
``TIMEOUT_S`` per match; a pattern that times out once is not run again in this process (every
later value it checks gets the same finding), so a document costs at most about ``TIMEOUT_S``
(the engine may overrun it by about as much again) per distinct slow pattern. A pattern too large
to compile safely (``MAX_LENGTH``, ``MAX_UNROLLED``) is refused without compiling it.

The jsonschema keywords ``pattern``, ``patternProperties`` and ``additionalProperties`` (which
consults ``patternProperties``) are replaced by versions that use :func:`search`.
"""

from __future__ import annotations

import functools
import re

from jsonschema.exceptions import ValidationError

#: Seconds one pattern may take on one value.
TIMEOUT_S = 0.5
#: Longest pattern, and the largest size it may have with its counted repeats (``{n}``, ``{n,m}``)
#: written out: the engine unrolls them when it compiles (``((a{100}){100}){100}`` would take
#: gigabytes), while ``*``, ``+`` and ``?`` cost nothing there.
MAX_LENGTH = 10_000
MAX_UNROLLED = 100_000

_slow: set[str] = set()
_COUNTED = re.compile(r"\{(\d+)(?:,(\d*))?\}")


class PatternTooSlow(Exception):
    def __init__(self, pattern: str, why: str = ""):
        why = why or f"takes longer than {TIMEOUT_S:g} s on a value (catastrophic backtracking)"
        super().__init__(f"the pattern {pattern[:120]!r} {why}; refusing it")


def unrolled_size(pattern: str, stop_after: int = MAX_UNROLLED) -> int:
    """About how many atoms ``pattern`` has once its counted repeats are written out (an
    alternation counts all its branches); stops counting past ``stop_after``."""
    frames, last, i = [0], 0, 0  # frames: the running size of each open group
    while i < len(pattern) and frames[0] <= stop_after:
        char = pattern[i]
        counted = _COUNTED.match(pattern, i) if char == "{" else None
        if counted:
            times = max(int(counted.group(1)), int(counted.group(2) or 0), 1)
            frames[-1] += last * (times - 1)
            last *= times
            i = counted.end()
            if frames[-1] > stop_after:
                return frames[-1]
            continue
        if char == "(":
            frames.append(0)
            i += 1
            continue
        if char == ")" and len(frames) > 1:
            last = max(frames.pop(), 1)
            frames[-1] += last
            i += 1
            continue
        i = _atom_end(pattern, i)
        last = 1
        frames[-1] += 1
    return sum(frames)


def _atom_end(pattern: str, i: int) -> int:
    """Where the atom at ``i`` ends: an escape, a character class, or one character."""
    if pattern[i] == "\\":
        return i + 2
    if pattern[i] != "[":
        return i + 1
    j = i + 1
    j += pattern.startswith("^", j)
    j += pattern.startswith("]", j)
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _complexity(pattern: str) -> str | None:
    """Why ``pattern`` is too large to compile safely, or ``None``."""
    if len(pattern) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if unrolled_size(pattern) > MAX_UNROLLED:
        return f"has more than {MAX_UNROLLED} atoms once its {{n}} repeats are written out"
    return None


def regex_format(instance: object) -> bool:
    """The JSON Schema ``format: regex`` check: a pattern Python's ``re`` compiles (its errors,
    also OverflowError for ``x{4294967296}``, are the format error)."""
    if isinstance(instance, str):
        if len(instance) > MAX_LENGTH:
            raise ValueError(f"longer than {MAX_LENGTH} characters")
        re.compile(instance)
    return True


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str):
    import regex  # lazy: regex costs 9 ms at ``build`` (python -X importtime); only a schema pattern needs it

    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError, MemoryError):
        return None  # not a pattern: the schema check reports it


def search(pattern: str, text: str) -> bool:
    """True if ``pattern`` matches somewhere in ``text`` (an unusable pattern matches anything);
    :class:`PatternTooSlow` when it takes longer than ``TIMEOUT_S`` or is too large to compile."""
    if pattern in _slow:
        raise PatternTooSlow(pattern)
    if why := _complexity(pattern):
        raise PatternTooSlow(pattern, why)
    compiled = _compiled(pattern)
    if compiled is None:
        return True
    try:
        return compiled.search(text, timeout=TIMEOUT_S) is not None
    except TimeoutError:
        _slow.add(pattern)
        raise PatternTooSlow(pattern) from None


def pattern(validator, patrn, instance, schema):
    if validator.is_type(instance, "string") and isinstance(patrn, str):
        try:
            if not search(patrn, instance):
                yield ValidationError(f"{instance[:200]!r} does not match {patrn!r}")
        except PatternTooSlow as exc:
            yield ValidationError(str(exc))


def _matching(patterns, key: str, errors: list) -> list:
    """The patterns of ``patterns`` that match ``key`` (a too slow one is put in ``errors``)."""
    found = []
    for patrn in patterns:
        try:
            if isinstance(patrn, str) and search(patrn, key):
                found.append(patrn)
        except PatternTooSlow as exc:
            errors.append(str(exc))
    return found


def patternProperties(validator, pattern_properties, instance, schema):
    if not (validator.is_type(instance, "object") and isinstance(pattern_properties, dict)):
        return
    for key, value in instance.items():
        slow: list = []
        for patrn in _matching(pattern_properties, key, slow):
            yield from validator.descend(value, pattern_properties[patrn], path=key, schema_path=patrn)
        for message in slow:
            yield ValidationError(message)


def additionalProperties(validator, additional, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras, slow = [], []
    for key in instance:
        if key not in known and not (patterns and _matching(patterns, key, slow)):
            extras.append(key)
    for message in slow:
        yield ValidationError(message)
    if validator.is_type(additional, "object"):
        for key in extras:
            yield from validator.descend(instance[key], additional, path=key)
    elif additional is False and extras:
        names = ", ".join(repr(key) for key in sorted(extras, key=str)[:20])
        yield ValidationError(f"additional properties are not allowed ({names} unexpected)")
