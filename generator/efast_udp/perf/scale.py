"""The ``scale`` section of ``efast-udp bench``: ``efast-udp run`` on demo scenes of growing size.

Each size gets a fresh scene (``efast-udp demo --scene-only``) and one ``efast-udp run`` in a
child process (default scheduler and window), timed from the outside; the peak resident memory
is the child's own (``wait4``), so the figures are what ``/usr/bin/time`` reports. Per
megapixel-date: over the scene's 60 days. The growth ratio compares the peaks of the largest
and the smallest scene: near 1 when memory is set by the window, not by the scene.
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
from efast_udp.project import LATEST_UDP

SIZES = (300, 1200)
RUN_TIMEOUT_S = 1800


def _child(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS MiB, exit code and last stderr line of ``python -m efast_udp ARGS``."""
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
    return wall, usage.ru_maxrss / 1024.0, child.returncode, (lines or [""])[-1]


def run_figures(size: int, work: Path, udp_args: list[str]) -> dict:
    scene = work / f"scene{size}"
    _, _, code, message = _child(["demo", "--scene-only", "--size", str(size), "--out", str(scene), "--quiet"])
    if code != 0:
        return {"size_px": size, "error": message}
    wall, peak, code, message = _child(["run", *udp_args, "--data", str(scene / "data"),
                                        "--params", str(scene / "parameters.json"), "--out", str(work / f"out{size}"),
                                        "--quiet", "--no-quicklooks"])
    if code != 0:
        return {"size_px": size, "error": message}
    mpx_dates = size * size / 1e6 * SceneConfig.n_days
    return {"size_px": size, "wall_s": round(wall, 2), "peak_rss_mib": round(peak, 1),
            "mib_per_mpx_date": round(peak / mpx_dates, 1), "wall_s_per_mpx_date": round(wall / mpx_dates, 3)}


def scale_figures(sizes=SIZES, udp_args: list[str] | None = None) -> dict:
    """``run`` on scenes of ``sizes`` px; ``udp_args`` choose the UDP (default: udp/efast.json)."""
    udp_args = udp_args or ["--udp", str(LATEST_UDP)]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_figures(size, Path(tmp), udp_args) for size in sizes]
    ok = [r for r in runs if "error" not in r]
    result = {"scheduler": "threads", "runs": runs}
    if len(ok) >= 2:
        small, large = ok[0], ok[-1]
        result["memory_growth_ratio"] = round(large["peak_rss_mib"] / small["peak_rss_mib"], 2)
        result["wall_growth_ratio"] = round(large["wall_s"] / small["wall_s"], 2)
        result["pixel_ratio"] = round((large["size_px"] / small["size_px"]) ** 2, 2)
    return result


def format_table(scale: dict) -> str:
    lines = [f"scale (efast-udp run, {scale['scheduler']}): {'side px':>8s} {'wall s':>8s} {'peak MiB':>9s} "
             f"{'MiB/Mpx-date':>13s} {'s/Mpx-date':>11s}"]
    for r in scale["runs"]:
        if "error" in r:
            lines.append(f"{'':32s}{r['size_px']:>8d}  error: {r['error']}")
            continue
        lines.append(f"{'':32s}{r['size_px']:>8d} {r['wall_s']:8.1f} {r['peak_rss_mib']:9.1f} "
                     f"{r['mib_per_mpx_date']:13.1f} {r['wall_s_per_mpx_date']:11.3f}")
    if "memory_growth_ratio" in scale:
        lines.append(f"{'':32s}memory growth x{scale['memory_growth_ratio']}, wall growth x{scale['wall_growth_ratio']} "
                     f"for x{scale['pixel_ratio']} pixels")
    return "\n".join(lines)
