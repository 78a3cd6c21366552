"""A :class:`~efast_udp.review.model.Diff` for people (text, one-line-per-section stat) and for
tools (a JSON-serialisable dict).

The text shows each changed value compactly as ``old → new``, long or multi-line text as a
unified diff, and UDF code as a unified diff of its lines, never as an escaped JSON string.

Nothing from the documents reaches a terminal raw: names and paths (node ids, parameter names,
JSON paths) show every control character escaped (``\n``, ``\x1b``), so a node id can neither
colour the terminal nor fake a ``---`` header line; in the code and long texts shown line by
line, every control character but the tab is escaped (:mod:`efast_udp.terminal`).
"""

from __future__ import annotations

import json

from efast_udp.review.model import Change, Diff, NodeChange, NodeEntry, Udf
from efast_udp.review.textdiff import unified
from efast_udp.terminal import label, terminal_safe
from efast_udp.pointers import MISSING

#: Longest compact rendering of a value in the text output (the JSON output has it whole).
VALUE_WIDTH = 200
#: Text longer than this (or with a line break) is shown as a unified diff.
LONG_TEXT = 100
ARROW = " → "
INDENT = "    "
def format_text(diff: Diff, old_label: str | None = None, new_label: str | None = None,
                context: int = 3, udf_code: bool = True) -> str:
    """The review text: a header naming the inputs, then one block per section that changed."""
    header = [f"--- {label(old_label)}", f"+++ {label(new_label)}", ""] if old_label and new_label else []
    if diff.identical:
        return "\n".join(header + ["no differences"]) + "\n"
    blocks = [
        _block("metadata", _metadata_lines(diff, context)),
        _block("parameters", _parameter_lines(diff, context)),
        _block("nodes", _node_lines(diff, context)),
        _block("UDFs", _udf_lines(diff, context, udf_code)),
    ]
    return terminal_safe("\n".join(header + [b for b in blocks if b]) + "\n")


def format_stat(diff: Diff) -> str:
    """One line per section with its counts (``no differences`` when there are none)."""
    if diff.identical:
        return "no differences\n"
    fields = list(dict.fromkeys(change.path.split("/")[1] for change in diff.metadata))
    params, nodes, udfs = diff.parameters, diff.nodes, diff.udfs
    added = sum(u.added_lines for u in udfs.changed)
    removed = sum(u.removed_lines for u in udfs.changed)
    lines = [
        f"metadata: {len(fields)} field(s) changed" + (f" ({', '.join(fields)})" if fields else ""),
        f"parameters: {_counts(params)}" + (", order changed" if params.order else ""),
        f"nodes: {_counts(nodes)}",
        f"UDFs: {_counts(udfs)}" + (f" (+{added} -{removed} lines)" if udfs.changed else ""),
    ]
    return "\n".join(lines) + "\n"


def to_json(diff: Diff, context: int = 3, udf_code: bool = True) -> dict:
    """The structured diff: values whole, UDF changes as unified-diff lines (with ``udf_code``)."""
    params, nodes, udfs = diff.parameters, diff.nodes, diff.udfs
    return {
        "identical": diff.identical,
        "metadata": [_change_json(c) for c in diff.metadata],
        "parameters": {
            "added": params.added,
            "removed": params.removed,
            "changed": [{"name": p.name, "changes": [_change_json(c) for c in p.changes]}
                        for p in params.changed],
            "order": {"old": params.order[0], "new": params.order[1]} if params.order else None,
        },
        "nodes": {
            "added": [_ref_json(n) for n in nodes.added],
            "removed": [_ref_json(n) for n in nodes.removed],
            "changed": [{**_ref_json(n), "changes": [_change_json(c) for c in n.changes]}
                        for n in nodes.changed],
        },
        "udfs": {
            "added": [_udf_json(u, with_code=udf_code) for u in udfs.added],
            "removed": [_udf_json(u, with_code=False) for u in udfs.removed],
            "changed": [
                {"path": u.path, "added_lines": u.added_lines, "removed_lines": u.removed_lines}
                | ({"diff": _udf_diff(u.path, u.old, u.new, context)} if udf_code else {})
                for u in udfs.changed
            ],
        },
    }


def _block(title: str, lines: list[str]) -> str:
    return "\n".join([f"## {title}", *lines, ""]) if lines else ""


def _counts(section) -> str:
    return f"{len(section.added)} added, {len(section.removed)} removed, {len(section.changed)} changed"


def _metadata_lines(diff: Diff, context: int) -> list[str]:
    """Each changed metadata value at its path, e.g. ``/links/1/href``."""
    lines: list[str] = []
    for change in diff.metadata:
        lines += change_lines(change, "", context, indent="")
    return lines


def _parameter_lines(diff: Diff, context: int) -> list[str]:
    """``+ name`` with what a caller needs to know, ``- name``, ``~ name`` with its changes."""
    params = diff.parameters
    lines = _entries(
        [f"{label(p['name'])}{_parameter_summary(p)}" for p in params.added],
        [label(p["name"]) for p in params.removed],
        [(label(p.name), f"parameters/{label(p.name)}", p.changes) for p in params.changed],
        context,
    )
    if params.order:
        old, new = (", ".join(map(label, names)) for names in params.order)
        lines.append(f"order: {old}{ARROW}{new}")
    return lines


def _parameter_summary(param: dict) -> str:
    """`` (optional, default 2): schema {...}`` for an added parameter."""
    details = ["optional" if param.get("optional") else "required"]
    if "default" in param:
        details.append(f"default {show(param['default'])}")
    return f" ({', '.join(details)}): schema {show(param.get('schema', MISSING))}"


def _node_lines(diff: Diff, context: int) -> list[str]:
    """``+``/``-`` node path (process), ``~`` node path with its changes relative to the node."""
    nodes = diff.nodes
    return _entries(
        [_ref_text(n) for n in nodes.added],
        [_ref_text(n) for n in nodes.removed],
        [(_ref_text(n), label(n.path), n.changes) for n in nodes.changed],
        context,
    )


def _entries(added: list[str], removed: list[str], changed: list[tuple[str, str, list[Change]]],
             context: int) -> list[str]:
    """``+ added``, ``- removed``, then ``~ title`` of each changed thing with its changes
    (labelled by ``where``, the thing's path, in text diffs)."""
    lines = [f"+ {text}" for text in added] + [f"- {text}" for text in removed]
    for title, where, changes in changed:
        lines.append(f"~ {title}")
        for change in changes:
            lines += change_lines(change, where, context)
    return lines


def _udf_lines(diff: Diff, context: int, udf_code: bool) -> list[str]:
    """Added and removed UDFs with their line count, then changed code as a unified diff
    labelled ``OLD:<node path>``/``NEW:<node path>``."""
    udfs = diff.udfs
    lines = [f"+ {_udf_text(u)}" for u in udfs.added] + [f"- {_udf_text(u)}" for u in udfs.removed]
    for udf in udfs.changed:
        lines.append(f"~ {label(udf.path)} (+{udf.added_lines} -{udf.removed_lines} lines)")
        if udf_code:
            lines += _udf_diff(label(udf.path), udf.old, udf.new, context)
    return lines


def _udf_diff(path: str, old: str, new: str, context: int) -> list[str]:
    return unified(old, new, f"OLD:{path}", f"NEW:{path}", context)


def change_lines(change: Change, where: str, context: int, indent: str = INDENT) -> list[str]:
    """``/path: old → new``, or ``/path:`` and a unified diff where the text is long."""
    if _is_long_text(change.old) or _is_long_text(change.new):
        old, new = _text(change.old), _text(change.new)
        at = f"{where}{label(change.path)}"
        diff = unified(old, new, f"OLD:{at}", f"NEW:{at}", context)
        return [f"{indent}{label(change.path)}: {change.kind}"] + [indent + INDENT + line for line in diff]
    return [f"{indent}{label(change.path)}: {show(change.old)}{ARROW}{show(change.new)}"]


def show(value: object) -> str:
    """A value on one line as JSON, cut at :data:`VALUE_WIDTH` characters; ``(absent)`` for none."""
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > VALUE_WIDTH:
        return f"{text[:VALUE_WIDTH]}… ({len(text)} chars, whole in --json)"
    return text


def _is_long_text(value: object) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > LONG_TEXT)


def _text(value: object) -> str:
    """The text to diff: strings as they are, nothing as empty, anything else as its JSON."""
    if value is MISSING:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _ref_text(node: NodeEntry | NodeChange) -> str:
    return f"{label(node.path)} ({label(node.process_id)})" if isinstance(node.process_id, str) else label(node.path)


def _udf_text(udf: Udf) -> str:
    return f"{label(udf.path)} ({udf.lines} lines)"


def _change_json(change: Change) -> dict:
    """``{"path", "kind", "old", "new"}`` without ``old``/``new`` where there is none."""
    out = {"path": change.path, "kind": change.kind}
    if change.old is not MISSING:
        out["old"] = change.old
    if change.new is not MISSING:
        out["new"] = change.new
    return out


def _ref_json(node: NodeEntry | NodeChange) -> dict:
    return {"path": node.path, "process_id": node.process_id}


def _udf_json(udf: Udf, with_code: bool) -> dict:
    return {"path": udf.path, "lines": udf.lines} | ({"code": udf.code} if with_code else {})
