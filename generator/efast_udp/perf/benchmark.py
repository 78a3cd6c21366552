"""``efast-udp bench``: what the UDP costs a back-end, and what a local run costs, measured.

Every kernel is the UDF code embedded in the UDP, run through the openeo client's own UDF runner
(``run_udf_code``) with the node's real context (UDP parameters at their defaults), on the
standard chunks of ``scenarios``, and compared with its reference formulation both in time and
memory and in value (``max_abs_diff_vs_reference``). ``scale`` runs ``efast-udp run`` on demo
scenes of growing size. Speed and memory targets live here, never in tests.
"""

from __future__ import annotations

import os
import platform
import tempfile
from pathlib import Path

import numpy as np

from efast_udp.document import load_udp
from efast_udp.graph_nodes import udf_nodes
from efast_udp.arguments import resolve_references
from efast_udp.perf import scale
from efast_udp.perf.backend_tiles import backend_tile_figures, format_table as backend_table
from efast_udp.perf.figures import command_seconds, cpu_identity, demo_figures, graph_figures, neighbourhood_overhead
from efast_udp.perf.measure import REFERENCE_RUNS, RUNS, measure_kernels
from efast_udp.perf.scenarios import (compositing_scenario, distance_scenario, fusion_scenario,
                                      interpolation_scenario)
from efast_udp.project import LATEST_UDP

#: kernel name -> the node of the graph whose UDF it measures
KERNEL_NODES = {"compositing": "s3_composite", "interpolation": "lr_series", "fusion": "fused",
                "distance_score": "s2_distance_score"}


def kernel_udfs(udp: dict) -> dict[str, tuple[str, dict]]:
    """kernel -> (embedded UDF code, its node's context with the UDP parameters at their defaults)."""
    defaults = {p["name"]: p.get("default") for p in udp["parameters"]}
    by_node = {u.ref.top.node_id: u for u in udf_nodes(udp)}
    return {kernel: (by_node[node].code, resolve_references(by_node[node].context, defaults, node))
            for kernel, node in KERNEL_NODES.items()}


def run_benchmark(udp_path: Path = LATEST_UDP, runs: int = RUNS, with_demo: bool = True, udp: dict | None = None,
                  allow_untrusted: bool = False, backend_periods: dict[str, int] | None = None) -> dict:
    """The whole benchmark of the UDP ``udp`` (as read and checked from ``udp_path``; read here
    when not given). The local runs (demo, scale) are children that read and check the file
    themselves. ``backend_periods``: the periods of the ``backend_tiles`` section (default: the
    example call's and the longest accepted)."""
    udp = load_udp(udp_path) if udp is None else udp
    udfs = kernel_udfs(udp)
    udp_args = ["--udp", str(udp_path)] + (["--allow-untrusted-udf"] if allow_untrusted else [])
    # the child runs first: a child inherits the parent's peak RSS as its starting ru_maxrss, and
    # the references below take the parent past 2 GB
    local_runs = {"demo": demo_figures(udp_args) if with_demo else {"wall_s": None, "peak_mib": None},
                  "scale": scale.scale_figures(udp_args=udp_args) if with_demo else None}
    rng = np.random.default_rng(2024)
    scenarios = [
        compositing_scenario(rng, udfs["compositing"][1]),
        interpolation_scenario(rng, udfs["interpolation"][1]),
        fusion_scenario(rng, udfs["fusion"][1]),
        distance_scenario(rng, udfs["distance_score"][1]),
    ]
    kernels = measure_kernels(scenarios, {name: code for name, (code, _) in udfs.items()}, runs,
                              min(runs, REFERENCE_RUNS))
    with tempfile.TemporaryDirectory() as tmp:
        build_s = command_seconds(["build", "--force", "-o", str(Path(tmp) / "efast.json")])
    return {
        "machine": {"python": platform.python_version(), "machine": platform.machine(),
                    "processor": platform.processor() or None, "cpu": cpu_identity(), "cpus": os.cpu_count(),
                    "numpy": np.__version__},
        "kernels": kernels,
        "neighborhood_overhead": neighbourhood_overhead(udp),
        "graph": graph_figures(udp, udp_path),
        "build_s": build_s,
        "validate_s": command_seconds(["validate", str(udp_path)]),
        "help_s": {name: command_seconds([name, "--help"]) for name in ("run", "demo", "bench", "build")},
        "backend_tiles": backend_tile_figures(udp, backend_periods),
        **local_runs,
    }


def format_table(result: dict) -> str:
    lines = [f"{'kernel':15s} {'Mpx/s':>8s} {'quartiles':>12s} {'median s':>9s} {'peak MiB':>9s} {'ref Mpx/s':>10s} "
             f"{'ref MiB':>9s} {'speedup':>8s} {'mem ratio':>9s} {'max diff':>9s}"]
    for name, k in result["kernels"].items():
        low, high = k.get("mpx_per_s_quartiles", [k["mpx_per_s"]] * 2)
        lines.append(f"{name:15s} {k['mpx_per_s']:8.1f} {f'{low:.1f}-{high:.1f}':>12s} {k['median_s']:9.4f} {k['peak_mib']:9.1f} "
                     f"{k['reference_mpx_per_s']:10.2f} {k['reference_peak_mib']:9.1f} {k['speedup']:8.1f} "
                     f"{k['memory_ratio']:9.3f} {k['max_abs_diff_vs_reference']:9.1e}")
    o, g = result["neighborhood_overhead"], result["graph"]
    lines += [
        f"neighbourhood: {o['read_per_written']} px read per px written (chunk {o['chunk_px']} px, static overlap "
        f"{o['overlap_px']} px); exact overlap needs {o['needed_read_per_written']['default']} at the default "
        f"distance, {o['needed_read_per_written']['max']} at the largest",
        f"graph: {g['nodes']} nodes ({g['top_level_nodes']} top-level), {g['run_udf']} run_udf, {g['bytes']} bytes",
        f"build {result['build_s']} s, validate {result['validate_s']} s, "
        f"demo {result['demo'].get('wall_s')} s / {result['demo'].get('peak_mib')} MiB",
    ]
    if result.get("backend_tiles", {}).get("periods"):
        lines.append(backend_table(result["backend_tiles"]))
    if result.get("scale"):
        lines.append(scale.format_table(result["scale"]))
    return "\n".join(lines)


def python_memory_needed_mib(result: dict) -> float:
    """Peak of the largest kernel per standard chunk, times 2 for xarray/serialisation copies."""
    return 2 * max(k["peak_mib"] for k in result["kernels"].values())
