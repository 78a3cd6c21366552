"""Accuracy of EFAST against the known truth of the demo scene, and of the S2-only baseline.

S2-only baseline: per pixel and band, linear interpolation in time between the clear
Sentinel-2 observations (valid SCL) before and after the date; no value outside their range.
RMSE is taken over the pixels where the estimate, the baseline and the truth all have data,
over all target dates (``all``) and over the target dates inside the Sentinel-2 cloud gap
(``gap``: after the last clear acquisition before the gap, before the first one after it).
"""

from __future__ import annotations

import numpy as np

from efast_udp.demo import oracle
from efast_udp.demo.scene import S2_BANDS, Scene


def s2_only(scene: Scene, target_days: np.ndarray, bands=S2_BANDS) -> np.ndarray:
    """(targets, bands, y, x) S2-only linear interpolation, reflectance."""
    scl = scene.s2["SCL"]
    clear = np.isfinite(scl) & ~np.isin(scl, oracle.S2_INVALID_SCL)
    out = np.empty((len(target_days), len(bands)) + scl.shape[-2:])
    for i, band in enumerate(bands):
        refl = np.where(clear, scene.s2[band] * oracle.DN_SCALE, np.nan)
        for k, day in enumerate(target_days):
            out[k, i] = oracle.interpolate(refl, scene.s2_days, day)
    return out


def truth(scene: Scene, target_days: np.ndarray) -> np.ndarray:
    return np.stack([scene.truth(d) for d in target_days])


def gap_mask(scene: Scene, target_days: np.ndarray) -> np.ndarray:
    gap = scene.config.gap_days
    first, last = min(gap) - scene.config.s2_step_days, max(gap) + scene.config.s2_step_days
    return (np.asarray(target_days) > first) & (np.asarray(target_days) < last)


def rmse(estimate: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> float:
    diff = (estimate - reference)[mask]
    return float(np.sqrt(np.mean(diff ** 2))) if diff.size else float("nan")


def compute(scene: Scene, efast: np.ndarray, baseline: np.ndarray, true: np.ndarray, target_days) -> dict:
    """``{"all": {"efast", "s2_only"}, "gap": {...}}`` over the reflectance bands."""
    common = np.isfinite(efast) & np.isfinite(baseline) & np.isfinite(true)
    in_gap = gap_mask(scene, target_days)[:, None, None, None] & common
    return {
        "all": {"efast": rmse(efast, true, common), "s2_only": rmse(baseline, true, common)},
        "gap": {"efast": rmse(efast, true, in_gap), "s2_only": rmse(baseline, true, in_gap)},
    }


def ndvi(values: np.ndarray, bands=S2_BANDS) -> np.ndarray:
    red, nir = values[:, list(bands).index("B04")], values[:, list(bands).index("B8A")]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(nir + red > 0, (nir - red) / (nir + red), np.nan)
