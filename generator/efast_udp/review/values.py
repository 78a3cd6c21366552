"""Changes between two JSON values, each at the JSON-pointer-like path where it happens.

Object keys are visited in sorted order (their order in the file means nothing); list items are
aligned like lines of text, so that one inserted item is one addition instead of a change to every
item after it. ``true`` differs from ``1``, while ``1`` and ``1.0`` are the same number.
"""

from __future__ import annotations

import difflib
import json
from typing import Callable

from efast_udp.graph_nodes import is_callback
from efast_udp.review.model import Change
from efast_udp.pointers import MISSING, pointer

#: Called for a callback (``{"process_graph": ...}``) found at ``path`` in either version, with
#: the two process graphs (``{}`` where that version has none there); its nodes are compared there.
OnCallback = Callable[[tuple, dict, dict], None]


def value_changes(old: object, new: object, path: tuple = (),
                  on_callback: OnCallback | None = None) -> list[Change]:
    """Every leaf-level difference between ``old`` and ``new`` (``[]`` when they are the same)."""
    changes: list[Change] = []
    _compare(old, new, path, changes, on_callback)
    return changes


def _compare(old, new, path: tuple, out: list[Change], on_callback: OnCallback | None) -> None:
    if on_callback is not None and _callback_pair(old, new):
        on_callback(path, _graph_of(old), _graph_of(new))
        _compare(_without_graph(old), _without_graph(new), path, out, None)
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _compare(old.get(key, MISSING), new.get(key, MISSING), path + (key,), out, on_callback)
    elif isinstance(old, list) and isinstance(new, list):
        _compare_lists(old, new, path, out, on_callback)
    elif not same_scalar(old, new):
        out.append(Change(pointer(*path), old, new))


def _compare_lists(old: list, new: list, path: tuple, out: list[Change],
                   on_callback: OnCallback | None) -> None:
    """Align the items; a replaced run is compared item by item, surplus items are added/removed.
    Changed and added items are named by their index in the new list, removed ones by the old."""
    matcher = difflib.SequenceMatcher(None, [_key(v) for v in old], [_key(v) for v in new],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            _compare(old[i1 + k], new[j1 + k], path + (j1 + k,), out, on_callback)
        for i in range(i1 + paired, i2):
            _compare(old[i], MISSING, path + (i,), out, on_callback)
        for j in range(j1 + paired, j2):
            _compare(MISSING, new[j], path + (j,), out, on_callback)


def same_scalar(old: object, new: object) -> bool:
    """True when two non-container JSON values mean the same (booleans are not numbers)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers):
        return old == new or (old != old and new != new)  # NaN equals NaN here
    return type(old) is type(new) and old == new


def _key(value: object) -> str:
    """A canonical text of a list item, to align lists (key order does not matter)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def _callback_pair(old: object, new: object) -> bool:
    """A callback in one version facing a callback or nothing in the other."""
    return ((is_callback(old) or is_callback(new))
            and (is_callback(old) or old is MISSING) and (is_callback(new) or new is MISSING))


def _graph_of(value: object) -> dict:
    return value["process_graph"] if is_callback(value) else {}


def _without_graph(value: object) -> dict:
    """The callback's other fields (e.g. its declared ``parameters``)."""
    return without(value, "process_graph") if is_callback(value) else {}


def without(mapping: dict, key: str) -> dict:
    """A copy of ``mapping`` without ``key``."""
    return {k: v for k, v in mapping.items() if k != key}
