"""Walking a process definition's nodes: the one node walker of the project (validation's graph
view, the diff, the trust list, the UDF lint and the tests build on it).

A node is named two ways, for people and for tools: its ``path`` (``fused/process/runudf1``:
node ids and the arguments holding the callbacks between them) and its JSON ``pointer`` into
the definition (``/process_graph/fused/arguments/process/process_graph/runudf1``), the form
``efast-udp validate`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from efast_udp.pointers import join, pointer


class NodeFields:
    """``process_id`` and ``arguments`` of a node's JSON object (``self.data``), whatever it holds."""

    data: dict

    @property
    def process_id(self) -> str | None:
        pid = self.data.get("process_id")
        return pid if isinstance(pid, str) else None

    @property
    def arguments(self) -> dict:
        args = self.data.get("arguments")
        return args if isinstance(args, dict) else {}


@dataclass(frozen=True)
class NodeRef(NodeFields):
    """A node of the process graph or of a callback inside it.

    ``path`` names it for people: ``fused`` for a top-level node, ``fused/process/runudf1`` for
    the node ``runudf1`` of the callback in argument ``process`` of ``fused``. ``parts`` locates
    it exactly: node ids and, between them, the full path of each callback in its owner's
    arguments (``("fused", "process", "runudf1")``; a callback inside an array adds its index).
    """

    path: str
    node_id: str
    data: dict
    owner: "NodeRef | None" = None
    parts: tuple = ()

    @property
    def top(self) -> "NodeRef":
        """The top-level node this node belongs to (itself if it is one)."""
        return self if self.owner is None else self.owner.top

    @property
    def pointer(self) -> str:
        """The JSON pointer of the node in the definition (what ``validate`` reports)."""
        if self.owner is None:
            return pointer("process_graph", self.node_id)
        argument_path = self.parts[len(self.owner.parts):-1]
        return join(self.owner.pointer, "arguments", *argument_path, "process_graph", self.node_id)


def iter_nodes(graph: dict, prefix: str = "", owner: NodeRef | None = None,
               argument_path: tuple = ()) -> Iterator[NodeRef]:
    """Every node of a flat process graph and of the callbacks in its arguments, each node
    before the nodes of its callbacks."""
    for node_id, node in graph.items():
        if not isinstance(node, dict):
            continue
        parts = (owner.parts if owner else ()) + argument_path + (node_id,)
        ref = NodeRef(f"{prefix}{node_id}", node_id, node, owner, parts)
        yield ref
        for name, value in ref.arguments.items():
            for path, item in iter_values(value, (name,)):
                if is_callback(item):
                    yield from iter_nodes(item["process_graph"], f"{ref.path}/{name}/", ref, path)


def is_callback(value: object) -> bool:
    """True for a callback value: an object with a ``process_graph`` object."""
    return isinstance(value, dict) and isinstance(value.get("process_graph"), dict)


def ref_kind(value: object) -> str | None:
    """``"from_node"``/``"from_parameter"`` when ``value`` is that reference, else ``None``."""
    if isinstance(value, dict):
        for kind in ("from_node", "from_parameter"):
            if kind in value:
                return kind
    return None


def iter_values(value: object, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Every value nested in an argument value (depth first, the value itself first), without
    descending into references or callbacks."""
    yield path, value
    if ref_kind(value) or is_callback(value):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_values(item, path + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_values(item, path + (key,))


def udf_code(node: object) -> str | None:
    """The inline code of a ``run_udf`` node (its ``udf`` argument when that is text), else None."""
    if isinstance(node, dict) and node.get("process_id") == "run_udf":
        arguments = node.get("arguments")
        if isinstance(arguments, dict) and isinstance(arguments.get("udf"), str):
            return arguments["udf"]
    return None


@dataclass(frozen=True)
class UdfNode:
    """A ``run_udf`` node with inline code: where it is, its code, and the context it gets."""

    ref: NodeRef
    code: str
    runtime: object

    @property
    def context(self) -> object:
        """The context argument; ``{"from_parameter": "context"}`` means the owner node's."""
        context = self.ref.arguments.get("context")
        if isinstance(context, dict) and context.get("from_parameter") == "context" and self.ref.owner:
            return self.ref.owner.arguments.get("context", {})
        return context if context is not None else {}


def udf_nodes(doc: dict) -> list[UdfNode]:
    """Every ``run_udf`` node of the definition whose ``udf`` is a string."""
    found = []
    for ref in iter_nodes(doc.get("process_graph") or {}):
        code = udf_code(ref.data)
        if code is not None:
            found.append(UdfNode(ref, code, ref.arguments.get("runtime")))
    return found


def every_run_udf(doc: object) -> Iterator[tuple[tuple, dict]]:
    """(JSON path, node) of every ``run_udf`` node anywhere in ``doc``: in the process graph and
    its callbacks, and also where no graph walk looks (a parameter's ``default``, an example, a
    callback nested in a value): a back-end or the local executor may run any of them."""
    stack: list[tuple[tuple, object]] = [((), doc)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            if item.get("process_id") == "run_udf":
                yield path, item
            stack.extend((path + (key,), value) for key, value in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((path + (i,), value) for i, value in reversed(list(enumerate(item))))


def find_cycle(deps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle of ``deps`` (id -> ids it refers to), the first id repeated at the end, or
    ``None``; iterative, so a chain of any length is fine."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(deps):
        if state.get(start):
            continue
        path: list[str] = []
        stack = [(start, iter(deps[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[current] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(deps[child])))
    return None
