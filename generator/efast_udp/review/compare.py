"""``diff_documents``: compare two process definitions section by section.

Both documents must be process definitions: an object with a ``process_graph`` object and, if
present, ``parameters`` as a list of objects with unique string names (the diff command checks
this before comparing).
"""

from __future__ import annotations

from efast_udp.graph_nodes import udf_code, udf_nodes
from efast_udp.review.model import (
    Change, Diff, NodeChange, NodeChanges, NodeEntry, ParameterChange, ParameterChanges, Udf,
    UdfChange, UdfChanges,
)
from efast_udp.review.values import value_changes, without
from efast_udp.pointers import MISSING, pointer

#: Top-level fields in the order a reviewer reads them; other fields follow sorted by name.
METADATA_FIELDS = ("id", "summary", "description", "categories", "returns", "examples", "links",
                   "default_job_options")

#: Fields that mean the same when ``false`` as when absent (openEO defaults).
FALSE_BY_DEFAULT = ("deprecated", "experimental")

#: The sections that are not metadata.
_STRUCTURE = ("parameters", "process_graph")


def diff_documents(old: dict, new: dict) -> Diff:
    """All semantic differences from process definition ``old`` to ``new``."""
    return Diff(
        metadata=metadata_changes(old, new),
        parameters=parameter_changes(old.get("parameters") or [], new.get("parameters") or []),
        nodes=node_changes(old["process_graph"], new["process_graph"]),
        udfs=udf_changes(old["process_graph"], new["process_graph"]),
    )


def metadata_changes(old: dict, new: dict) -> list[Change]:
    """Changes to what describes the process (id, texts, categories, returns, examples, links,
    job options, flags), field by field in reading order, each down to the leaf that changed."""
    old, new = _drop_false(old, FALSE_BY_DEFAULT), _drop_false(new, FALSE_BY_DEFAULT)
    others = sorted((set(old) | set(new)) - set(METADATA_FIELDS) - set(_STRUCTURE))
    changes: list[Change] = []
    for name in (*METADATA_FIELDS, *others):
        changes += value_changes(old.get(name, MISSING), new.get(name, MISSING), (name,))
    return changes


def parameter_changes(old: list[dict], new: list[dict]) -> ParameterChanges:
    """Parameters matched by name: added and removed definitions, per-field changes of the kept
    ones (in the new order), and whether the kept ones are now listed in another order."""
    flags = ("optional", *FALSE_BY_DEFAULT)
    old_by_name = {p["name"]: _drop_false(p, flags) for p in old}
    new_by_name = {p["name"]: _drop_false(p, flags) for p in new}
    result = ParameterChanges(
        added=[p for p in new if p["name"] not in old_by_name],
        removed=[p for p in old if p["name"] not in new_by_name],
    )
    for name, definition in new_by_name.items():
        if name in old_by_name:
            changes = value_changes(old_by_name[name], definition)
            if changes:
                result.changed.append(ParameterChange(name, changes))
    old_order = [name for name in old_by_name if name in new_by_name]
    new_order = [name for name in new_by_name if name in old_by_name]
    if old_order != new_order:
        result.order = (old_order, new_order)
    return result


def node_changes(old_graph: dict, new_graph: dict) -> NodeChanges:
    """Nodes added, removed and changed, in both graphs and all their callbacks, by node path.

    A node that exists in one version only is listed once (its callbacks come and go with it).
    """
    result = NodeChanges()
    _compare_graphs(old_graph, new_graph, (), result)
    for entries in (result.added, result.removed, result.changed):
        entries.sort(key=_path_order)
    return result


def _compare_graphs(old_graph: dict, new_graph: dict, prefix: tuple, out: NodeChanges) -> None:
    for node_id in set(old_graph) | set(new_graph):
        path = prefix + (node_id,)
        old, new = old_graph.get(node_id, MISSING), new_graph.get(node_id, MISSING)
        if new is MISSING:
            out.removed.append(NodeEntry(node_path(path), _process_id(old)))
        elif old is MISSING:
            out.added.append(NodeEntry(node_path(path), _process_id(new)))
        else:
            changes = _node_diff(old, new, path, out)
            if changes:
                out.changed.append(NodeChange(node_path(path), _process_id(new), changes))


def _node_diff(old: object, new: object, path: tuple, out: NodeChanges) -> list[Change]:
    """Changes of one node relative to the node (``/process_id``, ``/arguments/...``), its
    callbacks compared as graphs of their own below ``path``, its UDF code left out."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return value_changes(old, new)

    def on_callback(arg_path: tuple, old_graph: dict, new_graph: dict) -> None:
        _compare_graphs(old_graph, new_graph, path + arg_path[1:], out)

    old, new = _without_udf_code(old), _without_udf_code(new)
    changes = value_changes(without(old, "arguments"), without(new, "arguments"))
    changes += value_changes(old.get("arguments", MISSING), new.get("arguments", MISSING),
                             ("arguments",), on_callback)
    return changes


def udf_changes(old_graph: dict, new_graph: dict) -> UdfChanges:
    """Inline UDF code of ``run_udf`` nodes anywhere in the graphs, matched by node path."""
    old, new = udf_sources(old_graph), udf_sources(new_graph)
    result = UdfChanges()
    for path in set(old) | set(new):
        if path not in new:
            result.removed.append(Udf(node_path(path), old[path]))
        elif path not in old:
            result.added.append(Udf(node_path(path), new[path]))
        elif old[path] != new[path]:
            result.changed.append(UdfChange(node_path(path), old[path], new[path]))
    for entries in (result.added, result.removed, result.changed):
        entries.sort(key=_path_order)
    return result


def udf_sources(graph: dict) -> dict[tuple, str]:
    """Node path -> inline code of every ``run_udf`` node in ``graph`` and its callbacks."""
    return {udf.ref.parts: udf.code for udf in udf_nodes({"process_graph": graph})}


def node_path(parts: tuple) -> str:
    """``fused/process/runudf1``: node ids and the argument paths of callbacks between them."""
    return pointer(*parts)[1:]


def _without_udf_code(node: dict) -> dict:
    """The node without the code its UDF section shows."""
    if udf_code(node) is None:
        return node
    return {**node, "arguments": without(node["arguments"], "udf")}


def _process_id(node: object) -> object:
    return node.get("process_id") if isinstance(node, dict) else None


def _drop_false(definition: dict, flags: tuple[str, ...]) -> dict:
    """``definition`` without the flags that are ``false`` (the same as absent)."""
    return {k: v for k, v in definition.items() if not (k in flags and v is False)}


def _path_order(item: NodeEntry | NodeChange | Udf | UdfChange) -> tuple:
    """Sort key of a node path: parents before their callback nodes, then by name."""
    return tuple(item.path.split("/"))
