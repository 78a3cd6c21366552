"""Standard synthetic chunks for the kernels of the released UDP, each with a straightforward
reference formulation: the materialising (targets x dates x bands x y x x) float64 einsum of the
earlier port (compositing, fusion), a per-pixel ``np.interp`` loop (interpolation), scipy's exact
distance transform (distance score)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import xarray
from scipy import ndimage

from efast_udp import constants as C

SIZE = 256  # px, edge of the standard chunk
START = np.datetime64("2022-08-01")


def _dates(offsets) -> np.ndarray:
    return (START + np.asarray(offsets, dtype="timedelta64[D]")).astype("datetime64[ns]")


def _cube(values: np.ndarray, bands: list[str], offsets) -> xarray.DataArray:
    ny, nx = values.shape[-2:]
    return xarray.DataArray(values, dims=("t", "bands", "y", "x"), coords={
        "t": _dates(offsets), "bands": bands,
        "y": 4_000_000.0 - 300.0 * np.arange(ny), "x": 500_000.0 + 300.0 * np.arange(nx)})


@dataclass
class Scenario:
    """A standard chunk for one kernel: its input cube and context, how many input pixel-dates
    it holds, a straightforward reference formulation, and how to compare the kernel's output
    with the reference (``agreement``: max absolute difference where both have values)."""

    name: str
    cube: xarray.DataArray
    context: dict
    px_dates: int  # input pixels x input labels
    reference: Callable[[], np.ndarray]
    comparable: Callable[[xarray.DataArray], np.ndarray]  # the kernel output in the reference's layout

    def agreement(self, output: xarray.DataArray) -> float:
        got, expected = self.comparable(output), self.reference()
        both = np.isfinite(got) & np.isfinite(expected)
        return float(np.max(np.abs(got[both] - expected[both]))) if both.any() else float("nan")


def compositing_scenario(rng, context: dict) -> Scenario:
    """24 S3 dates x 4 bands (reflectance, as CDSE delivers Sentinel-3) + score, 256², composites
    every 2 days over the input span: the extent is 68 days, composites run from its start to the
    first date on or after its end (35)."""
    offsets = np.sort(rng.choice(68, 24, replace=False))
    values = rng.uniform(0.02, 0.5, (24, 4, SIZE, SIZE)).astype(np.float32)
    cloudy = rng.random((24, SIZE, SIZE)) < 0.2
    values[np.broadcast_to(cloudy[:, None], values.shape)] = np.nan
    score = np.where(cloudy, 0, rng.random((24, SIZE, SIZE))).astype(np.float32)
    bands = list(C.DEFAULT_S3_BANDS) + ["score"]
    cube = _cube(np.concatenate([values, score[:, None]], axis=1), bands, offsets)
    end = str((START + np.timedelta64(68, "D")).astype("datetime64[D]"))
    ctx = dict(context, temporal_extent=[str(START), end], interval_days=C.DEFAULT_INTERVAL_DAYS)
    out_days = np.arange(0, 70, 2.0)  # 0 .. 68: the kernel's composite dates

    def reference():  # the earlier port: the full (targets, dates, bands, y, x) float64 weights
        dt = out_days[:, None] - offsets[None, :]
        w = np.exp(-dt ** 2 / (2.0 * ctx["sigma_days"] ** 2))[:, :, None, None, None] * score[None, :, None].astype(np.float64)
        w = w * np.isfinite(values)[None]
        return np.einsum("ndbyx,dbyx->nbyx", w, np.nan_to_num(values).astype(np.float64)) / w.sum(axis=1)

    return Scenario("compositing", cube, ctx, SIZE * SIZE * 24, reference, lambda out: out.values)


def interpolation_scenario(rng, context: dict) -> Scenario:
    """12 composites (every 6 days) + S2 score at 12 dates -> 24 dates (12 S2 + 12 targets), 4 bands, 256².

    Throughput counts the 24 input labels (12 composites + 12 S2 dates)."""
    comp = np.arange(0, 72, 6)
    s2_days = comp + 3
    lr = rng.uniform(0.02, 0.5, (12, 4, SIZE, SIZE)).astype(np.float32)
    lr[3, :, 40:72, 100:164] = np.nan  # a composite gap (no S3 weight in its window), as in real data
    score = rng.random((12, SIZE, SIZE)).astype(np.float32)
    nan = np.full((12, 1, SIZE, SIZE), np.nan, np.float32)
    nan4 = np.full((12, 4, SIZE, SIZE), np.nan, np.float32)
    values = np.concatenate([np.concatenate([lr, nan], 1), np.concatenate([nan4, score[:, None]], 1)], 0)
    offsets = np.concatenate([comp, s2_days])
    order = np.argsort(offsets, kind="stable")
    cube = _cube(values[order], list(C.DEFAULT_S3_BANDS) + ["score"], offsets[order])
    targets = [str((START + np.timedelta64(int(d), "D")).astype("datetime64[D]")) for d in comp + 1]
    end = str((START + np.timedelta64(80, "D")).astype("datetime64[D]"))
    ctx = dict(context, temporal_extent=[str(START), end], target_time_series=targets)
    query = np.union1d(s2_days, comp + 1).astype(float)

    def reference():  # per pixel and band: np.interp over the finite composites
        flat = lr.reshape(12, -1)
        out = np.full((len(query), flat.shape[1]), np.nan)
        for p in range(flat.shape[1]):
            ok = np.isfinite(flat[:, p])
            if ok.any():
                out[:, p] = np.interp(query, comp[ok], flat[ok, p], left=np.nan, right=np.nan)
        return out

    def comparable(out):  # the LR bands at the query dates, (dates, bands * pixels) as the reference
        return out.sel(bands=list(C.DEFAULT_S3_BANDS)).values.reshape(len(query), -1)

    return Scenario("interpolation", cube, ctx, SIZE * SIZE * 24, reference, comparable)


def fusion_scenario(rng, context: dict) -> Scenario:
    """35 labels (every 2 days over 70 days, all targets), 12 of them S2 dates; 4 band pairs
    (4 S2 + SCL + 4 LR + score + target = 11 bands in, 4 out), 256²."""
    s2_days, targets = np.arange(0, 70, 6), np.arange(0, 70, 2)
    labels = np.union1d(s2_days, targets)
    n = len(labels)
    is_s2, is_t = np.isin(labels, s2_days), np.isin(labels, targets)
    s2 = np.full((n, 4, SIZE, SIZE), np.nan, np.float32)
    s2[is_s2] = rng.uniform(200, 5000, (is_s2.sum(), 4, SIZE, SIZE))
    scl = np.full((n, 1, SIZE, SIZE), np.nan, np.float32)
    scl[is_s2] = np.where(rng.random((is_s2.sum(), 1, SIZE, SIZE)) < 0.2, 9, 4)
    lr = rng.uniform(0.02, 0.5, (n, 4, SIZE, SIZE)).astype(np.float32)
    score = np.full((n, 1, SIZE, SIZE), np.nan, np.float32)
    score[is_s2] = rng.random((is_s2.sum(), 1, SIZE, SIZE))
    marker = np.broadcast_to(is_t.astype(np.float32)[:, None, None, None], (n, 1, SIZE, SIZE))
    bands = list(C.DEFAULT_S2_BANDS) + ["SCL"] + list(C.DEFAULT_S3_BANDS) + ["score", "target"]
    cube = _cube(np.concatenate([s2, scl, lr, score, marker], axis=1), bands, labels)

    def reference():  # materialised (targets, dates, bands, y, x) float64 weights
        valid = (scl[is_s2] == 4)
        w = np.exp(-(targets[:, None] - s2_days[None]) ** 2 / (2.0 * context["sigma_days"] ** 2))
        w = w[:, :, None, None, None] * (score[is_s2] * valid)[None].astype(np.float64)
        hr = np.einsum("tdbyx,dbyx->tbyx", w, np.nan_to_num(s2[is_s2] * 1e-4).astype(np.float64)) / w.sum(1)
        lr_m = np.einsum("tdbyx,dbyx->tbyx", w, lr[is_s2].astype(np.float64)) / w.sum(1)
        fused = lr[is_t] + hr - lr_m
        return np.where(fused < 0, np.nan, fused)  # the kernel clips at 0: compare where nothing was clipped

    return Scenario("fusion", cube, context, SIZE * SIZE * n, reference, lambda out: out.values)


def distance_scenario(rng, context: dict) -> Scenario:
    """One 512² S2 invalid percentage (as the graph marks it: 100 per invalid pixel) with 1 %
    fully invalid cells, default max distance."""
    size = 2 * SIZE
    fraction = np.where(rng.random((1, 1, size, size)) < 0.01, 100.0, 0.0).astype(np.float32)
    cube = _cube(fraction, [C.S2_SCL_BAND], [0])

    def reference():  # scipy's exact distance transform, float64
        cloudy = fraction[0, 0] >= context["cloud_tolerance"] * context["fraction_scale"]
        d = ndimage.distance_transform_edt(~cloudy)
        D = context["max_distance_to_cloud_m"] / context["pixel_size_m"]
        return np.where(cloudy, 0.0, np.clip((d - 1) / D, 0, 1))

    return Scenario("distance_score", cube, context, size * size, reference, lambda out: out.values[0, 0])
