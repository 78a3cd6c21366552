"""Small helpers to read openEO data-type schemas: split them into alternatives and find the
schema that applies to a place inside an argument value."""

from __future__ import annotations

#: Keys that turn one schema into several alternatives.
_ALTERNATIVE_KEYS = ("anyOf", "oneOf")


def alternatives(schema: object) -> list[dict]:
    """The single-type alternatives a schema allows.

    A list of data types, ``anyOf``/``oneOf`` and a list-valued ``type`` all mean "one of
    these"; each alternative comes back as its own schema (outer keywords copied in). A schema
    without ``type`` stays one alternative meaning "any type".
    """
    if isinstance(schema, list):
        return [alt for item in schema for alt in alternatives(item)]
    if not isinstance(schema, dict):
        return [{}]
    for key in _ALTERNATIVE_KEYS:
        if isinstance(schema.get(key), list):
            outer = {k: v for k, v in schema.items() if k != key}
            return [alt for item in schema[key] for alt in alternatives({**outer, **_as_dict(item)})]
    types = schema.get("type")
    if isinstance(types, list):
        return [{**schema, "type": t} for t in types]
    return [schema]


def _as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def is_any(schema: dict) -> bool:
    """True when the schema allows any type (no ``type`` keyword)."""
    return "type" not in schema


def schema_at(schema: object, path: list[str | int]) -> list[dict]:
    """The alternatives that apply to the element at ``path`` inside a value of ``schema``.

    ``path`` holds object keys and array indices. Where the schema says nothing about an
    element the result is ``[{}]`` ("any"), so callers never reject what they cannot know.
    """
    current = alternatives(schema)
    for key in path:
        nxt: list[dict] = []
        for alt in current:
            nxt.extend(_child(alt, key))
        current = nxt or [{}]
    return current


def _child(alt: dict, key: str | int) -> list[dict]:
    if is_any(alt):
        return [{}]
    if alt.get("type") == "array" and isinstance(key, int):
        items = alt.get("items")
        if isinstance(items, list):
            return alternatives(items[key]) if key < len(items) else [{}]
        return alternatives(items) if isinstance(items, dict) else [{}]
    if alt.get("type") == "object" and isinstance(key, str):
        props = alt.get("properties")
        if isinstance(props, dict) and key in props:
            return alternatives(props[key])
        extra = alt.get("additionalProperties")
        if isinstance(extra, dict):
            return alternatives(extra)
        return [] if extra is False else [{}]
    return []


def describe(schema: object) -> str:
    """A compact human rendering such as ``array<string/date | null> (2..2 items)``."""
    return " | ".join(_describe_one(alt) for alt in alternatives(schema)) or "any"


def _describe_one(alt: dict) -> str:
    if is_any(alt):
        return "any"
    text = str(alt["type"])
    if alt.get("subtype"):
        text += f"/{alt['subtype']}"
    if alt["type"] == "array":
        items = alt.get("items")
        text += f"<{describe(items)}>" if isinstance(items, (dict, list)) else "<unconstrained items>"
    bounds = _bounds(alt)
    return f"{text} ({bounds})" if bounds else text


def _bounds(alt: dict) -> str:
    parts = []
    if isinstance(alt.get("enum"), list):
        parts.append("one of " + ", ".join(map(str, alt["enum"])))
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="),
                      ("exclusiveMaximum", "<")):
        if key in alt:
            parts.append(f"{sign} {alt[key]}")
    if "minItems" in alt or "maxItems" in alt:
        parts.append(f"{alt.get('minItems', 0)}..{alt.get('maxItems', '∞')} items")
    return ", ".join(parts)
