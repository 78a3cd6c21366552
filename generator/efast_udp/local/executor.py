"""Execute a published UDP (process definition JSON) on local data.

The graph is parsed by openeo-pg-parser-networkx and run with openeo-processes-dask's
process implementations, overridden by this package's modules where they lack or get wrong a
behaviour of the target back-end. Nothing of ``efast_udp.udfs`` is imported: UDFs run from the
code strings embedded in the JSON.

Every node returns a lazy cube (dask arrays cut into spatial windows, see ``chunks``): running
the graph only builds the computation, except for small cubes (the coarse stages), which are
computed once when their node runs, and the first tile of each ``apply_dimension`` UDF, which
tells the output labels. The result is computed when it is written (``stream``).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import xarray

from efast_udp.errors import EfastUdpError, UsageError
from efast_udp.arguments import resolve_parameters
from efast_udp.local import PROCESSES
from efast_udp.local import (
    apply, apply_dimension, apply_neighborhood, callbacks, chunks, context, filter_labels, load_collection,
    merge_cubes, progress, resample_cube_spatial, resample_spatial, run_udf,
)

#: processes that only appear as top-level nodes of the EFAST graph: one progress tick each
_TOP_LEVEL = {"load_collection", "filter_bands", "apply", "resample_spatial", "resample_cube_spatial",
              "apply_neighborhood", "rename_labels", "apply_dimension", "merge_cubes", "array_concat"}


def _registry(data_dir: Path):
    logging.getLogger("openeo_processes_dask").setLevel(logging.ERROR)
    from openeo_pg_parser_networkx import ProcessRegistry
    from openeo_pg_parser_networkx.process_registry import Process
    from openeo_processes_dask.process_implementations.core import process, standard_processes

    registry = ProcessRegistry(wrap_funcs=[process, context.resolve_nested_references])
    for func in standard_processes:
        if func.__name__.lstrip("_") in PROCESSES:  # nothing else runs here: no load_stac, no network
            registry[func.__name__.lstrip("_")] = Process(spec={}, implementation=func)
    overrides = {
        "load_collection": functools.partial(load_collection.load_collection, data_dir),
        "apply": apply.apply,
        "apply_dimension": apply_dimension.apply_dimension,
        "apply_neighborhood": apply_neighborhood.apply_neighborhood,
        "filter_labels": filter_labels.filter_labels,
        "merge_cubes": merge_cubes.merge_cubes,
        "resample_spatial": resample_spatial.resample_spatial,
        "resample_cube_spatial": resample_cube_spatial.resample_cube_spatial,
        "run_udf": run_udf.run_udf,
    }
    for name, impl in overrides.items():
        registry[name] = Process(spec={}, implementation=impl)
    for name in _TOP_LEVEL:
        registry[name].implementation = _ticking(registry[name].implementation, name)
    return registry


def _ticking(f, process_id: str):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        result = chunks.persist_if_small(f(*args, **kwargs))
        progress.node_done(process_id)
        return result
    return wrapper


@dataclass
class RunResult:
    result: xarray.DataArray
    parameters: dict
    intermediates: dict = field(default_factory=dict)  # node id -> cube (top-level nodes, lazy)


def check_processes(udp: dict) -> None:
    """Refuse a graph with a process the local runner does not run, before anything runs."""
    from efast_udp.document import iter_nodes

    for ref in iter_nodes(udp.get("process_graph") or {}):
        if ref.process_id not in PROCESSES:
            raise UsageError(f"node '{ref.path}' uses process {ref.process_id!r}, which the local runner does not run "
                             "(it runs the processes of the EFAST graph only, offline)")


def run_process(udp: dict, data_dir: Path, given: dict, show_progress: bool = False,
                chunk_px: int | None = None) -> RunResult:
    """Build the lazy result of the process graph of ``udp`` with parameter values ``given``
    (others: defaults), windows of ``chunk_px`` pixels (default ``chunks.DEFAULT_CHUNK_PX``)."""
    from openeo_pg_parser_networkx import OpenEOProcessGraph

    if chunk_px is not None and int(chunk_px) < 1:
        raise UsageError(f"--chunk-px {chunk_px}: expected a window edge of at least 1 pixel")
    chunks.set_chunk_px(chunk_px or chunks.DEFAULT_CHUNK_PX)
    check_processes(udp)
    values = resolve_parameters(udp, given)
    graph = OpenEOProcessGraph({"process_graph": udp["process_graph"]})
    registry = _registry(Path(data_dir))
    cache = callbacks.ResultsCache()
    cache.top_suffix = f"-{graph.uid}"
    callbacks.activate(cache)
    progress.enable(show_progress)
    top = [n for n in udp["process_graph"]]
    with progress.main_bar(len(top)):
        result = graph.to_callable(registry, results_cache=cache, parameters=values)(named_parameters=values)
    suffix = f"-{graph.uid}"
    result_node = next((name for name, node in udp["process_graph"].items() if node.get("result")), "root")
    intermediates = {}
    for key, value in cache.items():
        if key.endswith(suffix) and isinstance(value, xarray.DataArray):
            name = key[: -len(suffix)]
            intermediates[result_node if name == "root" else name] = value
    if not isinstance(result, xarray.DataArray):
        raise EfastUdpError("the process graph did not return a data cube")
    return RunResult(result, values, intermediates)
