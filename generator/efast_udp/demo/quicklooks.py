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


def write_all(out_dir: Path, names: list[str], truth: np.ndarray, s2_only: np.ndarray, efast: np.ndarray,
              target_days: np.ndarray, gap_index: int, daily_truth: np.ndarray, obs: np.ndarray,
              obs_days: np.ndarray, gap: tuple) -> list[Path]:
    """All arrays (targets or days, bands, y, x); ``obs`` = clear S2 (NaN elsewhere)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        lo, hi = np.nanpercentile(truth[:, i], [1, 99])
        path = out_dir / f"map_{name}.png"
        _map(path, name, {"truth": truth[gap_index, i], "S2-only interpolation": s2_only[gap_index, i],
                          "EFAST": efast[gap_index, i]}, f"day {target_days[gap_index]:g}", lo, hi)
        paths.append(path)
        path = out_dir / f"timeseries_{name}.png"
        with np.errstate(invalid="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                obs_mean = np.nanmean(obs[:, i], axis=(1, 2))
                _series(path, name, np.arange(daily_truth.shape[0]), np.nanmean(daily_truth[:, i], axis=(1, 2)),
                        obs_days, obs_mean, target_days,
                        {"S2-only interpolation": np.nanmean(s2_only[:, i], axis=(1, 2)),
                         "EFAST": np.nanmean(efast[:, i], axis=(1, 2))}, gap)
        paths.append(path)
    return paths
