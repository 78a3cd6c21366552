"""EFAST: Sentinel-3 composites in time (EFAST.md §1 step 5) and the target dates.

Runs under ``apply_dimension`` over ``t`` on the coarse grid. Input: the smoothed composite
series (reflectance bands, at composite dates) merged with the Sentinel-2 distance-to-cloud
``score`` (at the Sentinel-2 acquisition dates; a label carries Sentinel-2 when its score band
has data). Output, at every Sentinel-2 date and every target date T:

    LR(d)   = linear interpolation, per pixel and band, between the nearest composites with
              data before and after d (no data outside their range)
    score   = the Sentinel-2 score, passed through (no data at target-only dates)
    target  = 1 at target dates, 0 elsewhere

so the fusion sees LR at the S2 dates (for LR_m) and at the targets (LR_p) in one cube.
Target dates: ``target_time_series`` if given, else every ``interval_days`` over
``temporal_extent_target`` (or ``temporal_extent``), end excluded; all inside ``temporal_extent``.

Context keys: ``temporal_extent``, ``temporal_extent_target``, ``interval_days``,
``target_time_series``, ``score_band``, ``target_band``.
"""

import numpy as np
import xarray
from openeo.metadata import CollectionMetadata

SECONDS_PER_DAY = 86400.0


def day_of(value):
    """A date or date-time (string or numpy datetime64) -> whole days since 1970-01-01."""
    text = str(value).rstrip("Z").split("+")[0]
    return float(np.floor(np.datetime64(text, "s").astype(np.int64) / SECONDS_PER_DAY))


def target_days(context):
    """The target dates (days since epoch, ascending), checked against ``temporal_extent``."""
    start, end = (day_of(v) for v in context["temporal_extent"])
    series = context.get("target_time_series")
    if series:
        name, days = "target_time_series", np.unique([day_of(d) for d in series])
    else:
        step = int(context.get("interval_days") or 0)
        if step < 1:
            raise ValueError("parameter 'interval_days' must be >= 1, got %r" % (context.get("interval_days"),))
        extent = context.get("temporal_extent_target")
        name = "temporal_extent_target" if extent else "temporal_extent"
        first, stop = (day_of(v) for v in (extent or context["temporal_extent"]))
        days = np.arange(first, stop, step, dtype=np.float64)
    if days.size == 0:
        raise ValueError("parameter '%s' gives no target date" % name)
    outside = days[(days < start) | (days >= end)]
    if outside.size:
        raise ValueError(
            "parameter '%s': target date(s) %s outside temporal_extent [%s, %s)"
            % (name, ", ".join(str(d) for d in days_to_datetimes(outside).astype("datetime64[D]")),
               context["temporal_extent"][0], context["temporal_extent"][1])
        )
    return days


def days_to_datetimes(days):
    return (np.asarray(days) * SECONDS_PER_DAY).astype("int64").astype("datetime64[s]").astype("datetime64[ns]")


def interpolate_series(values, days, query):
    """Linear interpolation in time, independently per element, across NaN gaps.

    values: (n, ...) with NaN = no data, days: (n,) ascending, query: (q,).
    Returns (q, ...) float32; NaN where the query lies outside the finite values' range.
    """
    n = values.shape[0]
    flat = values.reshape(n, -1)
    finite = np.isfinite(flat)
    index = np.arange(n, dtype=np.int32)[:, None]
    last_finite = np.maximum.accumulate(np.where(finite, index, -1), axis=0)
    next_finite = np.minimum.accumulate(np.where(finite, index, n)[::-1], axis=0)[::-1]
    out = np.empty((len(query), flat.shape[1]), dtype=np.float32)
    for j, q in enumerate(query):
        k_left = np.searchsorted(days, q, side="right") - 1
        k_right = np.searchsorted(days, q, side="left")
        left = last_finite[k_left] if k_left >= 0 else np.full(flat.shape[1], -1, np.int32)
        right = next_finite[k_right] if k_right < n else np.full(flat.shape[1], n, np.int32)
        ok = (left >= 0) & (right < n)
        left, right = np.clip(left, 0, n - 1), np.clip(right, 0, n - 1)
        v_left = np.take_along_axis(flat, left[None], axis=0)[0]
        v_right = np.take_along_axis(flat, right[None], axis=0)[0]
        span = days[right] - days[left]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(span > 0, (q - days[left]) / span, 0.0)
        out[j] = np.where(ok, v_left + frac * (v_right - v_left), np.nan)
    return out.reshape((len(query),) + values.shape[1:])


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: composites + S2 score -> LR, score, target at S2 dates and targets."""
    score_band, target_band = context["score_band"], context["target_band"]
    bands = [str(b) for b in cube.coords["bands"].values]
    if score_band not in bands:
        raise ValueError("interpolation: band %r missing from the input bands %s" % (score_band, bands))
    lr_bands = [b for b in bands if b != score_band]
    cube = cube.transpose("t", "bands", "y", "x")
    days = cube.coords["t"].values.astype("datetime64[s]").astype(np.int64) / SECONDS_PER_DAY
    score = cube.sel(bands=score_band).values
    is_s2 = np.isfinite(score).any(axis=(1, 2))
    targets = target_days(context)
    query = np.union1d(days[is_s2], targets)
    lr = interpolate_series(cube.sel(bands=lr_bands).values, days, query)
    out_score = np.full((len(query), 1) + score.shape[1:], np.nan, dtype=np.float32)
    position = {d: i for i, d in enumerate(days)}
    for j, q in enumerate(query):
        if q in position and is_s2[position[q]]:
            out_score[j, 0] = score[position[q]]
    out_target = np.broadcast_to(
        np.isin(query, targets).astype(np.float32)[:, None, None, None], out_score.shape
    )
    result = np.concatenate([lr, out_score, out_target], axis=1)
    return xarray.DataArray(
        result,
        dims=("t", "bands", "y", "x"),
        coords={"t": days_to_datetimes(query), "bands": lr_bands + [score_band, target_band],
                "y": cube.coords["y"], "x": cube.coords["x"]},
    )


def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    """Bands: the composite bands, then the passed-through score, then the target marker."""
    score_band = context["score_band"]
    lr_bands = [b for b in metadata.band_names if b != score_band]
    return metadata.rename_labels("bands", target=lr_bands + [score_band, context["target_band"]])
