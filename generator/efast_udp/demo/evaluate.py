"""The demo's checks, window by window: oracle agreement, RMSE and quicklook aggregates.

Nothing here holds a whole-scene time series: the UDP's result is read from its NetCDF and the
S2 observations from the scene's data files one ``WINDOW_PX`` window at a time; the oracle's
coarse (300 m) stage runs once, its fine stage per window. Memory is that of a window, so the
demo scales with ``efast-udp run``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray

from efast_udp.demo import metrics, oracle
from efast_udp.demo.scene import S2_BANDS, Scene
from efast_udp.local.quicklooks import MAX_PX
from openeo_cdse_local import data as io

WINDOW_PX = 256


def map_step(size: int) -> int:
    """Every how many pixels the quicklook maps keep (so a map is at most ``MAX_PX`` across)."""
    return max(1, -(-size // MAX_PX))


def decimated(window: slice, step: int) -> tuple[slice, slice]:
    """(rows of the window, rows of the decimated map) of the pixels whose index is a multiple
    of ``step``."""
    first = -(-window.start // step) * step  # the first multiple of step in the window
    if first >= window.stop:
        return slice(0, 0), slice(0, 0)
    count = (window.stop - 1 - first) // step + 1
    return slice(first - window.start, window.stop - window.start, step), slice(first // step, first // step + count)


def windows(n: int, size: int = WINDOW_PX) -> list[tuple[slice, slice]]:
    edges = [slice(a, min(a + size, n)) for a in range(0, n, size)]
    return [(r, c) for r in edges for c in edges]


@dataclass
class Series:
    """Scene means per (date, band), accumulated window by window."""

    total: np.ndarray
    count: np.ndarray = field(default=None)

    def __post_init__(self):
        self.count = np.zeros_like(self.total)

    def add(self, values: np.ndarray, dates=slice(None)) -> None:
        """Add a window's (dates, bands, y, x) values (of ``dates`` only, if given)."""
        ok = np.isfinite(values)
        self.total[dates] += np.where(ok, values, 0).sum(axis=(-2, -1))
        self.count[dates] += ok.sum(axis=(-2, -1))

    @property
    def mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.total / self.count


@dataclass
class Evaluation:
    scores: dict
    oracle_max_abs_diff: float
    oracle_defined_mismatch: int
    maps: dict  # band -> {"truth", "S2-only interpolation", "EFAST"} 2-D at the gap date, every ``step``-th pixel
    step: int
    series: dict  # "truth" (daily), "obs" (S2 dates), "S2-only interpolation", "EFAST" (targets): (dates, bands)


def oracle_inputs(run, scene: Scene) -> dict:
    """What the oracle takes from a run: the scene's 10 m grid, the run's 300 m grid and
    Sentinel-3 on it (binned and resampled as the back-end does), with its acquisition days."""
    fraction = run.intermediates["s2_invalid_fraction"]
    s3 = run.intermediates["s3_coarse"].compute()
    coarse = oracle.Grid(fraction.x.values[0], fraction.y.values[0], oracle.COARSE_M, fraction.sizes["x"],
                         fraction.sizes["y"])
    fine = oracle.Grid(scene.x[0], scene.y[0], oracle.FINE_M, scene.x.size, scene.y.size)
    days = s3.t.values.astype("datetime64[ns]").astype(np.int64) / 86400e9
    return {"fine": fine, "coarse": coarse, "s3": {str(b): s3.sel(bands=b).values for b in s3.bands.values},
            "s3_days": days}


def _with_ndvi(values: np.ndarray) -> np.ndarray:
    return np.concatenate([values, metrics.ndvi(values)[:, None]], axis=1)


def evaluate(scene: Scene, data_dir: Path, result_path: Path, params: dict, target_days: np.ndarray,
             band_names: list[str], gap_index: int, epoch: int, inputs: dict) -> Evaluation:
    """Compare the UDP's result (``result_path``) with the oracle and the truth, window by window;
    ``inputs``: ``oracle_inputs`` of the run."""
    n_refl, n_days = len(S2_BANDS), scene.config.n_days
    s2_file = io.open_collection(data_dir, "SENTINEL2_L2A").ds
    result = xarray.open_dataset(result_path, engine=io.ENGINE)
    coarse = oracle.coarse_stage(s2_file["SCL"].values, inputs["fine"], inputs["coarse"], inputs["s3"],
                                 scene.s2_days + epoch, inputs["s3_days"], params)
    scores = metrics.Scores(metrics.gap_mask(scene, target_days))
    n_out = n_refl + 1
    series = {"truth": Series(np.zeros((n_days, n_out))), "obs": Series(np.zeros((len(scene.s2_days), n_out))),
              "S2-only interpolation": Series(np.zeros((len(target_days), n_out))),
              "EFAST": Series(np.zeros((len(target_days), n_out)))}
    size = scene.config.size_px
    step = map_step(size)
    side = -(-size // step)
    maps = {b: {k: np.full((side, side), np.nan) for k in ("truth", "S2-only interpolation", "EFAST")}
            for b in list(S2_BANDS) + ["NDVI"]}
    diff, mismatch = -np.inf, 0
    for window in windows(size):
        s2 = {b: s2_file[b].isel(y=window[0], x=window[1]).values for b in list(S2_BANDS) + ["SCL"]}
        efast = np.stack([result[b].isel(y=window[0], x=window[1]).values for b in band_names], axis=1).astype(np.float64)
        expected, _ = oracle.fuse_window(coarse, s2, params, window)
        both = np.isfinite(efast) & np.isfinite(expected)
        mismatch += int((np.isfinite(efast) != np.isfinite(expected)).sum())
        if both.any():
            diff = max(diff, float(np.max(np.abs(efast - expected)[both])))
        true = metrics.truth(scene, target_days, window)
        baseline = metrics.s2_only(s2, scene.s2_days, target_days)
        scores.add(efast[:, :n_refl], baseline, true)
        with np.errstate(invalid="ignore", divide="ignore"):
            estimates = {"truth": _with_ndvi(true), "S2-only interpolation": _with_ndvi(baseline),
                         "EFAST": np.concatenate([efast[:, :n_refl], efast[:, n_refl:n_refl + 1]], axis=1)}
            for name, values in estimates.items():
                if name != "truth":
                    series[name].add(values)
                (rows, to_rows), (cols, to_cols) = decimated(window[0], step), decimated(window[1], step)
                for i, band in enumerate(maps):
                    maps[band][name][to_rows, to_cols] = values[gap_index, i][rows, cols]
            for day in range(n_days):
                series["truth"].add(_with_ndvi(scene.truth(day, window)[None]), slice(day, day + 1))
            clear = ~np.isin(s2["SCL"], oracle.S2_INVALID_SCL)
            obs = np.stack([np.where(clear, s2[b] * oracle.DN_SCALE, np.nan) for b in S2_BANDS], axis=1)
            series["obs"].add(_with_ndvi(obs))
    result.close()
    s2_file.close()
    return Evaluation(scores.result(), diff if np.isfinite(diff) else float("nan"), mismatch, maps, step,
                      {name: s.mean for name, s in series.items()})
