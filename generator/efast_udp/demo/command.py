"""``efast-udp demo``: synthetic scene with known truth -> released UDP -> metrics and quicklooks.

Writes ``OUT/data/`` (the local collections), ``OUT/parameters.json`` (the UDP arguments the
demo uses; ``efast-udp run --params`` reads it), ``OUT/result/`` (the run's NetCDF and
GeoTIFFs), ``OUT/metrics.json`` and ``OUT/quicklooks/*.png``, and prints the RMSE table. With
``--scene-only`` it stops after the scene and its parameters. The checks run window by window
(``evaluate``), so the demo needs about the memory of the run itself.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

from efast_udp.demo import evaluate, metrics, quicklooks
from efast_udp.demo.scene import S2_BANDS, SceneConfig, make_scene
from efast_udp.errors import EfastUdpError
from efast_udp.local.command import add_scheduler_arguments, run_udp

HELP = "synthetic scene with known truth: run the released UDP on it, write metrics.json and quicklooks"

TARGET_MARGIN_DAYS = 10
#: S3 compositing window of the demo (days). The scene's green-up takes ~10 days; with daily
#: S3 a 3-day window resolves it, while the default 10 days would blur it over the whole gap.
DEMO_S3_SIGMA_DAYS = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--udp", type=Path, default=Path("udp/efast.json"), help="process definition JSON (default: udp/efast.json)")
    parser.add_argument("--size", type=int, default=SceneConfig.size_px, help="scene size in 10 m pixels (multiple of 30)")
    parser.add_argument("--seed", type=int, default=SceneConfig.seed)
    parser.add_argument("--scene-only", action="store_true",
                        help="only write OUT/data/ and OUT/parameters.json (the arguments the demo runs with)")
    parser.add_argument("--no-quicklooks", action="store_true")
    add_scheduler_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


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
    if size <= 0 or size % 30:
        raise EfastUdpError(f"--size must be a positive multiple of 30, got {size}")
    scene = make_scene(SceneConfig(size_px=size, seed=seed))
    scene.write(out / "data")
    (out / "parameters.json").write_text(json.dumps(demo_parameters(scene), indent=2) + "\n")
    scene.s2 = {}
    return scene


def run_demo(out: Path, udp: Path, size: int, seed: int, show_progress: bool, quicklooks_too: bool,
             scene_only: bool = False, **run_options) -> dict:
    """The demo; ``run_options`` go to ``efast_udp.local.command.run_udp`` (scheduler, workers, ...)."""
    scene = write_scene(out, size, seed)
    given = demo_parameters(scene)
    if scene_only:
        return {"scene": {"size_px": size, "seed": seed}, "parameters": given}
    start = time.perf_counter()
    result, _ = run_udp(udp, out / "data", given, out / "result", show_progress=show_progress, **run_options)
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
    checked = evaluate.evaluate(scene, out / "data", out / "result" / "efast.nc", result.parameters, target_days,
                                names, gap_index, int(epoch))
    report = {
        "rmse": checked.scores,
        "oracle_max_abs_diff": checked.oracle_max_abs_diff,
        "oracle_defined_mismatch": checked.oracle_defined_mismatch,
        "wall_s": round(wall, 2),
        "peak_mib": round(peak, 1),
        "scene": {"size_px": size, "seed": seed, "targets": int(len(target_days)), "gap_targets": int(gap.sum())},
        "parameters": {k: v for k, v in given.items()},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    if quicklooks_too:
        first_gap = min(scene.config.gap_days) - scene.config.s2_step_days
        last_gap = max(scene.config.gap_days) + scene.config.s2_step_days
        quicklooks.write_all(out / "quicklooks", list(S2_BANDS) + ["NDVI"], checked.maps, checked.series,
                             target_days, gap_index, scene.s2_days, (first_gap, last_gap))
    return report


def oracle_target_days(params: dict) -> np.ndarray:
    from efast_udp.demo.oracle import target_days
    return target_days(params).astype(np.int64)


def table(report: dict) -> str:
    r = report["rmse"]
    lines = [
        "RMSE vs truth (reflectance)   EFAST      S2-only interpolation",
        f"  all pixels, all targets     {r['all']['efast']:.5f}    {r['all']['s2_only']:.5f}",
        f"  inside the S2 cloud gap     {r['gap']['efast']:.5f}    {r['gap']['s2_only']:.5f}",
        f"oracle max abs diff {report['oracle_max_abs_diff']:.2e}   wall {report['wall_s']} s   peak {report['peak_mib']} MiB",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    report = run_demo(args.out, args.udp, args.size, args.seed, not args.quiet, not args.no_quicklooks,
                      scene_only=args.scene_only, scheduler=args.scheduler, workers=args.workers,
                      memory_limit=args.memory_limit, chunk_px=args.chunk_px, report=args.dask_report)
    if args.scene_only:
        print(f"efast-udp demo: wrote {args.out / 'data'} and {args.out / 'parameters.json'}")
        return 0
    print(table(report))
    print(f"efast-udp demo: wrote {args.out / 'metrics.json'}")
    return 0
