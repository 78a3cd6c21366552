"""Figures of the benchmark beside the kernels: the graph, the distance-score neighbourhood,
command-line times, the demo's run and the machine."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from efast_udp import constants as C
from efast_udp.document import load_json
from efast_udp.graph_nodes import iter_nodes


def neighbourhood_overhead(udp: dict) -> dict:
    """Pixels read per pixel written by the distance-score neighbourhood of the graph (its size
    and overlap are static, so one figure for every distance), beside what each distance needs:
    ``needed`` the overlap (⌈D⌉ + 1 px) and overhead exact at the default and at the largest
    allowed ``max_distance_to_cloud_m``, ``excess`` how much the static overlap reads beyond it."""
    node = udp["process_graph"]["s2_distance_score"]["arguments"]
    size = node["size"][0]["value"]
    overlap = node["overlap"][0]["value"]
    static = (size + 2 * overlap) ** 2 / size ** 2
    needed = {"default": C.distance_overlap_px(C.DEFAULT_MAX_DISTANCE_TO_CLOUD_M),
              "max": C.distance_overlap_px(C.MAX_MAX_DISTANCE_TO_CLOUD_M)}
    needed_overhead = {k: (size + 2 * v) ** 2 / size ** 2 for k, v in needed.items()}
    return {"read_per_written": round(static, 3), "chunk_px": size, "overlap_px": overlap,
            "needed_overlap_px": needed, "needed_read_per_written": {k: round(v, 3) for k, v in needed_overhead.items()},
            "excess": {k: round(static / v, 3) for k, v in needed_overhead.items()}}


def graph_figures(udp: dict, path: Path) -> dict:
    """Nodes (callbacks included), top-level nodes, run_udf nodes and bytes of the UDP file."""
    nodes = list(iter_nodes(udp["process_graph"]))
    return {"nodes": len(nodes), "top_level_nodes": len(udp["process_graph"]),
            "run_udf": sum(n.process_id == "run_udf" for n in nodes), "bytes": path.stat().st_size}


def command_seconds(args: list[str], runs: int = 3) -> float | None:
    """Wall time of a CLI call (interpreter start included), median of ``runs``; None if unavailable."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "efast_udp", *args], capture_output=True, text=True,
                                timeout=600)
        times.append(time.perf_counter() - t0)
        if result.returncode != 0:
            return None
    return round(statistics.median(times), 3)


def demo_figures(udp_args: list[str]) -> dict:
    """Wall time and peak memory of the demo's local run, as the demo reports them; ``udp_args``
    choose the UDP (``--udp FILE`` and, if the user gave it, ``--allow-untrusted-udf``)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-m", "efast_udp", "demo", "--out", tmp, "--quiet", *udp_args],
                                capture_output=True, text=True, timeout=1800)
        metrics = Path(tmp) / "metrics.json"
        if result.returncode != 0 or not metrics.exists():
            return {"wall_s": None, "peak_mib": None, "error": (result.stderr.strip().splitlines() or ["?"])[-1]}
        data = load_json(metrics)
        return {"wall_s": data.get("wall_s"), "peak_mib": data.get("peak_mib")}


def cpu_identity() -> str | None:
    """CPU model with family/model numbers (Linux), e.g. "AMD EPYC (family 23, model 1)": a shared
    VM's host can change between runs, and the throughputs with it."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    if "model name" not in fields:
        return None
    return f"{fields['model name']} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')})"
