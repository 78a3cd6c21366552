"""``efast-udp bench``: what the UDP costs a back-end, measured on standard synthetic chunks.

Every kernel is the UDF code embedded in the released ``udp/efast.json``, run through the
openeo client's own UDF runner (``run_udf_code``) with the node's real context (UDP
parameters at their defaults). Each is compared with a straightforward reference formulation
kept here (the materialising einsum the earlier port used, a per-pixel ``np.interp`` loop,
scipy's exact distance transform). Speed and memory targets live here, never in tests.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import xarray
from openeo.udf import UdfData, XarrayDataCube
from openeo.udf.run_code import run_udf_code

from efast_udp import constants as C
from efast_udp.local import bench_scale as scale
from efast_udp.project import UDP_DIR

SIZE = 256  # px, edge of the standard chunk
#: Timed rounds for the kernels (each well under 0.1 s). Kernels run interleaved, one round after
#: another, so that on a shared VM whose speed drifts from second to second every kernel samples
#: the same periods; 15 rounds spread each median over a couple of seconds.
RUNS = 15
#: Timed runs of the reference formulations (the slowest takes seconds per run).
REFERENCE_RUNS = 5
START = np.datetime64("2022-08-01")


# --- reading the released UDP ----------------------------------------------------------------

#: kernel name -> the node of the released graph whose UDF it measures
KERNEL_NODES = {"compositing": "s3_composite", "interpolation": "lr_series", "fusion": "fused",
                "distance_score": "s2_distance_score"}


def udf_nodes(udp: dict) -> dict[str, tuple[str, dict]]:
    """node id -> (embedded UDF code, the node's context with UDP parameters at their defaults)."""
    defaults = {p["name"]: p.get("default") for p in udp["parameters"]}
    found = {}
    for node_id, node in udp["process_graph"].items():
        callback = node["arguments"].get("process", {}).get("process_graph", {})
        for inner in callback.values():
            if inner["process_id"] == "run_udf":
                found[node_id] = (inner["arguments"]["udf"], _resolve(node["arguments"].get("context", {}), defaults))
    return found


def _resolve(value, parameters: dict):
    if isinstance(value, dict):
        if set(value) == {"from_parameter"}:
            return parameters[value["from_parameter"]]
        return {k: _resolve(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, parameters) for v in value]
    return value


# --- standard chunks -------------------------------------------------------------------------

def _dates(offsets) -> np.ndarray:
    return (START + np.asarray(offsets, dtype="timedelta64[D]")).astype("datetime64[ns]")


def _cube(values: np.ndarray, bands: list[str], offsets) -> xarray.DataArray:
    ny, nx = values.shape[-2:]
    return xarray.DataArray(values, dims=("t", "bands", "y", "x"), coords={
        "t": _dates(offsets), "bands": bands,
        "y": 4_000_000.0 - 300.0 * np.arange(ny), "x": 500_000.0 + 300.0 * np.arange(nx)})


@dataclass
class Scenario:
    name: str
    cube: xarray.DataArray
    context: dict
    px_dates: int  # input pixels x input labels
    reference: Callable[[], object]


def compositing_scenario(rng, context: dict) -> Scenario:
    """24 S3 dates x 4 bands + score, 256², composites every 2 days over the input span: the
    extent is 68 days, composites run from its start to the first date on or after its end (35)."""
    offsets = np.sort(rng.choice(68, 24, replace=False))
    values = rng.uniform(100, 5000, (24, 4, SIZE, SIZE)).astype(np.float32)
    cloudy = rng.random((24, SIZE, SIZE)) < 0.2
    values[np.broadcast_to(cloudy[:, None], values.shape)] = np.nan
    score = np.where(cloudy, 0, rng.random((24, SIZE, SIZE))).astype(np.float32)
    bands = list(C.DEFAULT_S3_BANDS) + ["score"]
    cube = _cube(np.concatenate([values, score[:, None]], axis=1), bands, offsets)
    end = str((START + np.timedelta64(68, "D")).astype("datetime64[D]"))
    ctx = dict(context, temporal_extent=[str(START), end], interval_days=2)
    out_days = np.arange(0, 70, 2.0)  # 0 .. 68: the kernel's composite dates

    def reference():  # the earlier port: the full (targets, dates, bands, y, x) float64 weights
        dt = out_days[:, None] - offsets[None, :]
        w = np.exp(-dt ** 2 / (2.0 * ctx["sigma_days"] ** 2))[:, :, None, None, None] * score[None, :, None].astype(np.float64)
        w = w * np.isfinite(values)[None]
        return np.einsum("ndbyx,dbyx->nbyx", w, np.nan_to_num(values).astype(np.float64)) / w.sum(axis=1) * ctx["scale"]

    return Scenario("compositing", cube, ctx, SIZE * SIZE * 24, reference)


def interpolation_scenario(rng, context: dict) -> Scenario:
    """12 composites (every 6 days) + S2 score at 12 dates -> 24 dates (12 S2 + 12 targets), 4 bands, 256².

    Throughput counts the 24 input labels (12 composites + 12 S2 dates)."""
    comp = np.arange(0, 72, 6)
    s2_days = comp + 3
    lr = rng.uniform(0.02, 0.5, (12, 4, SIZE, SIZE)).astype(np.float32)
    lr[3, :, 40:72, 100:164] = np.nan  # a composite gap (no S3 weight in its window), as in real data
    score = rng.random((12, SIZE, SIZE)).astype(np.float32)
    nan = np.full((12, 1, SIZE, SIZE), np.nan, np.float32)
    nan4 = np.full((12, 4, SIZE, SIZE), np.nan, np.float32)
    values = np.concatenate([np.concatenate([lr, nan], 1), np.concatenate([nan4, score[:, None]], 1)], 0)
    offsets = np.concatenate([comp, s2_days])
    order = np.argsort(offsets, kind="stable")
    cube = _cube(values[order], list(C.DEFAULT_S3_BANDS) + ["score"], offsets[order])
    targets = [str((START + np.timedelta64(int(d), "D")).astype("datetime64[D]")) for d in comp + 1]
    end = str((START + np.timedelta64(80, "D")).astype("datetime64[D]"))
    ctx = dict(context, temporal_extent=[str(START), end], target_time_series=targets)
    query = np.union1d(s2_days, comp + 1).astype(float)

    def reference():  # per pixel and band: np.interp over the finite composites
        flat = lr.reshape(12, -1)
        out = np.full((len(query), flat.shape[1]), np.nan)
        for p in range(flat.shape[1]):
            ok = np.isfinite(flat[:, p])
            if ok.any():
                out[:, p] = np.interp(query, comp[ok], flat[ok, p], left=np.nan, right=np.nan)
        return out

    return Scenario("interpolation", cube, ctx, SIZE * SIZE * 24, reference)


def fusion_scenario(rng, context: dict) -> Scenario:
    """35 labels (every 2 days over 70 days, all targets), 12 of them S2 dates; 4 band pairs
    (4 S2 + SCL + 4 LR + score + target = 11 bands in, 4 out), 256²."""
    s2_days, targets = np.arange(0, 70, 6), np.arange(0, 70, 2)
    labels = np.union1d(s2_days, targets)
    n = len(labels)
    is_s2, is_t = np.isin(labels, s2_days), np.isin(labels, targets)
    s2 = np.full((n, 4, SIZE, SIZE), np.nan, np.float32)
    s2[is_s2] = rng.uniform(200, 5000, (is_s2.sum(), 4, SIZE, SIZE))
    scl = np.full((n, 1, SIZE, SIZE), np.nan, np.float32)
    scl[is_s2] = np.where(rng.random((is_s2.sum(), 1, SIZE, SIZE)) < 0.2, 9, 4)
    lr = rng.uniform(0.02, 0.5, (n, 4, SIZE, SIZE)).astype(np.float32)
    score = np.full((n, 1, SIZE, SIZE), np.nan, np.float32)
    score[is_s2] = rng.random((is_s2.sum(), 1, SIZE, SIZE))
    marker = np.broadcast_to(is_t.astype(np.float32)[:, None, None, None], (n, 1, SIZE, SIZE))
    bands = list(C.DEFAULT_S2_BANDS) + ["SCL"] + list(C.DEFAULT_S3_BANDS) + ["score", "target"]
    cube = _cube(np.concatenate([s2, scl, lr, score, marker], axis=1), bands, labels)

    def reference():  # materialised (targets, dates, bands, y, x) float64 weights
        valid = (scl[is_s2] == 4)
        w = np.exp(-(targets[:, None] - s2_days[None]) ** 2 / (2.0 * context["sigma_days"] ** 2))
        w = w[:, :, None, None, None] * (score[is_s2] * valid)[None].astype(np.float64)
        hr = np.einsum("tdbyx,dbyx->tbyx", w, np.nan_to_num(s2[is_s2] * 1e-4).astype(np.float64)) / w.sum(1)
        lr_m = np.einsum("tdbyx,dbyx->tbyx", w, lr[is_s2].astype(np.float64)) / w.sum(1)
        return lr[is_t] + hr - lr_m

    return Scenario("fusion", cube, context, SIZE * SIZE * n, reference)


def distance_scenario(rng, context: dict) -> Scenario:
    """One 512² S2 invalid-fraction mask with 1 % cloudy cells, default max distance."""
    size = 2 * SIZE
    fraction = np.where(rng.random((1, 1, size, size)) < 0.01, 1.0, 0.0).astype(np.float32)
    cube = _cube(fraction, [C.S2_SCL_BAND], [0])

    def reference():  # scipy's exact distance transform, float64
        from scipy import ndimage

        cloudy = fraction[0, 0] >= context["cloud_tolerance"]
        d = ndimage.distance_transform_edt(~cloudy)
        D = context["max_distance_to_cloud_m"] / context["pixel_size_m"]
        return np.where(cloudy, 0.0, np.clip((d - 1) / D, 0, 1))

    return Scenario("distance_score", cube, context, size * size, reference)


# --- measuring -------------------------------------------------------------------------------

def _peak_mib(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def _run_udf(code: str, cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    data = UdfData(datacube_list=[XarrayDataCube(cube)], user_context=context)
    return run_udf_code(code, data).get_datacube_list()[0].get_array()


def measure_kernels(scenarios: list[Scenario], codes: dict[str, str], runs: int = RUNS,
                    reference_runs: int = REFERENCE_RUNS) -> dict[str, dict]:
    """Median time (and quartiles) and peak memory of each embedded UDF through the openeo UDF
    runner, and of its reference. Round by round: every kernel once per round and, in the first
    ``reference_runs`` rounds, every reference right after, so that kernels and references
    sample the same periods of a VM whose speed drifts."""
    calls = {s.name: (lambda s=s: _run_udf(codes[s.name], s.cube, s.context)) for s in scenarios}
    for call in calls.values():
        call()  # warm-up: module compile, caches
    times: dict[str, list[float]] = {name: [] for name in calls}
    reference_times: dict[str, list[float]] = {name: [] for name in calls}
    for round_number in range(runs):
        for name, call in calls.items():
            times[name].append(_seconds(call))
        if round_number < reference_runs:
            for s in scenarios:
                reference_times[s.name].append(_seconds(s.reference))
    result = {}
    for s in scenarios:
        seconds = times[s.name]
        median_s = statistics.median(seconds)
        fast, _, slow = statistics.quantiles(seconds, n=4, method="inclusive") if len(seconds) > 1 else [median_s] * 3
        result[s.name] = {
            "mpx_per_s": round(s.px_dates / median_s / 1e6, 2), "median_s": round(median_s, 4),
            "peak_mib": round(_peak_mib(calls[s.name]), 1), "runs": len(seconds),
            # the spread the VM's drift causes: Mpx/s at the slowest and fastest quartile
            "mpx_per_s_quartiles": [round(s.px_dates / slow / 1e6, 2), round(s.px_dates / fast / 1e6, 2)],
        }
        result[s.name].update(reference_figures(s, result[s.name], statistics.median(reference_times[s.name])))
    return result


def _seconds(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def reference_figures(scenario: Scenario, kernel: dict, reference_s: float) -> dict:
    """The reference's throughput and memory, and the kernel's ratios to it."""
    reference_peak = _peak_mib(scenario.reference)
    return {
        "reference_mpx_per_s": round(scenario.px_dates / reference_s / 1e6, 2),
        "reference_peak_mib": round(reference_peak, 1),
        "speedup": round(reference_s / kernel["median_s"], 2),
        "memory_ratio": round(kernel["peak_mib"] / reference_peak, 3),
    }


def compositing_agreement(scenario: Scenario, code: str) -> float:
    """Max abs difference between the kernel and the materialising reference (target ≤ 1e-5)."""
    out = _run_udf(code, scenario.cube, scenario.context).values
    ref = scenario.reference()
    both = np.isfinite(out) & np.isfinite(ref)
    return float(np.max(np.abs(out[both] - ref[both])))


def neighbourhood_overhead(udp: dict) -> dict:
    node = udp["process_graph"]["s2_distance_score"]["arguments"]
    size = node["size"][0]["value"]
    overlap = node["overlap"][0]["value"]
    static = (size + 2 * overlap) ** 2 / size ** 2
    needed = {
        "default": C.distance_overlap_px(C.DEFAULT_MAX_DISTANCE_TO_CLOUD_M),
        "max": C.distance_overlap_px(C.MAX_MAX_DISTANCE_TO_CLOUD_M),
    }
    return {"default": round(static, 3), "max": round(static, 3), "chunk_px": size, "overlap_px": overlap,
            "required_overlap_px": needed}


def graph_figures(udp: dict, path: Path) -> dict:
    def count(graph):
        n = udf = 0
        for node in graph.values():
            n += 1
            udf += node["process_id"] == "run_udf"
            for value in node["arguments"].values():
                if isinstance(value, dict) and "process_graph" in value:
                    sub_n, sub_udf = count(value["process_graph"])
                    n, udf = n + sub_n, udf + sub_udf
        return n, udf

    nodes, run_udf = count(udp["process_graph"])
    return {"nodes": nodes, "top_level_nodes": len(udp["process_graph"]), "run_udf": run_udf,
            "bytes": path.stat().st_size}


def _command_seconds(args: list[str], runs: int = 3) -> float | None:
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


def demo_figures() -> dict:
    """Wall time and peak memory of the demo's local run, as the demo reports them."""
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-m", "efast_udp", "demo", "--out", tmp],
                                capture_output=True, text=True, timeout=1800)
        metrics = Path(tmp) / "metrics.json"
        if result.returncode != 0 or not metrics.exists():
            return {"wall_s": None, "peak_mib": None, "error": (result.stderr.strip().splitlines() or ["?"])[-1]}
        data = json.loads(metrics.read_text())
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


def run_benchmark(udp_path: Path = UDP_DIR / "efast.json", runs: int = RUNS, with_demo: bool = True) -> dict:
    udp = json.loads(udp_path.read_text("utf-8"))
    nodes = udf_nodes(udp)
    udfs = {kernel: nodes[node_id] for kernel, node_id in KERNEL_NODES.items()}
    # the child runs first: a child inherits the parent's peak RSS as its starting ru_maxrss, and
    # the references below take the parent past 2 GB
    local_runs = {"demo": demo_figures() if with_demo else {"wall_s": None, "peak_mib": None},
                  "scale": scale.scale_figures() if with_demo else None}
    rng = np.random.default_rng(2024)
    scenarios = [
        compositing_scenario(rng, udfs["compositing"][1]),
        interpolation_scenario(rng, udfs["interpolation"][1]),
        fusion_scenario(rng, udfs["fusion"][1]),
        distance_scenario(rng, udfs["distance_score"][1]),
    ]
    kernels = measure_kernels(scenarios, {name: code for name, (code, _) in udfs.items()}, runs,
                              min(runs, REFERENCE_RUNS))
    kernels["compositing"]["max_abs_diff_vs_reference"] = compositing_agreement(scenarios[0], udfs["compositing"][0])
    with tempfile.TemporaryDirectory() as tmp:
        build_s = _command_seconds(["build", "--force", "-o", str(Path(tmp) / "efast.json")])
    return {
        "machine": {"python": platform.python_version(), "machine": platform.machine(),
                    "processor": platform.processor() or None, "cpu": cpu_identity(), "cpus": os.cpu_count(),
                    "numpy": np.__version__},
        "kernels": kernels,
        "neighborhood_overhead": neighbourhood_overhead(udp),
        "graph": graph_figures(udp, udp_path),
        "build_s": build_s,
        "validate_s": _command_seconds(["validate", str(udp_path)]),
        **local_runs,
    }


def format_table(result: dict) -> str:
    lines = [f"{'kernel':15s} {'Mpx/s':>8s} {'quartiles':>12s} {'median s':>9s} {'peak MiB':>9s} {'ref Mpx/s':>10s} "
             f"{'ref MiB':>9s} {'speedup':>8s} {'mem ratio':>9s}"]
    for name, k in result["kernels"].items():
        low, high = k.get("mpx_per_s_quartiles", [k["mpx_per_s"]] * 2)
        lines.append(f"{name:15s} {k['mpx_per_s']:8.1f} {f'{low:.1f}-{high:.1f}':>12s} {k['median_s']:9.4f} {k['peak_mib']:9.1f} "
                     f"{k['reference_mpx_per_s']:10.2f} {k['reference_peak_mib']:9.1f} {k['speedup']:8.1f} "
                     f"{k['memory_ratio']:9.3f}")
    o, g = result["neighborhood_overhead"], result["graph"]
    lines += [
        f"neighbourhood overhead: default {o['default']}, max {o['max']} "
        f"(chunk {o['chunk_px']} px, overlap {o['overlap_px']} px)",
        f"graph: {g['nodes']} nodes ({g['top_level_nodes']} top-level), {g['run_udf']} run_udf, {g['bytes']} bytes",
        f"build {result['build_s']} s, validate {result['validate_s']} s, "
        f"demo {result['demo'].get('wall_s')} s / {result['demo'].get('peak_mib')} MiB",
    ]
    if result.get("scale"):
        lines.append(scale.format_table(result["scale"]))
    return "\n".join(lines)


def python_memory_needed_mib(result: dict) -> float:
    """Peak of the largest kernel per standard chunk, times 2 for xarray/serialisation copies."""
    return 2 * max(k["peak_mib"] for k in result["kernels"].values())

