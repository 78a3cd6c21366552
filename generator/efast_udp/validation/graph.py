"""A read-only view of the UDP's process graph and all its callbacks, so that every check walks
the same structure: graphs (with the parameters in their scope), nodes, and the references and
callbacks inside argument values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from efast_udp.arguments import parameter_schemas
from efast_udp.graph_nodes import NodeFields, is_callback, iter_values, ref_kind
from efast_udp.validation import resources
from efast_udp.pointers import join
from efast_udp.validation.schemas import schema_at


@dataclass
class Graph:
    """One process graph: the UDP's own (``parent is None``) or a callback."""

    pointer: str
    nodes: dict[str, "Node"]
    parent: "Graph | None" = None
    owner: "Node | None" = None
    argument_path: list = field(default_factory=list)
    #: name -> schema of the parameters this graph receives; ``None`` if unknown (the owner's
    #: process is unknown, so its callback parameters cannot be known either).
    parameters: dict[str, object] | None = None

    @property
    def is_callback(self) -> bool:
        return self.parent is not None

    def result_nodes(self) -> list["Node"]:
        return [n for n in self.nodes.values() if n.data.get("result") is True]


@dataclass
class Node(NodeFields):
    """One process node, located by its JSON pointer."""

    graph: Graph
    id: str
    data: dict
    pointer: str

    def argument_pointer(self, name: str, *path: str | int) -> str:
        return join(self.pointer, "arguments", name, *path)


@dataclass(frozen=True)
class Ref:
    """A ``from_node`` or ``from_parameter`` reference at ``path`` inside argument ``argument``."""

    kind: str  # "from_node" | "from_parameter"
    target: object
    argument: str
    path: tuple


def refs_of(node: Node) -> Iterator[Ref]:
    """The references in the node's arguments (not those inside its callbacks)."""
    for name, value in node.arguments.items():
        for path, item in iter_values(value):
            kind = ref_kind(item)
            if kind:
                yield Ref(kind, item[kind], name, path)


def callbacks_of(node: Node) -> Iterator[tuple[str, tuple, dict]]:
    """``(argument, path, callback)`` for every callback in the node's arguments."""
    for name, value in node.arguments.items():
        for path, item in iter_values(value):
            if is_callback(item):
                yield name, path, item


def build(doc: dict) -> list[Graph]:
    """All graphs of the UDP, the top-level graph first, callbacks after their owners."""
    top = _make_graph(doc.get("process_graph"), "/process_graph", parent=None, owner=None,
                      path=[], parameters=parameter_schemas(doc))
    graphs = [top]
    i = 0
    while i < len(graphs):
        for node in graphs[i].nodes.values():
            for name, path, callback in callbacks_of(node):
                graphs.append(_callback_graph(node, name, path, callback))
        i += 1
    return graphs


def _make_graph(pg: object, ptr: str, parent, owner, path, parameters) -> Graph:
    graph = Graph(pointer=ptr, nodes={}, parent=parent, owner=owner, argument_path=path,
                  parameters=parameters)
    if isinstance(pg, dict):
        for node_id, data in pg.items():
            if isinstance(data, dict):
                graph.nodes[node_id] = Node(graph, node_id, data, join(ptr, node_id))
    return graph


def _callback_graph(owner: Node, argument: str, path: tuple, callback: dict) -> Graph:
    ptr = owner.argument_pointer(argument, *path, "process_graph")
    params = callback_parameters(owner.process_id, argument, list(path))
    declared = callback.get("parameters")
    if isinstance(declared, list):
        params = dict(params or {})
        params.update({p["name"]: p.get("schema", {}) for p in declared
                       if isinstance(p, dict) and isinstance(p.get("name"), str)})
    return _make_graph(callback["process_graph"], ptr, parent=owner.graph, owner=owner,
                       path=[argument, *path], parameters=params)


def parameter_spec(process_id: str | None, argument: str) -> dict | None:
    """The specification of ``argument`` of ``process_id`` (a profiled extra argument included)."""
    if process_id is None:
        return None
    spec = resources.process_spec(process_id)
    if spec is not None:
        for param in spec.get("parameters", []):
            if param.get("name") == argument:
                return param
    extra = resources.extra_argument(process_id, argument)
    if extra is not None:
        return {"name": argument, "schema": extra["schema"], "optional": True}
    return None


def callback_parameters(process_id: str | None, argument: str, path: list) -> dict | None:
    """name -> schema of the parameters a process passes to the callback at ``argument``/``path``
    (``None`` if the process or argument is unknown)."""
    param = parameter_spec(process_id, argument)
    if param is None:
        return None
    found: dict[str, object] = {}
    for alt in schema_at(param.get("schema", {}), path):
        if alt.get("subtype") == "process-graph":
            for p in alt.get("parameters", []):
                found[p["name"]] = p.get("schema", {})
    return found


def resolve_parameter(graph: Graph, name: str) -> tuple[Graph | None, object, bool]:
    """Where ``from_parameter: name`` used in ``graph`` comes from.

    Returns ``(graph_that_declares_it, schema, known)``: the innermost enclosing graph whose
    parameters contain the name (the top graph stands for the UDP). ``known`` is False when a
    graph on the way has unknown parameters, so that nothing can be concluded.
    """
    current: Graph | None = graph
    while current is not None:
        if current.parameters is None:
            return None, None, False
        if name in current.parameters:
            return current, current.parameters[name], True
        current = current.parent
    return None, None, True


__all__ = ["Graph", "Node", "Ref", "build", "refs_of", "callbacks_of", "iter_values",
           "is_callback", "ref_kind", "parameter_spec", "callback_parameters",
           "resolve_parameter"]
