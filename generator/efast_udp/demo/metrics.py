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


def s2_only(s2: dict, s2_days: np.ndarray, target_days: np.ndarray, bands=S2_BANDS) -> np.ndarray:
    """(targets, bands, y, x) S2-only linear interpolation, reflectance; ``s2``: band -> (t, y, x)
    DN plus ``SCL`` (a window of the scene or all of it)."""
    scl = s2["SCL"]
    clear = np.isfinite(scl) & ~np.isin(scl, oracle.S2_INVALID_SCL)
    out = np.empty((len(target_days), len(bands)) + scl.shape[-2:])
    for i, band in enumerate(bands):
        refl = np.where(clear, s2[band] * oracle.DN_SCALE, np.nan)
        for k, day in enumerate(target_days):
            out[k, i] = oracle.interpolate(refl, s2_days, day)
    return out


def truth(scene: Scene, target_days: np.ndarray, window=(slice(None), slice(None))) -> np.ndarray:
    return np.stack([scene.truth(d, window) for d in target_days])


def gap_mask(scene: Scene, target_days: np.ndarray) -> np.ndarray:
    gap = scene.config.gap_days
    first, last = min(gap) - scene.config.s2_step_days, max(gap) + scene.config.s2_step_days
    return (np.asarray(target_days) > first) & (np.asarray(target_days) < last)


class Rmse:
    """RMSE accumulated window by window: sum of squared differences and count."""

    def __init__(self):
        self.sse, self.n = 0.0, 0

    def add(self, estimate: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> None:
        diff = (estimate - reference)[mask]
        self.sse += float(np.sum(diff ** 2))
        self.n += int(diff.size)

    @property
    def value(self) -> float:
        return float(np.sqrt(self.sse / self.n)) if self.n else float("nan")


def rmse(estimate: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> float:
    total = Rmse()
    total.add(estimate, reference, mask)
    return total.value


class Scores:
    """``{"all": {"efast", "s2_only"}, "gap": {...}}`` over the reflectance bands, accumulated
    window by window (over the pixels where the estimates and the truth all have data)."""

    def __init__(self, gap: np.ndarray):
        self.gap = gap
        self.sums = {part: {"efast": Rmse(), "s2_only": Rmse()} for part in ("all", "gap")}

    def add(self, efast: np.ndarray, baseline: np.ndarray, true: np.ndarray) -> None:
        common = np.isfinite(efast) & np.isfinite(baseline) & np.isfinite(true)
        masks = {"all": common, "gap": self.gap[:, None, None, None] & common}
        for part, mask in masks.items():
            self.sums[part]["efast"].add(efast, true, mask)
            self.sums[part]["s2_only"].add(baseline, true, mask)

    def result(self) -> dict:
        return {part: {k: r.value for k, r in sums.items()} for part, sums in self.sums.items()}


def compute(scene: Scene, efast: np.ndarray, baseline: np.ndarray, true: np.ndarray, target_days) -> dict:
    """``{"all": {"efast", "s2_only"}, "gap": {...}}`` over the reflectance bands."""
    scores = Scores(gap_mask(scene, target_days))
    scores.add(efast, baseline, true)
    return scores.result()


def ndvi(values: np.ndarray, bands=S2_BANDS) -> np.ndarray:
    red, nir = values[:, list(bands).index("B04")], values[:, list(bands).index("B8A")]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(nir + red > 0, (nir - red) / (nir + red), np.nan)
