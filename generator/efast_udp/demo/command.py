"""``efast-udp demo``: synthetic scene with known truth -> released UDP -> metrics and quicklooks.

Writes ``OUT/data/`` (the local collections), ``OUT/result/`` (the run's NetCDF and GeoTIFFs),
``OUT/metrics.json`` and ``OUT/quicklooks/*.png``, and prints the RMSE table.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

from efast_udp.demo import metrics, oracle, quicklooks
from efast_udp.demo.scene import S2_BANDS, SceneConfig, make_scene
from efast_udp.local.command import execute, write_outputs

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
    parser.add_argument("--no-quicklooks", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def demo_parameters(scene) -> dict:
    start = scene.dates(TARGET_MARGIN_DAYS)
    end = scene.dates(scene.config.n_days - TARGET_MARGIN_DAYS)
    return {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent,
            "temporal_extent_target": [str(start), str(end)], "output_ndvi": True,
            "s3_temporal_score_stddev": DEMO_S3_SIGMA_DAYS}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_demo(out: Path, udp: Path, size: int, seed: int, show_progress: bool, quicklooks_too: bool) -> dict:
    from efast_udp.errors import EfastUdpError
    if size <= 0 or size % 30:
        raise EfastUdpError(f"--size must be a positive multiple of 30, got {size}")
    scene = make_scene(SceneConfig(size_px=size, seed=seed))
    scene.write(out / "data")
    given = demo_parameters(scene)
    start = time.perf_counter()
    result = execute(udp, out / "data", given, show_progress)
    wall = time.perf_counter() - start
    peak = peak_mib()
    write_outputs(result, out / "result", save_intermediates=False)

    epoch = scene.dates(0).astype(np.int64)  # day 0 in days since 1970
    fused = result.result.transpose("t", "bands", "y", "x")
    target_days = fused.t.values.astype("datetime64[D]").astype(np.int64) - epoch
    efast = fused.values.astype(np.float64)
    expected, names, oracle_days = oracle.efast(scene.s2, scene.s2_days + epoch, scene.s3, scene.s3_days + epoch,
                                                result.parameters)
    if names != [str(b) for b in fused.bands.values] or not np.array_equal(oracle_days - epoch, target_days):
        raise EfastUdpError("demo: the UDP's output bands or dates differ from the oracle's")
    both = np.isfinite(efast) & np.isfinite(expected)
    mismatch = int((np.isfinite(efast) != np.isfinite(expected)).sum())
    diff = float(np.max(np.abs(efast - expected)[both])) if both.any() else float("nan")

    n_refl = len(S2_BANDS)
    true = metrics.truth(scene, target_days)
    baseline = metrics.s2_only(scene, target_days)
    report = {
        "rmse": metrics.compute(scene, efast[:, :n_refl], baseline, true, target_days),
        "oracle_max_abs_diff": diff,
        "oracle_defined_mismatch": mismatch,
        "wall_s": round(wall, 2),
        "peak_mib": round(peak, 1),
        "scene": {"size_px": size, "seed": seed, "targets": int(len(target_days)),
                  "gap_targets": int(metrics.gap_mask(scene, target_days).sum())},
        "parameters": {k: v for k, v in given.items()},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    if quicklooks_too:
        gap = metrics.gap_mask(scene, target_days)
        gap_index = int(np.flatnonzero(gap)[len(np.flatnonzero(gap)) // 2]) if gap.any() else 0
        daily = np.stack([scene.truth(d) for d in range(scene.config.n_days)])
        clear = ~np.isin(scene.s2["SCL"], oracle.S2_INVALID_SCL)
        obs = np.stack([np.where(clear, scene.s2[b] * oracle.DN_SCALE, np.nan) for b in S2_BANDS], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            add_ndvi = lambda a: np.concatenate([a, metrics.ndvi(a)[:, None]], axis=1)  # noqa: E731
            first_gap = min(scene.config.gap_days) - scene.config.s2_step_days
            last_gap = max(scene.config.gap_days) + scene.config.s2_step_days
            quicklooks.write_all(out / "quicklooks", list(S2_BANDS) + ["NDVI"], add_ndvi(true), add_ndvi(baseline),
                                 np.concatenate([efast[:, :n_refl], efast[:, n_refl:n_refl + 1]], axis=1),
                                 target_days, gap_index, add_ndvi(daily), add_ndvi(obs), scene.s2_days,
                                 (first_gap, last_gap))
    return report


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
    report = run_demo(args.out, args.udp, args.size, args.seed, not args.quiet, not args.no_quicklooks)
    print(table(report))
    print(f"efast-udp demo: wrote {args.out / 'metrics.json'}")
    return 0
