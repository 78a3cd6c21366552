"""Schema compatibility: would every value a UDP parameter (or a process result) may hold be
accepted where it is used?

This is what catches a parameter that users fill correctly according to the UDP, but that the
back-end then rejects, e.g. a ``temporal_extent`` declared as an array without ``items`` passed
to ``load_collection`` (which only accepts intervals of date/date-time strings or null).
"""

from __future__ import annotations

from efast_udp.validation.schemas import alternatives, describe, is_any

#: Data-cube subtypes a ``datacube`` parameter accepts.
_CUBE_SUBTYPES = {"datacube", "raster-cube", "vector-cube"}


def incompatibility(target: object, source: object, strict: bool = True) -> str | None:
    """Why a value of schema ``source`` may be rejected by schema ``target``, or ``None``.

    Every alternative of ``source`` must be accepted by some alternative of ``target``.
    ``strict`` also compares value ranges (minimum, items count, enum), which is right for UDP
    parameters (users choose the value) and too much for process results (specs say little).
    """
    targets = alternatives(target)
    for src in alternatives(source):
        reasons = [_one(tgt, src, strict) for tgt in targets]
        if all(reasons):
            return _pick(reasons, src, target)
    return None


def _pick(reasons: list[str], src: dict, target: object) -> str:
    """The reason from a same-typed alternative, which says more than 'type X is not Y'."""
    specific = [r for r in reasons if not r.startswith("type ")]
    if specific:
        return specific[0]
    return f"type {src.get('type')} is not accepted, the target accepts {_short(target)}"


def _one(tgt: dict, src: dict, strict: bool) -> str | None:
    if is_any(tgt) or is_any(src):
        return None
    reason = _type_reason(tgt, src)
    if reason:
        return reason
    for check in (_subtype_reason, _items_reason, _enum_reason):
        reason = check(tgt, src, strict)
        if reason:
            return reason
    return _range_reason(tgt, src) if strict else None


def _type_reason(tgt: dict, src: dict) -> str | None:
    """Types must match; an integer is also a number."""
    if tgt["type"] == src["type"] or (tgt["type"] == "number" and src["type"] == "integer"):
        return None
    return f"type {src['type']} is not {tgt['type']}"


def _subtype_reason(tgt: dict, src: dict, strict: bool) -> str | None:
    """Different subtypes (e.g. bounding-box vs geojson) are different kinds of values."""
    a, b = tgt.get("subtype"), src.get("subtype")
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b or a == b:
        return None
    if a == "datacube" and b in _CUBE_SUBTYPES or b == "datacube" and a in _CUBE_SUBTYPES:
        return None
    return f"subtype {b} is not {a}"


def _items_reason(tgt: dict, src: dict, strict: bool) -> str | None:
    """Array items must be constrained at least as much as the target requires."""
    if tgt["type"] != "array" or not isinstance(tgt.get("items"), dict):
        return None
    if not isinstance(src.get("items"), (dict, list)):
        return "array items are not constrained, the target only accepts items of " + _short(tgt["items"])
    if isinstance(src["items"], list):
        return None
    inner = incompatibility(tgt["items"], src["items"], strict)
    return f"array items: {inner}" if inner else None


def _enum_reason(tgt: dict, src: dict, strict: bool) -> str | None:
    """A value from the source's allowed set must be in the target's allowed set."""
    if not isinstance(tgt.get("enum"), list):
        return None
    src_enum = src.get("enum") if isinstance(src.get("enum"), list) else None
    extra = [v for v in (src_enum if src_enum is not None else [object()]) if v not in tgt["enum"]]
    if not extra:
        return None
    if src_enum is None:
        return f"any {src['type']} is allowed, the target only accepts {tgt['enum']}"
    return f"{extra} not among {tgt['enum']}"


def _range_reason(tgt: dict, src: dict) -> str | None:
    """Numeric bounds and item counts of the source must lie within the target's."""
    lo_t, lo_t_excl = _bound(tgt, "exclusiveMinimum", "minimum", min)
    lo_s, lo_s_excl = _bound(src, "exclusiveMinimum", "minimum", min)
    if lo_t is not None and (lo_s is None or lo_s < lo_t or (lo_s == lo_t and lo_t_excl and not lo_s_excl)):
        return f"values down to {_fmt(lo_s, lo_s_excl, '>')} are allowed, the target needs {_fmt(lo_t, lo_t_excl, '>')}"
    hi_t, hi_t_excl = _bound(tgt, "exclusiveMaximum", "maximum", max)
    hi_s, hi_s_excl = _bound(src, "exclusiveMaximum", "maximum", max)
    if hi_t is not None and (hi_s is None or hi_s > hi_t or (hi_s == hi_t and hi_t_excl and not hi_s_excl)):
        return f"values up to {_fmt(hi_s, hi_s_excl, '<')} are allowed, the target needs {_fmt(hi_t, hi_t_excl, '<')}"
    if tgt["type"] == "array" and all(_number(s.get(k, 0)) for s in (tgt, src) for k in ("minItems", "maxItems")):
        if src.get("minItems", 0) < tgt.get("minItems", 0):
            return f"arrays with {src.get('minItems', 0)} items are allowed, the target needs at least {tgt['minItems']}"
        if "maxItems" in tgt and src.get("maxItems", float("inf")) > tgt["maxItems"]:
            return f"arrays with more than {tgt['maxItems']} items are allowed, the target accepts at most {tgt['maxItems']}"
    return None


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bound(schema: dict, exclusive: str, inclusive: str, extreme) -> tuple[float | None, bool]:
    """(bound, is exclusive) of a schema on one side: ``exclusiveMinimum``/``minimum`` with
    ``min`` for the lower one, the maximum keywords with ``max`` for the upper one; an enum of
    numbers bounds by its extreme."""
    for key, is_exclusive in ((exclusive, True), (inclusive, False)):
        if _number(schema.get(key)):
            return schema[key], is_exclusive
    enum = _numeric_enum(schema)
    return (extreme(enum), False) if enum else (None, False)


def _numeric_enum(schema: dict) -> list:
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(_number(v) for v in enum):
        return enum
    return []


def _fmt(value, exclusive: bool, sign: str) -> str:
    if value is None:
        return "unbounded"
    return f"{sign} {value}" if exclusive else f"{sign}= {value}"


def _short(schema: object) -> str:
    return describe(schema)
