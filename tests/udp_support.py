"""Shared helpers of the generator's tests: the rendered ``udp/efast.json`` (a module
fixture) and a walk over the nodes of its graph and callbacks."""

import json

import pytest

from efast_udp.project import PROJECT_ROOT


@pytest.fixture(scope="module")
def udp():
    return json.loads((PROJECT_ROOT / "udp" / "efast.json").read_text("utf-8"))


def walk_nodes(graph, depth=0):
    for node_id, node in graph.items():
        yield depth, node_id, node
        for value in node["arguments"].values():
            if isinstance(value, dict) and "process_graph" in value:
                yield from walk_nodes(value["process_graph"], depth + 1)
