"""Timing and memory of the kernels, round by round, beside their references."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from typing import Callable

import xarray
from openeo.udf import UdfData, XarrayDataCube
from openeo.udf.run_code import run_udf_code

from efast_udp.perf.scenarios import Scenario

from efast_udp.perf import RUNS

#: Timed runs of the reference formulations (the slowest takes seconds per run).
REFERENCE_RUNS = 5


def peak_mib(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def run_udf(code: str, cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    data = UdfData(datacube_list=[XarrayDataCube(cube)], user_context=context)
    return run_udf_code(code, data).get_datacube_list()[0].get_array()


def measure_kernels(scenarios: list[Scenario], codes: dict[str, str], runs: int = RUNS,
                    reference_runs: int = REFERENCE_RUNS) -> dict[str, dict]:
    """Median time (and quartiles) and peak memory of each embedded UDF through the openeo UDF
    runner, and of its reference. Round by round: every kernel once per round and, in the first
    ``reference_runs`` rounds, every reference right after, so that kernels and references
    sample the same periods of a VM whose speed drifts."""
    calls = {s.name: (lambda s=s: run_udf(codes[s.name], s.cube, s.context)) for s in scenarios}
    for call in calls.values():
        call()  # warm-up: module compile, caches
    times: dict[str, list[float]] = {name: [] for name in calls}
    reference_times: dict[str, list[float]] = {name: [] for name in calls}
    for round_number in range(runs):
        for name, call in calls.items():
            times[name].append(seconds(call))
        if round_number < reference_runs:
            for s in scenarios:
                reference_times[s.name].append(seconds(s.reference))
    result = {}
    for s in scenarios:
        timed = times[s.name]
        median_s = statistics.median(timed)
        fast, _, slow = statistics.quantiles(timed, n=4, method="inclusive") if len(timed) > 1 else [median_s] * 3
        result[s.name] = {
            "mpx_per_s": round(s.px_dates / median_s / 1e6, 2), "median_s": round(median_s, 4),
            "peak_mib": round(peak_mib(calls[s.name]), 1), "runs": len(timed),
            # the spread the VM's drift causes: Mpx/s at the slowest and fastest quartile
            "mpx_per_s_quartiles": [round(s.px_dates / slow / 1e6, 2), round(s.px_dates / fast / 1e6, 2)],
        }
        result[s.name].update(reference_figures(s, result[s.name], statistics.median(reference_times[s.name])))
        result[s.name]["max_abs_diff_vs_reference"] = s.agreement(calls[s.name]())
    return result


def seconds(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def reference_figures(scenario: Scenario, kernel: dict, reference_s: float) -> dict:
    """The reference's throughput and memory, and the kernel's ratios to it."""
    reference_peak = peak_mib(scenario.reference)
    return {
        "reference_mpx_per_s": round(scenario.px_dates / reference_s / 1e6, 2),
        "reference_peak_mib": round(reference_peak, 1),
        "speedup": round(reference_s / kernel["median_s"], 2),
        "memory_ratio": round(kernel["peak_mib"] / reference_peak, 3),
    }
