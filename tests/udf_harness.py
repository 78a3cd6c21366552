"""Run the embedded UDF sources the way back-ends do: through the openeo client's UDF runner,
with the ``context`` their node in the rendered ``udp/efast.json`` passes.

:func:`context` gives that context (UDP parameters at their defaults); a test may change only
the values that come from UDP parameters. :func:`run` refuses any other context, so every UDF
test runs the kernels exactly as published.
"""

from __future__ import annotations

import functools

import numpy as np
import openeo
import xarray
from openeo.metadata import BandDimension, CubeMetadata, SpatialDimension, TemporalDimension
from openeo.udf.run_code import execute_local_udf, load_module_from_string

from efast_udp.document import load_udp
from efast_udp.arguments import resolve_references
from efast_udp.project import LATEST_UDP
from efast_udp.udf_source import udf_code

#: UDF module -> the nodes of the graph that run it
NODES = {"distance_score": ("s2_distance_score", "s3_distance_score"), "compositing": ("s3_composite",),
         "smoothing": ("s3_smoothed",), "interpolation": ("lr_series",), "fusion": ("fused",)}


@functools.lru_cache(maxsize=None)
def _udp() -> dict:
    return load_udp(LATEST_UDP)


def rendered_context(node_id: str) -> dict:
    """The node's ``context`` argument as rendered (UDP parameters still as references)."""
    return _udp()["process_graph"][node_id]["arguments"]["context"]


def _is_parameter(value) -> bool:
    return isinstance(value, dict) and set(value) == {"from_parameter"}


def context(node_id: str, **overrides) -> dict:
    """The context the graph passes to the UDF of ``node_id``, UDP parameters at their defaults;
    ``overrides`` (by context key) may only change values that come from UDP parameters."""
    raw = rendered_context(node_id)
    fixed = sorted(k for k in overrides if k not in raw or not _is_parameter(raw[k]))
    assert not fixed, f"{fixed} of node {node_id!r} are not UDP parameters: the graph fixes them"
    defaults = {p["name"]: p.get("default") for p in _udp()["parameters"]}
    resolved = resolve_references(raw, defaults, node_id)
    return {**resolved, **overrides}


def check_context(module: str, ctx: dict) -> None:
    """``ctx`` is what some node running ``module`` passes, up to the values of UDP parameters."""
    problems = []
    for node_id in NODES[module]:
        raw = rendered_context(node_id)
        if set(ctx) != set(raw):
            problems.append(f"{node_id}: keys {sorted(set(ctx) ^ set(raw))} differ")
            continue
        changed = [k for k, v in raw.items() if not _is_parameter(v) and ctx[k] != v]
        if not changed:
            return
        problems.append(f"{node_id}: fixed values of {changed} differ")
    raise AssertionError(f"context for {module!r} is not one the graph passes: {'; '.join(problems)}")


def cube(values, bands, dates=None, x=None, y=None) -> xarray.DataArray:
    """A (t, bands, y, x) cube (or (bands, y, x) without dates) with simple coordinates."""
    values = np.asarray(values, dtype=np.float64)
    ny, nx = values.shape[-2:]
    coords = {
        "bands": list(bands),
        "y": np.arange(ny, dtype=float) * -300.0 if y is None else y,
        "x": np.arange(nx, dtype=float) * 300.0 if x is None else x,
    }
    dims = ("bands", "y", "x")
    if dates is not None:
        coords["t"] = np.array(dates, dtype="datetime64[ns]")
        dims = ("t",) + dims
    return xarray.DataArray(values, dims=dims, coords=coords)


def run(module: str, data: xarray.DataArray, context: dict) -> xarray.DataArray:
    """Execute the rendered UDF code of ``module`` on ``data`` with ``context`` (one the graph passes)."""
    check_context(module, context)
    result = execute_local_udf(openeo.UDF(code=udf_code(module), runtime="Python", context=context), data)
    return result.get_datacube_list()[0].get_array()


def metadata_after(module: str, bands: list[str], context: dict) -> list[str]:
    """Band names after the UDF's ``apply_metadata``."""
    check_context(module, context)
    namespace = load_module_from_string(udf_code(module))
    metadata = CubeMetadata(dimensions=[
        SpatialDimension(name="x", extent=[0, 1]), SpatialDimension(name="y", extent=[0, 1]),
        TemporalDimension(name="t", extent=["2022-01-01", "2022-12-31"]),
        BandDimension(name="bands", bands=[]).rename_labels(target=bands, source=None),
    ])
    return namespace["apply_metadata"](metadata, context).band_names


def days(*values: int) -> list:
    """Dates as days after 2022-09-01."""
    return [np.datetime64("2022-09-01") + np.timedelta64(v, "D") for v in values]
