"""PNG quicklooks of the demo: truth vs S2-only interpolation vs EFAST, per band and NDVI.

``map_<band>.png``: the three images on a date inside the cloud gap; ``timeseries_<band>.png``:
scene means over time (truth daily, clear S2 observations, both estimates at the targets).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _map(path: Path, title: str, images: dict, day_label: str, vmin: float, vmax: float) -> None:
    fig, axes = plt.subplots(1, len(images), figsize=(4 * len(images), 4.2), constrained_layout=True)
    for ax, (name, image) in zip(axes, images.items()):
        im = ax.imshow(image, vmin=vmin, vmax=vmax, cmap="viridis")
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=axes, shrink=0.8)
    fig.suptitle(f"{title}, {day_label}")
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _series(path: Path, title: str, truth_days, truth_mean, obs_days, obs_mean, target_days, curves: dict,
            gap: tuple) -> None:
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    ax.axvspan(*gap, color="0.9", label="S2 cloud gap")
    ax.plot(truth_days, truth_mean, color="k", lw=2, label="truth")
    ax.plot(obs_days, obs_mean, "o", color="tab:gray", label="clear S2 (scene mean)")
    for (name, values), style in zip(curves.items(), ("--", "-")):
        ax.plot(target_days, values, style, marker=".", label=name)
    ax.set_xlabel("day")
    ax.set_ylabel(title)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{title}: scene mean")
    fig.savefig(path, dpi=80)
    plt.close(fig)


def write_all(out_dir: Path, names: list[str], maps: dict, series: dict, target_days: np.ndarray, gap_index: int,
              obs_days: np.ndarray, gap: tuple) -> list[Path]:
    """``maps``: band -> {"truth", "S2-only interpolation", "EFAST"} 2-D on the gap date;
    ``series``: scene means (dates, bands) of "truth" (daily), "obs" (clear S2 on its dates),
    "S2-only interpolation" and "EFAST" (targets)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        lo, hi = np.nanpercentile(maps[name]["truth"], [1, 99])
        path = out_dir / f"map_{name}.png"
        _map(path, name, maps[name], f"day {target_days[gap_index]:g}", lo, hi)
        paths.append(path)
        path = out_dir / f"timeseries_{name}.png"
        truth = series["truth"][:, i]
        _series(path, name, np.arange(truth.shape[0]), truth, obs_days, series["obs"][:, i], target_days,
                {k: series[k][:, i] for k in ("S2-only interpolation", "EFAST")}, gap)
        paths.append(path)
    return paths
