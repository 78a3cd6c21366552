"""The ``scale`` section of ``efast-udp bench``: ``efast-udp run`` on demo scenes of growing size.

Each size gets a fresh scene (``efast-udp demo --scene-only``) and one ``efast-udp run`` with
its defaults (GeoTIFFs and quicklooks included) in a child process, timed from the outside; the
peak resident memory and the CPU time are the child's own (``wait4``), so the figures are what
``/usr/bin/time`` reports. The run's ``--timings`` give its phases: the share of the wall time
the writers kept it waiting (what they do beside the computation is not counted) and the share
spent drawing quicklooks. Per megapixel-date: over the scene's 60 days. The growth ratio
compares the peaks of the largest and the smallest scene: near 1 when memory is set by the
window, not by the scene. ``import_s``: a fresh Python importing what ``run`` needs.

``TARGETS`` are issue 22's (2 cores); ``BEFORE`` the figures measured on this project's 2-core
machine before the writers and the Sentinel-3 read were reworked, and 0.3.0's from issue 22.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from efast_udp.demo.scene import SceneConfig
from efast_udp.document import load_json
from efast_udp.project import LATEST_UDP

SIZES = (300, 1200)
RUN_TIMEOUT_S = 1800


def _child(args: list[str]) -> tuple[float, float, float, int, str]:
    """Wall seconds, peak RSS MiB, CPU seconds (user + system), exit code and last stderr line
    of ``python -m efast_udp ARGS``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "efast_udp", *args], stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(RUN_TIMEOUT_S, child.kill)  # a bounded wait
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage
        finally:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime, child.returncode, (lines or [""])[-1]


#: what ``import_s`` imports: the command, the runner and everything the executor imports on first use
IMPORTS = "import efast_udp.commands.run, efast_udp.local.runner, openeo_cdse_local; openeo_cdse_local.preload()"


def import_seconds(rounds: int = 3) -> float | None:
    """Seconds a fresh Python takes to import what ``run`` needs (median of ``rounds``)."""
    code = f"import time; t = time.perf_counter(); {IMPORTS}; print(time.perf_counter() - t)"
    times = []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            return None
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return round(sorted(times)[len(times) // 2], 2)


def run_figures(size: int, work: Path, udp_args: list[str]) -> dict:
    scene = work / f"scene{size}"
    _, _, _, code, message = _child(["demo", "--scene-only", "--size", str(size), "--out", str(scene), "--quiet"])
    if code != 0:
        return {"size_px": size, "error": message}
    timings = work / f"timings{size}.json"
    wall, peak, cpu, code, message = _child(["run", *udp_args, "--data", str(scene / "data"),
                                             "--params", str(scene / "parameters.json"),
                                             "--out", str(work / f"out{size}"), "--quiet", "--timings", str(timings)])
    if code != 0:
        return {"size_px": size, "error": message}
    phases = load_json(timings)
    mpx_dates = size * size / 1e6 * SceneConfig.n_days
    return {"size_px": size, "wall_s": round(wall, 2), "cpu_per_wall": round(cpu / wall, 2),
            "peak_rss_mib": round(peak, 1), "writing_share": round(phases.get("writing_s", 0.0) / wall, 3),
            "quicklooks_share": round(phases.get("quicklooks_s", 0.0) / wall, 3),
            "phases_s": {k: v for k, v in phases.items() if k.endswith("_s")},
            "mib_per_mpx_date": round(peak / mpx_dates, 1), "wall_s_per_mpx_date": round(wall / mpx_dates, 3)}


#: issue 22's targets for the default run (2 cores); the 1200 px memory as a ratio to 300 px
TARGETS = {"cpu_per_wall_1200": 1.7, "writing_share_1200": 0.15, "quicklooks_share_1200": 0.15, "import_s": 0.8,
           "peak_rss_mib_300": 450, "memory_growth_ratio": 1.5}
#: figures before (same machine, same scenes, default run): 0.4.0 as released, and 0.3.0 as issue
#: 22 reports it (its 300 px phases; peak 750 MiB)
BEFORE = {
    "0.4.0": {"300": {"wall_s": 22.05, "cpu_per_wall": 1.08, "peak_rss_mib": 1236.5, "quicklooks_s": 7.7},
              "1200": {"wall_s": 76.9, "cpu_per_wall": 1.15, "peak_rss_mib": 1721.3}},
    "0.3.0": {"300": {"imports_s": 1.6, "set_up_s": 1.6, "compute_and_write_s": 1.4, "quicklooks_s": 2.8,
                      "peak_rss_mib": 750}},
}


def scale_figures(sizes=SIZES, udp_args: list[str] | None = None, import_rounds: int = 3) -> dict:
    """``run`` on scenes of ``sizes`` px; ``udp_args`` choose the UDP (default: udp/efast.json);
    the import time is the median of ``import_rounds`` fresh Pythons."""
    udp_args = udp_args or ["--udp", str(LATEST_UDP)]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_figures(size, Path(tmp), udp_args) for size in sizes]
    ok = [r for r in runs if "error" not in r]
    result = {"scheduler": "threads", "runs": runs, "import_s": import_seconds(import_rounds), "targets": TARGETS,
              "before": BEFORE}
    if len(ok) >= 2:
        small, large = ok[0], ok[-1]
        result["memory_growth_ratio"] = round(large["peak_rss_mib"] / small["peak_rss_mib"], 2)
        result["wall_growth_ratio"] = round(large["wall_s"] / small["wall_s"], 2)
        result["pixel_ratio"] = round((large["size_px"] / small["size_px"]) ** 2, 2)
    return result


def format_table(scale: dict) -> str:
    lines = [f"scale (efast-udp run, {scale['scheduler']}): {'side px':>8s} {'wall s':>8s} {'CPU/wall':>9s} "
             f"{'peak MiB':>9s} {'writing':>8s} {'quicklooks':>11s} {'MiB/Mpx-date':>13s} {'s/Mpx-date':>11s}"]
    for r in scale["runs"]:
        if "error" in r:
            lines.append(f"{'':32s}{r['size_px']:>8d}  error: {r['error']}")
            continue
        lines.append(f"{'':32s}{r['size_px']:>8d} {r['wall_s']:8.1f} {r['cpu_per_wall']:9.2f} "
                     f"{r['peak_rss_mib']:9.1f} {100 * r['writing_share']:7.1f}% {100 * r['quicklooks_share']:10.1f}% "
                     f"{r['mib_per_mpx_date']:13.1f} {r['wall_s_per_mpx_date']:11.3f}")
    if "memory_growth_ratio" in scale:
        lines.append(f"{'':32s}memory growth x{scale['memory_growth_ratio']}, wall growth x{scale['wall_growth_ratio']} "
                     f"for x{scale['pixel_ratio']} pixels")
    lines.append(f"{'':32s}imports of run: {scale.get('import_s')} s (target {TARGETS['import_s']} s); before: "
                 + "; ".join(f"{v} {side} px {f['wall_s']} s, {f['peak_rss_mib']} MiB"
                             for v, sides in BEFORE.items() for side, f in sides.items() if "wall_s" in f))
    return "\n".join(lines)
