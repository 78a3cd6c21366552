"""Check 4: references and graph structure: ``from_node`` targets exist in the same graph,
``from_parameter`` names resolve, no UDP parameter is used inside a callback, every graph is
acyclic, has exactly one result node, and every node contributes to the result."""

from __future__ import annotations

from typing import Iterator

from efast_udp.graph_nodes import find_cycle
from efast_udp.validation import graph as g
from efast_udp.validation.check_processes import did_you_mean
from efast_udp.validation.context import Context
from efast_udp.validation.findings import Finding, show


def _enclosing_graph_with(graph: g.Graph, node_id: str) -> g.Graph | None:
    current = graph.parent
    while current is not None:
        if node_id in current.nodes:
            return current
        current = current.parent
    return None


def check_from_node(ctx: Context) -> Iterator[Finding]:
    """A reference to a node that does not exist (or lives in an enclosing graph, which a
    callback cannot see) makes the back-end reject the graph."""
    for node in ctx.nodes():
        for ref in g.refs_of(node):
            if ref.kind != "from_node" or (isinstance(ref.target, str) and ref.target in node.graph.nodes):
                continue
            outer = _enclosing_graph_with(node.graph, ref.target) if isinstance(ref.target, str) else None
            where = (f"; it is a node of the enclosing graph {outer.pointer}, which a callback cannot reference"
                     if outer else did_you_mean(str(ref.target), node.graph.nodes))
            yield Finding(
                code="unknown-node",
                pointer=node.argument_pointer(ref.argument, *ref.path, "from_node"),
                found=show(ref.target),
                expected="one of the node ids of the same graph: " + ", ".join(sorted(node.graph.nodes)),
                message=f"node '{node.id}' refers to node '{ref.target}', which is not in its graph{where}",
            )


def check_from_parameter(ctx: Context) -> Iterator[Finding]:
    """A reference to an undeclared parameter is an error at run time (or silently null)."""
    for node in ctx.nodes():
        for ref in g.refs_of(node):
            if ref.kind != "from_parameter":
                continue
            declared_in, _schema, known = g.resolve_parameter(node.graph, str(ref.target))
            if declared_in is not None or not known:
                continue
            scope = _scope_names(node.graph)
            yield Finding(
                code="undeclared-parameter",
                pointer=node.argument_pointer(ref.argument, *ref.path, "from_parameter"),
                found=show(ref.target),
                expected="one of " + ", ".join(scope),
                message=f"node '{node.id}' refers to parameter '{ref.target}', which is neither a UDP "
                        "parameter nor a parameter of an enclosing callback" + did_you_mean(str(ref.target), scope),
            )


def _scope_names(graph: g.Graph) -> list[str]:
    names: list[str] = []
    current: g.Graph | None = graph
    while current is not None:
        names.extend(current.parameters or {})
        current = current.parent
    return names


def check_udp_parameter_in_callback(ctx: Context) -> Iterator[Finding]:
    """On the CDSE (geopyspark) back-end a UDP parameter referenced inside a callback (e.g. of
    ``apply``) is silently replaced by the callback's own value (a defect of the geopyspark back-end): results are wrong
    without any error. Pass UDP parameters in the outer node's ``context`` instead."""
    for graph in ctx.graphs:
        if not graph.is_callback:
            continue
        for node in graph.nodes.values():
            for ref in g.refs_of(node):
                if ref.kind != "from_parameter":
                    continue
                declared_in, _schema, _known = g.resolve_parameter(graph, str(ref.target))
                if declared_in is None or declared_in.parent is not None:
                    continue
                owner = graph.owner
                yield Finding(
                    code="parameter-in-callback",
                    pointer=node.argument_pointer(ref.argument, *ref.path, "from_parameter"),
                    found=show(ref.target),
                    expected="a parameter of the callback (pass UDP parameters through 'context')",
                    message=f"UDP parameter '{ref.target}' is used inside the callback of "
                            f"'{owner.process_id}' (node '{owner.id}'); back-ends replace it by the "
                            "callback's own value, pass it through the node's 'context' instead",
                )


def check_result_node(ctx: Context) -> Iterator[Finding]:
    """Each graph returns exactly one node's value; none or several is rejected as ambiguous."""
    for graph in ctx.graphs:
        results = graph.result_nodes()
        if len(results) == 1 or not graph.nodes:
            continue
        ids = [n.id for n in results]
        yield Finding(
            code="result-node",
            pointer=graph.pointer,
            found=f"{len(results)} result nodes" + (f" ({', '.join(ids)})" if ids else ""),
            expected="exactly one node with \"result\": true",
            message=f"the graph at {graph.pointer or '/'} must have exactly one result node, it has {len(results)}",
        )


def _dependencies(graph: g.Graph) -> dict[str, list[str]]:
    return {
        node.id: [r.target for r in g.refs_of(node)
                  if r.kind == "from_node" and isinstance(r.target, str) and r.target in graph.nodes]
        for node in graph.nodes.values()
    }


def check_acyclic(ctx: Context) -> Iterator[Finding]:
    """A cycle of ``from_node`` references can never be executed."""
    for graph in ctx.graphs:
        cycle = find_cycle(_dependencies(graph))
        if cycle:
            yield Finding(
                code="cycle",
                pointer=graph.nodes[cycle[0]].pointer,
                found=" -> ".join(cycle),
                expected="an acyclic graph",
                message=f"nodes {' -> '.join(cycle)} depend on each other in a cycle",
            )


def check_unused_nodes(ctx: Context) -> Iterator[Finding]:
    """A node that does not contribute to the result still costs the user processing (e.g. an
    extra load_collection) or hints at a wiring mistake."""
    for graph in ctx.graphs:
        results = graph.result_nodes()
        if len(results) != 1:
            continue
        deps = _dependencies(graph)
        reached, todo = set(), [results[0].id]
        while todo:
            current = todo.pop()
            if current not in reached:
                reached.add(current)
                todo.extend(deps.get(current, []))
        for node_id in sorted(set(graph.nodes) - reached):
            yield Finding(
                code="unused-node",
                pointer=graph.nodes[node_id].pointer,
                found=show(node_id),
                expected=f"a node the result node '{results[0].id}' depends on",
                message=f"node '{node_id}' does not contribute to the result of its graph",
            )


CHECKS = [
    check_from_node,
    check_from_parameter,
    check_udp_parameter_in_callback,
    check_result_node,
    check_acyclic,
    check_unused_nodes,
]
