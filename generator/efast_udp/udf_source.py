"""UDF sources: the modules in ``efast_udp.udfs`` rendered into ``run_udf`` nodes.

Each UDF module is self-contained (it runs on the back-end alone, with numpy, scipy, xarray
and openeo) and is embedded unchanged, behind a header rendered from
``templates/udf_header.py.j2`` that names the project version and the source module.
"""

from __future__ import annotations

import functools
import importlib.resources

from openeo.internal.graph_building import PGNode

from efast_udp.templates import render
from efast_udp.version import project_version

#: The UDF modules (file names in efast_udp/udfs) in pipeline order.
UDF_MODULES = ("distance_score", "compositing", "smoothing", "interpolation", "fusion")


@functools.lru_cache(maxsize=None)
def module_source(module_name: str) -> str:
    """The source text of ``efast_udp/udfs/<module_name>.py`` exactly as in the package."""
    if module_name not in UDF_MODULES:
        raise KeyError(f"unknown UDF module {module_name!r}")
    return importlib.resources.files("efast_udp.udfs").joinpath(f"{module_name}.py").read_text("utf-8")


def udf_code(module_name: str) -> str:
    """Header + unchanged module source: the text of the ``udf`` argument."""
    header = render("udf_header.py.j2", module=module_name, version=project_version())
    return header + module_source(module_name)


def udf_node(module_name: str) -> PGNode:
    """``run_udf`` on the callback's data, with the context handed in by the outer node."""
    return PGNode(
        "run_udf",
        data={"from_parameter": "data"},
        udf=udf_code(module_name),
        runtime="Python",
        context={"from_parameter": "context"},
    )
