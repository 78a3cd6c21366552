"""Shared helpers of the diff tests: a small process definition with a run_udf callback."""

from __future__ import annotations

UDF = "def apply_datacube(cube, context):\n    scale = 0.0001\n    return cube * scale\n"


def small_udp() -> dict:
    """A small process definition: two parameters, a load node and ``fused`` with a run_udf callback."""
    return {
        "id": "demo",
        "summary": "Demo",
        "description": "First line.\nSecond line.\n",
        "parameters": [
            {"name": "a", "description": "A number.", "schema": {"type": "integer", "minimum": 1},
             "default": 2, "optional": True},
            {"name": "b", "description": "A text.", "schema": {"type": "string"}},
        ],
        "process_graph": {
            "load": {"process_id": "load_collection",
                     "arguments": {"id": "S2", "bands": ["B04", "B08"], "spatial_extent": None}},
            "fused": {
                "process_id": "apply_dimension",
                "arguments": {
                    "data": {"from_node": "load"},
                    "dimension": "t",
                    "process": {"process_graph": {
                        "runudf1": {"process_id": "run_udf", "result": True,
                                    "arguments": {"data": {"from_parameter": "data"},
                                                  "runtime": "Python", "udf": UDF}},
                    }},
                },
                "result": True,
            },
        },
    }


def udf_node(doc: dict) -> dict:
    """The run_udf node in ``fused``'s callback."""
    return doc["process_graph"]["fused"]["arguments"]["process"]["process_graph"]["runudf1"]
