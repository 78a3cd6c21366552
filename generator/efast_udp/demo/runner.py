"""The demo: synthetic scene with known truth -> released UDP -> metrics and quicklooks (``efast-udp demo``).

Writes ``OUT/data/`` (the local collections), ``OUT/parameters.json`` (the UDP arguments the
demo uses; ``efast-udp run --params`` reads it), ``OUT/result/`` (the run's NetCDF and
GeoTIFFs), ``OUT/metrics.json``, ``OUT/quicklooks/*.png`` and the site's figure and thumbnail
(``OUT/site/``), and prints the RMSE table. With
``--scene-only`` it stops after the scene and its parameters. The checks run window by window
(``evaluate``), so the demo needs about the memory of the run itself.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

from efast_udp.demo import evaluate, metrics, oracle, quicklooks
from efast_udp.demo.scene import CRS, S2_BANDS, SceneConfig, make_scene
from efast_udp.document import dump_json
from efast_udp.errors import EfastUdpError, UsageError
from efast_udp.local.runner import run_udp

TARGET_MARGIN_DAYS = 10
#: S3 compositing window of the demo (days). The scene's green-up takes ~10 days; with daily
#: S3 a 3-day window resolves it, while the default 10 days would blur it over the whole gap.
DEMO_S3_SIGMA_DAYS = 3


#: Scene sizes the demo accepts (10 m pixels): a multiple of the 30 S2 pixels of a 300 m cell.
SIZE_STEP, SIZE_MAX = 30, 6000


def check_size(size: int) -> int:
    if size <= 0 or size % SIZE_STEP or size > SIZE_MAX:
        raise UsageError(f"--size {size}: expected a multiple of {SIZE_STEP} from {SIZE_STEP} to {SIZE_MAX} "
                         "(10 m pixels per side)")
    return size


def demo_parameters(scene) -> dict:
    start = scene.dates(TARGET_MARGIN_DAYS)
    end = scene.dates(scene.config.n_days - TARGET_MARGIN_DAYS)
    return {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent,
            "temporal_extent_target": [str(start), str(end)], "output_ndvi": True,
            "s3_temporal_score_stddev": DEMO_S3_SIGMA_DAYS}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def write_scene(out: Path, size: int, seed: int):
    """``OUT/data/`` (the local collections) and ``OUT/parameters.json``; returns the scene
    without its S2 arrays (they are read back window by window)."""
    check_size(size)
    scene = make_scene(SceneConfig(size_px=size, seed=seed))
    scene.write(out / "data")
    (out / "parameters.json").write_text(dump_json(demo_parameters(scene)), encoding="utf-8")
    scene.s2 = {}
    return scene


def step(message: str, show: bool) -> None:
    """What the demo does next (it takes a while at larger sizes)."""
    if show:
        print(f"efast-udp demo: {message}", file=sys.stderr, flush=True)


def run_demo(out: Path, udp: dict | Path, size: int, seed: int, show_progress: bool, quicklooks_too: bool,
             scene_only: bool = False, **run_options) -> dict:
    """The demo; ``run_options`` go to ``efast_udp.local.runner.run_udp`` (scheduler, workers, ...)."""
    step(f"writing the {size} x {size} px scene", show_progress)
    scene = write_scene(out, size, seed)
    given = demo_parameters(scene)
    if scene_only:
        return {"scene": {"size_px": size, "seed": seed}, "parameters": given}
    step("running the UDP", show_progress)
    start = time.perf_counter()
    output = run_udp(udp, out / "data", given, out / "result", show_progress=show_progress, **run_options)
    result = output.result
    wall = time.perf_counter() - start
    peak = peak_mib()

    epoch = scene.dates(0).astype(np.int64)  # day 0 in days since 1970
    fused = result.result.transpose("t", "bands", "y", "x")
    target_days = fused.t.values.astype("datetime64[D]").astype(np.int64) - epoch
    names = [str(b) for b in fused.bands.values]
    expected_days = oracle_target_days(result.parameters) - epoch
    expected_names = list(result.parameters.get("fused_band_names") or result.parameters["s2_data_bands"]) + ["NDVI"]
    if names != expected_names or not np.array_equal(expected_days, target_days):
        raise EfastUdpError("demo: the UDP's output bands or dates differ from the oracle's")
    gap = metrics.gap_mask(scene, target_days)
    gap_index = int(np.flatnonzero(gap)[len(np.flatnonzero(gap)) // 2]) if gap.any() else 0
    step("comparing with the oracle and the truth, window by window", show_progress)
    checked = evaluate.evaluate(scene, out / "data", out / "result" / "openEO.nc", result.parameters, target_days,
                                names, gap_index, int(epoch), evaluate.oracle_inputs(result, scene))
    report = {
        "rmse": checked.scores,
        "oracle_max_abs_diff": checked.oracle_max_abs_diff,
        "oracle_defined_mismatch": checked.oracle_defined_mismatch,
        "nodata_fraction": output.nodata,
        "wall_s": round(wall, 2),
        "peak_mib": round(peak, 1),
        "scene": {"size_px": size, "seed": seed, "targets": int(len(target_days)), "gap_targets": int(gap.sum())},
        "parameters": {k: v for k, v in given.items()},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(dump_json(report), encoding="utf-8")
    if quicklooks_too:
        step("drawing quicklooks", show_progress)
        first_gap = min(scene.config.gap_days) - scene.config.s2_step_days
        last_gap = max(scene.config.gap_days) + scene.config.s2_step_days
        dates = {"truth": scene.dates(np.arange(scene.config.n_days)), "obs": scene.dates(scene.s2_days),
                 "targets": scene.dates(target_days)}
        grid = {"x": scene.x[::checked.step], "y": scene.y[::checked.step], "crs": CRS}
        gap_date, gap_span = str(scene.dates(target_days[gap_index])), tuple(scene.dates([first_gap, last_gap]))
        bands = list(S2_BANDS) + ["NDVI"]
        quicklooks.write_all(out / "quicklooks", bands, checked.maps, checked.series, dates, gap_date, gap_span, grid)
        ndvi = bands.index("NDVI")
        quicklooks.site_figures(out / "site", checked.maps["NDVI"], gap_date, dates,
                                {k: v[:, ndvi] for k, v in checked.series.items()}, gap_span, grid)
    return report


def oracle_target_days(params: dict) -> np.ndarray:
    return oracle.target_days(params).astype(np.int64)


def table(report: dict) -> str:
    r = report["rmse"]
    lines = [
        "RMSE vs truth (reflectance)   EFAST      S2-only interpolation",
        f"  all pixels, all targets     {r['all']['efast']:.5f}    {r['all']['s2_only']:.5f}",
        f"  inside the S2 cloud gap     {r['gap']['efast']:.5f}    {r['gap']['s2_only']:.5f}",
        f"oracle max abs diff {report['oracle_max_abs_diff']:.2e}   wall {report['wall_s']} s   peak {report['peak_mib']} MiB",
    ]
    return "\n".join(lines)
