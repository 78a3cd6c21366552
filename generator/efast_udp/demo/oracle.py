"""EFAST in plain numpy, written from the paper's equations (Senty et al. 2024; docs/algorithm.md),
deliberately independent of the UDF code (``efast_udp.udfs``): the same equations written a
second time, plainly and slowly, so that a mistake in either shows as a difference.

What it takes from the run is what the back-end's data handling produced, not EFAST: the
300 m grid (its position follows the back-end's layout rules) and Sentinel-3 on it (binned and
resampled as the back-end does; ``openeo_cdse_local``). From there it computes everything
EFAST does:
- invalid fraction = mean over the S2 pixels of a cell (centres inside it) that have an SCL value;
- S3 cloudy = binned CLOUD_flags > 0, or no flag where the cell has one at other dates;
- coarse -> 10 m: bilinear between the four surrounding coarse cell centres, normalised over
  those with data, clamped at the outer cell centres.
"""

from __future__ import annotations

import numpy as np

from efast_udp import constants as C

S2_INVALID_SCL = (0, 3, 8, 9, 10, 11)
DN_SCALE = 1e-4  # Sentinel-2 digital numbers -> reflectance; Sentinel-3 arrives in reflectance
COARSE_M = 300.0
FINE_M = 10.0


class Grid:
    """Pixel centres of a regular grid: first column ``x0``, first (top) row ``y0``, pixel ``res``."""

    def __init__(self, x0: float, y0: float, res: float, nx: int, ny: int):
        self.x0, self.y0, self.res, self.nx, self.ny = float(x0), float(y0), float(res), int(nx), int(ny)


def day_number(value) -> float:
    """The whole UTC day (days since 1970-01-01) of a date, date-time or datetime64: the UDP's
    date convention (offsets converted to UTC), shared through the UDF prelude."""
    # lazy: efast_udp.utc (openeo.udf) costs 0.3 s at ``demo --scene-only`` (python -X importtime), which scores
    # nothing
    from efast_udp.utc import utc_day

    return utc_day(value)


# --- Section 2.2: cloud masks on the coarse grid -----------------------------------------------

def invalid_fraction(scl: np.ndarray, fine: Grid, coarse: Grid) -> np.ndarray:
    """(t, Y, X) fraction of invalid S2 pixels per coarse cell (the pixels whose centres fall in
    it); NaN where no pixel has SCL."""
    rows = np.floor((coarse.y0 + coarse.res / 2 - (fine.y0 - fine.res * np.arange(fine.ny))) / coarse.res).astype(int)
    cols = np.floor((fine.x0 + fine.res * np.arange(fine.nx) - (coarse.x0 - coarse.res / 2)) / coarse.res).astype(int)
    inside = ((rows >= 0) & (rows < coarse.ny))[:, None] & ((cols >= 0) & (cols < coarse.nx))[None, :]
    cell = (rows[:, None] * coarse.nx + cols[None, :])[inside]
    t = scl.shape[0]
    invalid = np.zeros((t, coarse.ny * coarse.nx))
    count = np.zeros((t, coarse.ny * coarse.nx))
    for k in range(t):
        layer = scl[k][inside]
        known = np.isfinite(layer)
        count[k] = np.bincount(cell[known], minlength=count.shape[1])
        invalid[k] = np.bincount(cell[known & np.isin(layer, S2_INVALID_SCL)], minlength=count.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, invalid / count, np.nan).reshape(t, coarse.ny, coarse.nx)


def s3_cloudy(flags: np.ndarray) -> np.ndarray:
    """Cloudy where the binned CLOUD_flags (a mean of bit fields) is positive, or missing on a
    date while the cell has it on others (never seen = outside, not a cloud)."""
    missing = ~np.isfinite(flags)
    with np.errstate(invalid="ignore"):
        return (missing & ~missing.all(axis=0)) | (flags > 0)


# --- Section 2.4: distance-to-cloud score -------------------------------------------------------

def distance_score(cloudy: np.ndarray, max_distance_m: float) -> np.ndarray:
    """clip((d - 1) / D, 0, 1), d = distance (cells) to the nearest cloudy cell, 0 on clouds."""
    big_d = max_distance_m / COARSE_M
    t, ny, nx = cloudy.shape
    rows, cols = np.mgrid[0:ny, 0:nx]
    score = np.ones(cloudy.shape)
    for k in range(t):
        cy, cx = np.nonzero(cloudy[k])
        if cy.size == 0:
            continue
        d2 = (rows[..., None] - cy) ** 2 + (cols[..., None] - cx) ** 2
        d = np.sqrt(d2.min(axis=-1))
        score[k] = np.clip((d - 1.0) / big_d, 0.0, 1.0)
        score[k][cloudy[k]] = 0.0
    return score


# --- Sections 2.4/2.5: S3 composites and smoothing ----------------------------------------------

def gaussian(delta_days, sigma) -> np.ndarray:
    return np.exp(-np.asarray(delta_days, float) ** 2 / (2.0 * sigma ** 2))


def composites(s3: np.ndarray, score: np.ndarray, obs_days, comp_days, sigma) -> np.ndarray:
    """Weighted mean per band over finite values (reflectance), weight = score x Gaussian."""
    out = np.full((len(comp_days),) + s3.shape[1:], np.nan)
    for k, day in enumerate(comp_days):
        w = score * gaussian(np.asarray(obs_days) - day, sigma)[:, None, None]  # (t, y, x)
        w = np.broadcast_to(w[:, None], s3.shape)
        ok = np.isfinite(s3) & (w > 0)
        num = np.where(ok, s3 * w, 0).sum(axis=0)
        den = np.where(ok, w, 0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[k] = np.where(den > 0, num / den, np.nan)
    return out


def smooth(values: np.ndarray, size: int = 5, sigma: float = 1.0) -> np.ndarray:
    """Normalised convolution with a size x size Gaussian over the valid neighbours only."""
    half = size // 2
    g = np.exp(-np.arange(-half, half + 1) ** 2 / (2 * sigma ** 2))
    kernel = np.outer(g, g) / np.outer(g, g).sum()
    ny, nx = values.shape[-2:]
    padded = np.full(values.shape[:-2] + (ny + 2 * half, nx + 2 * half), np.nan)
    padded[..., half:half + ny, half:half + nx] = values
    num = np.zeros(values.shape)
    den = np.zeros(values.shape)
    for a in range(size):
        for b in range(size):
            v = padded[..., a:a + ny, b:b + nx]
            ok = np.isfinite(v)
            num += np.where(ok, v, 0) * kernel[a, b]
            den += ok * kernel[a, b]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[~np.isfinite(values)] = np.nan
    return out


# --- S3 in time -------------------------------------------------------------------------------

def interpolate(series: np.ndarray, series_days, day: float) -> np.ndarray:
    """Per element: linear between the nearest values with data at or before / at or after ``day``."""
    series_days = np.asarray(series_days, float)
    before = np.full(series.shape[1:], np.nan)
    before_day = np.full(series.shape[1:], np.nan)
    for k in range(len(series_days)):
        if series_days[k] <= day:
            ok = np.isfinite(series[k])
            before = np.where(ok, series[k], before)
            before_day = np.where(ok, series_days[k], before_day)
    after = np.full(series.shape[1:], np.nan)
    after_day = np.full(series.shape[1:], np.nan)
    for k in range(len(series_days) - 1, -1, -1):
        if series_days[k] >= day:
            ok = np.isfinite(series[k])
            after = np.where(ok, series[k], after)
            after_day = np.where(ok, series_days[k], after_day)
    span = after_day - before_day
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (day - before_day) / span, 0.0)
    return before + frac * (after - before)


# --- coarse -> 10 m ---------------------------------------------------------------------------

def upsample(coarse_values: np.ndarray, coarse: Grid, fine: Grid, window=(slice(None), slice(None))) -> np.ndarray:
    """Bilinear from cell centres to pixel centres, for the pixels ``window`` (rows, columns) of
    the ``fine`` grid."""
    rows = np.arange(fine.ny)[window[0]]
    cols = np.arange(fine.nx)[window[1]]
    ny, nx = rows.size, cols.size
    cy, cx = coarse_values.shape[-2:]

    def axis(pos, m):
        pos = pos.clip(0, m - 1)  # in coarse cell units
        lo = np.minimum(np.floor(pos).astype(int), max(m - 2, 0))
        hi = np.minimum(lo + 1, m - 1)
        return lo, hi, pos - lo

    y0, y1, fy = axis((coarse.y0 - (fine.y0 - fine.res * rows)) / coarse.res, cy)
    x0, x1, fx = axis((fine.x0 + fine.res * cols - coarse.x0) / coarse.res, cx)
    num = np.zeros(coarse_values.shape[:-2] + (ny, nx))
    den = np.zeros(coarse_values.shape[:-2] + (ny, nx))
    for r, wy in ((y0, 1 - fy), (y1, fy)):
        for c, wx in ((x0, 1 - fx), (x1, fx)):
            v = coarse_values[..., r[:, None], c[None, :]]
            w = wy[:, None] * wx[None, :]
            ok = np.isfinite(v) & (w > 0)
            num += np.where(ok, v * w, 0)
            den += np.where(ok, w, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


# --- targets ----------------------------------------------------------------------------------

def target_days(params: dict) -> np.ndarray:
    if params.get("target_time_series"):
        return np.unique([day_number(d) for d in params["target_time_series"]])
    extent = params.get("temporal_extent_target") or params["temporal_extent"]
    step = int(params.get("interval_days", C.DEFAULT_INTERVAL_DAYS))
    return np.arange(day_number(extent[0]), day_number(extent[1]), step, dtype=float)


# --- Sections 2.3/2.5, Eq. 2: fusion ----------------------------------------------------------

def fuse_band(s2, s2_ok, lr_s2, lr_target, score, s2_days, target_day, sigma) -> np.ndarray:
    w = score * gaussian(np.asarray(s2_days) - target_day, sigma)[:, None, None] * s2_ok
    joint = (w > 0) & np.isfinite(lr_s2)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_all = np.where(w > 0, w, 0)
        hr_all = np.where(w_all > 0, s2 * w_all, 0).sum(0) / w_all.sum(0)
        w_j = np.where(joint, w, 0)
        hr_j = np.where(joint, s2 * w_j, 0).sum(0) / w_j.sum(0)
        lr_j = np.where(joint, lr_s2 * w_j, 0).sum(0) / w_j.sum(0)
    hr_all = np.where(np.isfinite(hr_all), hr_all, np.nan)
    fused = lr_target + hr_j - lr_j
    fused = np.where(np.isfinite(fused), fused, hr_all)
    return np.where(np.isfinite(fused), np.maximum(fused, 0.0), np.nan)


def coarse_stage(scl: np.ndarray, fine: Grid, coarse: Grid, s3: dict, s2_days, s3_days, params: dict) -> dict:
    """Everything EFAST computes on the 300 m grid: the S2 distance score and the smoothed S3
    composites interpolated to the S2 dates and the targets (days since epoch). ``scl``: (t, y, x)
    on ``fine``; ``s3``: band -> (t, Y, X) on ``coarse`` (reflectance, ``CLOUD_flags`` binned)."""
    s3_bands = list(params["s3_data_bands"])
    s2_days, s3_days = np.asarray(s2_days, float), np.asarray(s3_days, float)

    # S2 score (coarse)
    fraction = invalid_fraction(scl.astype(float), fine, coarse)
    with np.errstate(invalid="ignore"):  # no S2 pixel in the cell: not a cloud
        s2_cloudy = fraction >= float(params["cloud_tolerance"])
    s2_score = distance_score(s2_cloudy, float(params["max_distance_to_cloud_m"]))

    # S3 scored, composited, smoothed
    values = np.stack([s3[b] for b in s3_bands], axis=1).astype(float)
    cloudy3 = s3_cloudy(s3["CLOUD_flags"].astype(float))
    score3 = distance_score(cloudy3, float(params["max_distance_to_cloud_m"]))
    start, end = (day_number(v) for v in params["temporal_extent"])
    step = int(params["interval_days"])  # composites up to the first date on or after the end
    comp_days = np.arange(start, end + step, step, dtype=float)
    comps = smooth(composites(values, score3, s3_days, comp_days, float(params["s3_temporal_score_stddev"])))

    targets = target_days(params)
    return {"fine": fine, "coarse": coarse, "s2_days": s2_days, "targets": targets, "s2_score": s2_score,
            "lr_s2": np.stack([interpolate(comps, comp_days, d) for d in s2_days]),
            "lr_t": np.stack([interpolate(comps, comp_days, d) for d in targets])}


def fuse_window(coarse: dict, s2: dict, params: dict, window=(slice(None), slice(None))) -> tuple[np.ndarray, list[str]]:
    """The fused series (targets, bands, y, x) over ``window`` of the S2 grid; ``s2`` holds the
    window's S2 bands and ``SCL`` (t, y, x) in DN."""
    s2_bands, s3_bands = list(params["s2_data_bands"]), list(params["s3_data_bands"])
    grid, fine = coarse["coarse"], coarse["fine"]
    lr_s2 = upsample(coarse["lr_s2"], grid, fine, window)
    lr_t = upsample(coarse["lr_t"], grid, fine, window)
    score_up = upsample(coarse["s2_score"], grid, fine, window)
    scl = s2["SCL"].astype(float)
    ok_scl = np.isfinite(scl) & ~np.isin(scl, S2_INVALID_SCL)
    sigma = float(params["temporal_score_stddev"])
    targets = coarse["targets"]
    out = np.empty((len(targets), len(s2_bands)) + scl.shape[-2:])
    for i, b2 in enumerate(s2_bands):
        refl = s2[b2].astype(float) * DN_SCALE
        ok = ok_scl & np.isfinite(refl)
        refl = np.where(ok, refl, np.nan)
        for k, day in enumerate(targets):
            out[k, i] = fuse_band(refl, ok, lr_s2[:, i], lr_t[k, i], score_up, coarse["s2_days"], day, sigma)
    names = list(params.get("fused_band_names") or s2_bands)
    if params.get("output_ndvi"):
        red, nir = out[:, s2_bands.index("B04")], out[:, s2_bands.index("B8A")]
        total = nir + red
        with np.errstate(invalid="ignore", divide="ignore"):
            ndvi = np.where(total > 0, (nir - red) / total, np.nan)
        out = np.concatenate([out, ndvi[:, None]], axis=1)
        names.append("NDVI")
    return out, names


def efast(s2: dict, fine: Grid, s2_days, coarse: Grid, s3: dict, s3_days, params: dict
          ) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The fused series: (targets, bands, y, x) on ``fine``, band names, target days (days since
    epoch). ``s2``: band -> (t, y, x) DN plus ``SCL``; ``s3``: band -> (t, Y, X) reflectance plus
    ``CLOUD_flags`` on the ``coarse`` grid; days as days since epoch; ``params`` the UDP values."""
    stage = coarse_stage(s2["SCL"], fine, coarse, s3, s2_days, s3_days, params)
    out, names = fuse_window(stage, s2, params)
    return out, names, stage["targets"]
