"""Graph-building infrastructure: named nodes, embedded UDFs, deterministic flattening.

Stages build the EFAST chain with the openeo client (``connection=None``: offline, no
credentials) and register every top-level node by name once, here. The names become the node
ids of the rendered JSON (stable diffs) and the intermediates a maintainer can cut the graph at
(``efast-udp build --until NAME``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from openeo.internal.graph_building import FlatGraphNodeIdGenerator, GraphFlattener, PGNode
from openeo.rest.datacube import DataCube
from openeo.util import dict_no_none


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
        return _NamedFlattener(self.node_names).flatten(result.result_node())


class _NamedFlattener(GraphFlattener):
    """GraphFlattener that uses registered names as node ids and restarts ids per callback."""

    def __init__(self, node_names: dict):
        super().__init__()
        self._node_names = node_names
        self._node_stack: list[PGNode] = []

    def accept_node(self, node: PGNode):
        self._node_stack.append(node)
        try:
            super().accept_node(node)
        finally:
            self._node_stack.pop()

    def leaveProcess(self, process_id: str, arguments: dict, namespace):
        name = self._node_names.get(id(self._node_stack[-1]))
        if name is None:
            raise ValueError(f"top-level {process_id!r} node has no name; register it with Pipeline.name()")
        self._flattened[name] = dict_no_none(
            process_id=process_id, arguments=self._argument_stack.pop(), namespace=namespace
        )
        self._last_node_id = name

    def _flatten_argument(self, value):
        if isinstance(value, dict) and isinstance(value.get("process_graph"), PGNode):
            # callbacks: the client's own ids (runudf1, eq1, ...), numbered per callback
            flat = GraphFlattener(node_id_generator=FlatGraphNodeIdGenerator()).flatten(value["process_graph"])
            return {"process_graph": flat}
        return super()._flatten_argument(value)
