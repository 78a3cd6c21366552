"""``efast_udp.perf.measure``: traced peak memory, a UDF through the openeo runner, and the figures
of kernels beside their references, with the clock and memory replaced so that they are exact."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import xarray

from efast_udp.perf import measure
from efast_udp.perf.scenarios import Scenario

SCALE_UDF = """
import xarray


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    return cube * context["factor"]
"""


def small_cube() -> xarray.DataArray:
    values = np.arange(2 * 1 * 2 * 3, dtype=np.float32).reshape(2, 1, 2, 3)
    return xarray.DataArray(values, dims=("t", "bands", "y", "x"),
                            coords={"t": np.array(["2023-06-01", "2023-06-02"], "datetime64[ns]"), "bands": ["b"]})


def test_peak_mib_traces_what_the_call_allocates():
    assert 10.0 <= measure.peak_mib(lambda: bytearray(10 * 2 ** 20)) < 10.5
    assert not tracemalloc.is_tracing()


def test_peak_mib_stops_tracing_when_the_call_fails():
    def fail():
        raise ValueError("x")

    with pytest.raises(ValueError):
        measure.peak_mib(fail)
    assert not tracemalloc.is_tracing()


def test_run_udf_runs_the_code_with_its_context():
    cube = small_cube()
    out = measure.run_udf(SCALE_UDF, cube, {"factor": 3})
    assert isinstance(out, xarray.DataArray) and out.dims == cube.dims
    np.testing.assert_array_equal(out.values, cube.values * 3)


def test_seconds_is_the_time_of_one_call(monkeypatch):
    ticks = iter([5.0, 7.25])
    monkeypatch.setattr(measure.time, "perf_counter", lambda: next(ticks))
    calls = []
    assert measure.seconds(lambda: calls.append(1)) == 2.25 and calls == [1]


def scenario(name: str, reference_value: float) -> Scenario:
    cube = small_cube()
    return Scenario(name=name, cube=cube, context={"factor": 2}, px_dates=4_000_000,
                    reference=lambda: cube.values * 2 + reference_value,
                    comparable=lambda output: output.values)


def test_reference_figures_are_ratios_to_the_kernel(monkeypatch):
    monkeypatch.setattr(measure, "peak_mib", lambda fn: 8.0)
    kernel = {"median_s": 0.5, "peak_mib": 2.0}
    assert measure.reference_figures(scenario("k", 0), kernel, reference_s=4.0) == {
        "reference_mpx_per_s": 1.0, "reference_peak_mib": 8.0, "speedup": 8.0, "memory_ratio": 0.25}


def test_kernels_and_references_are_timed_round_by_round(monkeypatch):
    scenarios = [scenario("one", 0.0), scenario("two", 0.5)]
    references = {s.reference: s.name for s in scenarios}
    codes = {"one": "code of one", "two": "code of two"}
    ran, order, kernel_times = [], [], {"one": iter([1.0, 4.0, 2.0, 3.0, 5.0]), "two": iter([2.0] * 5)}

    def run_udf(code, cube, context):
        ran.append(next(name for name, c in codes.items() if c == code))
        return cube * context["factor"]

    def seconds(fn):
        if fn in references:
            order.append(f"ref {references[fn]}")
            return 8.0
        fn()
        order.append(ran[-1])
        return next(kernel_times[ran[-1]])

    monkeypatch.setattr(measure, "run_udf", run_udf)
    monkeypatch.setattr(measure, "seconds", seconds)
    monkeypatch.setattr(measure, "peak_mib", lambda fn: 1.0)
    result = measure.measure_kernels(scenarios, codes, runs=5, reference_runs=2)
    assert ran[:2] == ["one", "two"]  # the warm-up
    assert order == ["one", "two", "ref one", "ref two"] * 2 + ["one", "two"] * 3
    assert result["one"] == {
        "mpx_per_s": 1.33, "median_s": 3.0, "peak_mib": 1.0, "runs": 5, "mpx_per_s_quartiles": [1.0, 2.0],
        "reference_mpx_per_s": 0.5, "reference_peak_mib": 1.0, "speedup": 2.67, "memory_ratio": 1.0,
        "max_abs_diff_vs_reference": 0.0}
    assert result["two"]["median_s"] == 2.0 and result["two"]["mpx_per_s_quartiles"] == [2.0, 2.0]
    assert result["two"]["max_abs_diff_vs_reference"] == 0.5


def test_one_round_has_no_spread(monkeypatch):
    monkeypatch.setattr(measure, "seconds", lambda fn: 2.0)
    monkeypatch.setattr(measure, "peak_mib", lambda fn: 1.0)
    (name, figures), = measure.measure_kernels([scenario("k", 0.0)], {"k": SCALE_UDF}, runs=1).items()
    assert figures["runs"] == 1 and figures["mpx_per_s_quartiles"] == [2.0, 2.0] and figures["mpx_per_s"] == 2.0
