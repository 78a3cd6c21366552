"""Run an openEO process definition (a UDP's JSON) on local data, lazily.

The graph is parsed by openeo-pg-parser-networkx and run with openeo-processes-dask's process
implementations, replaced by this package's overrides (``registry``) where they lack or get
wrong a behaviour of the back-end. UDFs run from the code strings embedded in the graph.

Before anything loads, the graph is dry-run (``dryrun``) as the back-end does, for the pixel
buffers and the global extent the loads need; the result is cropped to the request's bounding
box as the back-end's ``save_result`` crops (``crop``).

Every node returns a lazy cube (dask arrays cut into spatial windows, see ``chunks``): running
the graph only builds the computation, except for small cubes (the coarse stages), which are
computed once when their node runs, and the first tile of each ``apply_dimension`` UDF, which
tells the output labels. The result is computed when it is written (``stream``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import xarray

from openeo_cdse_local import dryrun, parameters, registry
from openeo_cdse_local.errors import ProcessFailure, Unsupported
from openeo_cdse_local.session import Session


@dataclass
class Result:
    """What a run built: the lazy result, the parameter values it ran with, and the lazy cube of
    every top-level node by node id."""

    result: xarray.DataArray
    parameters: dict
    intermediates: dict = field(default_factory=dict)


def _nodes(graph: dict, path: str = "") -> Iterator[tuple[str, dict]]:
    """(path, node) of every node of a process graph, callbacks included."""
    for node_id, node in (graph or {}).items():
        if not isinstance(node, dict):
            continue
        here = f"{path}/{node_id}" if path else str(node_id)
        yield here, node
        yield from _callbacks(node.get("arguments"), here)


def _callbacks(value, path: str) -> Iterator[tuple[str, dict]]:
    if isinstance(value, dict):
        if isinstance(value.get("process_graph"), dict):
            yield from _nodes(value["process_graph"], path)
        else:
            for key, item in value.items():
                yield from _callbacks(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _callbacks(item, f"{path}/{index}")


def check_processes(udp: dict) -> None:
    """Refuse a graph with a process this executor does not run, before anything runs."""
    for path, node in _nodes(udp.get("process_graph") or {}):
        if node.get("process_id") not in registry.PROCESSES:
            raise Unsupported(f"node '{path}' uses process {node.get('process_id')!r}, which the local executor does "
                              f"not run (it runs {', '.join(sorted(registry.PROCESSES))}, offline)")


def preload() -> None:
    """Import now what a run imports on first use: the graph parser, openeo-processes-dask and
    the UDF runtime (about 1 s: openeo-processes-dask's package imports all its process
    families, dask.distributed, pyarrow and geopandas among them, 0.5 s of it). A caller that
    times a run calls this first, so that the set-up it measures is the run's own."""
    logging.getLogger("openeo_processes_dask").setLevel(logging.ERROR)  # its optional-ML warning
    # lazy: what this function is for (1.8 s, python -X importtime): ``check_processes`` (run's checks) and
    # ``demo --scene-only`` run nothing
    import openeo_pg_parser_networkx  # noqa: F401
    import openeo_processes_dask.process_implementations  # noqa: F401

    registry.overrides()


def run(udp: dict, given: dict, session: Session) -> Result:
    """Build the lazy result of ``udp``'s process graph with parameter values ``given``."""
    from openeo_pg_parser_networkx import OpenEOProcessGraph  # lazy: see preload

    check_processes(udp)
    values = parameters.values(udp, given)
    session.plan = dryrun.plan(udp["process_graph"], lambda v: parameters.resolve(v, values, "dry run"))
    graph = OpenEOProcessGraph({"process_graph": udp["process_graph"]})
    processes = registry.build(session)
    result = graph.to_callable(processes, results_cache=session.results_cache, parameters=values)(
        named_parameters=values)
    if not isinstance(result, xarray.DataArray):
        raise ProcessFailure("the process graph did not return a data cube")
    suffix = f"-{graph.uid}"  # the parser's cache key of a top-level node: "<node id>-<graph uid>"
    result_node = next((name for name, node in udp["process_graph"].items() if node.get("result")), "root")
    intermediates = {}
    for key, value in session.results_cache.items():
        if str(key).endswith(suffix) and isinstance(value, xarray.DataArray):
            name = str(key)[: -len(suffix)]
            intermediates[result_node if name == "root" else name] = value
    return Result(crop(result), values, intermediates)


def crop(cube: xarray.DataArray) -> xarray.DataArray:
    """The pixels whose footprint meets the request's bounding box (``attrs["request_bbox"]``,
    projected to the cube's CRS), as openeo-geopyspark-driver's ``save_result`` crops by
    default (``geopysparkdatacube.py`` ``write_assets``, ``strict_cropping``)."""
    # lazy: openeo_cdse_local.cube (dask, rioxarray) costs 0.7 s at ``check_processes``, which run's checks call
    # before they import the rest (python -X importtime)
    from openeo_cdse_local.cube import crs_of, grid_of

    bbox = cube.attrs.get("request_bbox")
    if bbox is None or not {"x", "y"} <= set(cube.dims):
        return cube
    box = bbox.reproject(crs_of(cube))
    grid = grid_of(cube)
    half = grid.res / 2
    x, y = cube.x.values, cube.y.values
    cols = np.flatnonzero((x + half > box.west) & (x - half < box.east))
    rows = np.flatnonzero((y + half > box.south) & (y - half < box.north))
    if cols.size == 0 or rows.size == 0:
        raise ProcessFailure("the result has no pixel inside spatial_extent")
    return cube.isel(x=slice(cols[0], cols[-1] + 1), y=slice(rows[0], rows[-1] + 1))
