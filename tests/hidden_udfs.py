"""Shared helpers of the tests of UDFs where no graph walk looks (issue 20): the released UDP
with a ``run_udf`` hidden in a parameter default, an example or a nested value."""

from __future__ import annotations

import copy
import json

from cli_support import UDP

RELEASED = json.loads(UDP.read_text())


HARMLESS = "def apply_datacube(cube, context):\n    return cube\n"


WRITES = "def apply_datacube(cube, context):\n    cube.plot.imshow().figure.canvas.print_png('/tmp/x.png')\n    return cube\n"


def udf_node(code) -> dict:
    return {"process_id": "run_udf", "arguments": {"data": {"from_parameter": "data"}, "udf": code,
                                                   "runtime": "Python"}, "result": True}


def with_hidden(code, where: str) -> dict:
    """The released UDP with a run_udf at ``where``: a parameter default, an example, a value."""
    doc = copy.deepcopy(RELEASED)
    callback = {"process_graph": {"evil": udf_node(code)}}
    if where == "default":
        doc["parameters"].append({"name": "hook", "description": "A callback.", "optional": True,
                                  "schema": {"type": "object", "subtype": "process-graph"}, "default": callback})
    elif where == "example":
        doc["examples"][0]["arguments"]["hook"] = callback
    else:  # a callback in a callback's default, two levels down
        doc["parameters"].append({"name": "hook", "description": "A callback.", "optional": True,
                                  "schema": {"type": "object", "subtype": "process-graph"},
                                  "default": {"process_graph": {"outer": {
                                      "process_id": "apply", "arguments": {"data": {"from_parameter": "data"},
                                                                           "process": callback}, "result": True}}}})
    return doc


def callback_as_default(code) -> dict:
    """The released UDP, its node 'fused' taking its callback from_parameter 'hook', whose default is
    that callback with ``code`` as its UDF: a valid UDP whose graph holds no run_udf for it."""
    doc = copy.deepcopy(RELEASED)
    callback = doc["process_graph"]["fused"]["arguments"]["process"]
    callback["process_graph"]["runudf1"]["arguments"]["udf"] = code
    doc["parameters"].append({"name": "hook", "description": "A callback.", "optional": True,
                              "schema": {"type": "object", "subtype": "process-graph"}, "default": callback})
    doc["process_graph"]["fused"]["arguments"]["process"] = {"from_parameter": "hook"}
    return doc
