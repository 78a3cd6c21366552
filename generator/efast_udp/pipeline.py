"""Graph-building infrastructure: named nodes, embedded UDFs, deterministic flattening.

Stages build the EFAST chain with the openeo client (``connection=None``: offline, no
credentials) and register every top-level node by name once, here. The names become the node
ids of the rendered JSON (stable diffs) and the intermediates a maintainer can cut the graph at
(``efast-udp build --until NAME``).

Flattening uses only the client's public node API (``PGNode.process_id``, ``.arguments``,
``.namespace`` and ``.flat_graph()`` for callbacks); a value it does not recognise stops the
build with an error naming the client version, so a client upgrade cannot change the render
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import openeo
from openeo.api.process import Parameter
from openeo.internal.graph_building import PGNode
from openeo.rest.datacube import DataCube

from efast_udp.errors import IncompatibleClient


@dataclass
class Stage:
    name: str
    description: str
    cube: DataCube


@dataclass
class Pipeline:
    """The registry of named nodes of one graph."""

    node_names: dict = field(default_factory=dict)  # id(PGNode) -> name
    stages: dict = field(default_factory=dict)  # name -> Stage (datacube-valued nodes)

    def name(self, node_or_cube, name: str):
        """Give a top-level node a stable id. Returns its argument for chaining."""
        node = node_or_cube.result_node() if isinstance(node_or_cube, DataCube) else node_or_cube
        if name in self.node_names.values():
            raise ValueError(f"node name {name!r} used twice")
        self.node_names[id(node)] = name
        return node_or_cube

    def stage(self, name: str, cube: DataCube, description: str) -> DataCube:
        """Register a datacube-valued node as a named intermediate."""
        self.name(cube, name)
        self.stages[name] = Stage(name, description, cube)
        return cube

    def flat_graph(self, result: DataCube) -> dict:
        """Flatten the graph that ends in ``result``; every top-level node must be named."""
        return flatten(result.result_node(), self.node_names)


def flatten(result: PGNode, names: dict) -> dict:
    """The flat process graph ending in ``result``: top-level node ids from ``names``
    (``id(node)`` -> name), each node after the nodes it reads (in the order of its sorted
    argument names), arguments sorted by name, ``result: true`` on the last node. Callbacks
    are flattened by the client itself (ids like ``runudf1``, numbered per callback)."""
    flat: dict[str, dict] = {}
    visited: dict[int, str] = {}

    def visit(node: PGNode) -> str:
        if id(node) in visited:
            return visited[id(node)]
        name = names.get(id(node))
        if name is None:
            raise ValueError(f"top-level {node.process_id!r} node has no name; register it with Pipeline.name()")
        arguments = {key: convert(node.arguments[key]) for key in sorted(node.arguments)}
        entry = {"process_id": node.process_id, "arguments": arguments}
        if node.namespace is not None:
            entry["namespace"] = node.namespace
        flat[name] = entry
        visited[id(node)] = name
        return name

    def convert(value):
        if isinstance(value, Parameter):
            return {"from_parameter": value.name}
        if isinstance(value, dict):
            if isinstance(value.get("from_node"), PGNode):
                return {"from_node": visit(value["from_node"])}
            if isinstance(value.get("process_graph"), PGNode):
                return {"process_graph": value["process_graph"].flat_graph()}
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise IncompatibleClient(
            f"openeo {openeo.__version__} put a {type(value).__name__} into a node argument; "
            "efast_udp.pipeline.flatten does not know it (pin the openeo client version of requirements/constraints.txt)")

    last = visit(result)
    flat[last]["result"] = True
    return flat
