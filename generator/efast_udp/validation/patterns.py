"""Schema ``pattern``s matched safely (issue 20).

A parameter's schema is written by whoever wrote the UDP, and a pattern such as ``(a|a)+$`` makes
a backtracking engine take time that doubles with each character of the value. Patterns are
therefore matched with the ``regex`` engine (which avoids most such blow-ups) under a timeout of
``TIMEOUT_S`` per match; a pattern that times out once is not run again in this process (every
later value it checks gets the same finding), so a document costs at most about ``TIMEOUT_S``
(the engine may overrun it by about as much again) per distinct slow pattern.

The jsonschema keywords ``pattern``, ``patternProperties`` and ``additionalProperties`` (which
consults ``patternProperties``) are replaced by versions that use :func:`search`.
"""

from __future__ import annotations

import functools

#: Seconds one pattern may take on one value.
TIMEOUT_S = 0.5

_slow: set[str] = set()


class PatternTooSlow(Exception):
    def __init__(self, pattern: str):
        super().__init__(f"the pattern {pattern[:120]!r} takes longer than {TIMEOUT_S:g} s on a value "
                         "(catastrophic backtracking); refusing it")


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str):
    import regex

    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError):
        return None  # not a pattern: the schema check reports it


def search(pattern: str, text: str) -> bool:
    """True if ``pattern`` matches somewhere in ``text`` (an unusable pattern matches anything);
    :class:`PatternTooSlow` when it takes longer than ``TIMEOUT_S``."""
    if pattern in _slow:
        raise PatternTooSlow(pattern)
    compiled = _compiled(pattern)
    if compiled is None:
        return True
    try:
        return compiled.search(text, timeout=TIMEOUT_S) is not None
    except TimeoutError:
        _slow.add(pattern)
        raise PatternTooSlow(pattern) from None


def pattern(validator, patrn, instance, schema):
    from jsonschema.exceptions import ValidationError

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
    from jsonschema.exceptions import ValidationError

    if not (validator.is_type(instance, "object") and isinstance(pattern_properties, dict)):
        return
    for key, value in instance.items():
        slow: list = []
        for patrn in _matching(pattern_properties, key, slow):
            yield from validator.descend(value, pattern_properties[patrn], path=key, schema_path=patrn)
        for message in slow:
            yield ValidationError(message)


def additionalProperties(validator, additional, instance, schema):
    from jsonschema.exceptions import ValidationError

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
