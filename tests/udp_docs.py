"""Minimal valid process definitions for the direct tests of the validation checks, and a way to
run one check on one document. Each builder returns a fresh document, so a test mutates it freely.

Both documents pass the whole validator (``lint=True`` included) under the file name
``<id>.json``: ``tests/efast_udp/validation/test_core.py`` pins that, so a finding in a check's
test comes from the test's mutation, never from the document it starts from.
"""

from __future__ import annotations

from efast_udp.validation.context import Context

#: A UDF that passes the lint: numpy only, ``apply_datacube(cube, context)``.
UDF = 'import numpy as np\n\n\ndef apply_datacube(cube, context):\n    return cube * np.float32(context["factor"])\n'


def number_udp() -> dict:
    """``sum = x + y``: two parameters (``y`` optional with a default), an example, a link."""
    return {
        "id": "tiny",
        "summary": "Add a number to another",
        "description": "Adds y to the number given as x and returns the sum, nothing more: a minimal process.",
        "categories": ["math"],
        "parameters": [
            {"name": "x", "description": "The number.", "schema": {"type": "number"}},
            {"name": "y", "description": "What is added.", "schema": {"type": "number", "minimum": 0},
             "optional": True, "default": 1},
        ],
        "returns": {"description": "The sum.", "schema": {"type": "number"}},
        "examples": [{"arguments": {"x": 2}}],
        "links": [{"rel": "about", "href": "https://example.org/tiny"}],
        "process_graph": {
            "sum": {"process_id": "add", "arguments": {"x": {"from_parameter": "x"}, "y": {"from_parameter": "y"}},
                    "result": True},
        },
    }


def cube_udp(udf: str = UDF) -> dict:
    """``load_collection`` -> ``apply`` whose callback is one ``run_udf`` (``scaled/process/udf``)
    that reads the UDP parameter ``factor`` through the node's ``context``."""
    return {
        "id": "tiny_cube",
        "summary": "Scale a cube",
        "description": "Loads a collection and scales its values with a UDF: a minimal process with a callback.",
        "categories": ["cubes"],
        "parameters": [{"name": "factor", "description": "The factor.", "schema": {"type": "number"},
                        "optional": True, "default": 2}],
        "returns": {"description": "The scaled cube.", "schema": {"type": "object", "subtype": "datacube"}},
        "process_graph": {
            "load": {"process_id": "load_collection", "arguments": {
                "id": "SENTINEL2_L2A", "spatial_extent": {"west": 5, "east": 5.1, "south": 50, "north": 50.1},
                "temporal_extent": ["2023-06-01", "2023-07-01"], "bands": ["B04"]}},
            "scaled": {"process_id": "apply", "arguments": {
                "data": {"from_node": "load"}, "context": {"factor": {"from_parameter": "factor"}},
                "process": {"process_graph": {"udf": {"process_id": "run_udf", "arguments": {
                    "data": {"from_parameter": "x"}, "udf": udf, "runtime": "Python",
                    "context": {"from_parameter": "context"}}, "result": True}}}},
                "result": True},
        },
    }


#: Where the callback's ``run_udf`` node of :func:`cube_udp` is, and its ``udf`` argument.
UDF_NODE = "/process_graph/scaled/arguments/process/process_graph/udf"
UDF_POINTER = UDF_NODE + "/arguments/udf"


def findings(check, doc: dict, require_file_name: str | None = None) -> list:
    """The findings of one check function on ``doc``."""
    return list(check(Context.of(doc, require_file_name)))


def located(check, doc: dict, require_file_name: str | None = None) -> list[tuple[str, str]]:
    """``(code, pointer)`` of the findings of one check function on ``doc``."""
    return [(f.code, f.pointer) for f in findings(check, doc, require_file_name)]
