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
import pandas
import xarray
from openeo.metadata import CollectionMetadata

SECONDS_PER_DAY = 86400.0


def day_of(value):
    """A date or date-time (RFC 3339 string, with or without offset, or datetime64) -> whole
    days since 1970-01-01 UTC. Offsets are converted to UTC, not dropped."""
    stamp = pandas.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return float(np.floor(stamp.value / (SECONDS_PER_DAY * 1e9)))


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
    """Whole days since the epoch -> datetime64[ns] labels (exact: no rounding of seconds)."""
    return np.asarray(days).astype("int64").astype("datetime64[D]").astype("datetime64[ns]")


def label_days(labels):
    """datetime64 labels -> days since the epoch (float, for the arithmetic only)."""
    return np.asarray(labels).astype("datetime64[ns]").astype(np.int64) / (SECONDS_PER_DAY * 1e9)


def interpolate_series(values, days, query):
    """Linear interpolation in time, independently per element, across NaN gaps.

    values: (n, ...) with NaN = no data, days: (n,) ascending, query: (q,).
    Returns (q, ...) float32; NaN where the query lies outside the finite values' range.
    Series without gaps (the usual case) share one (q x n) weight matrix: a single matrix
    product over all series; the few series with gaps are then redone by a per-element sweep.
    """
    n = values.shape[0]
    if n == 0:
        return np.full((len(query),) + values.shape[1:], np.nan, dtype=np.float32)
    flat = values.reshape(n, -1)
    complete = np.isfinite(flat).all(axis=0)
    days, query = np.asarray(days, dtype=np.float64), np.asarray(query, dtype=np.float64)
    out = _interpolate_complete(flat, days, query)  # wrong only in the series with gaps
    if not complete.all():
        out[:, ~complete] = _interpolate_with_gaps(flat[:, ~complete], days, query)
    return out.reshape((len(query),) + values.shape[1:])


def _interpolate_complete(flat, days, query):
    """All n values present: out = W @ flat with two non-zero weights per query row."""
    weights = np.zeros((len(query), len(days)), dtype=np.float32)
    inside = (query >= days[0]) & (query <= days[-1])
    right = np.clip(np.searchsorted(days, query, side="left"), 0, len(days) - 1)
    left = np.clip(np.searchsorted(days, query, side="right") - 1, 0, len(days) - 1)
    span = days[right] - days[left]
    frac = np.where(span > 0, (query - days[left]) / np.where(span > 0, span, 1), 0.0)
    rows = np.arange(len(query))
    np.add.at(weights, (rows, left), (1 - frac).astype(np.float32))
    np.add.at(weights, (rows, right), frac.astype(np.float32))
    out = weights @ flat.astype(np.float32, copy=False)
    out[~inside] = np.nan
    return out


def _interpolate_with_gaps(flat, days, query):
    """Per element: the nearest finite value before and after each query (two sweeps)."""
    n, q = len(days), len(query)
    right_value = np.full((q, flat.shape[1]), np.nan, dtype=np.float32)
    right_day = np.full((q, flat.shape[1]), np.nan, dtype=np.float32)
    value = np.full(flat.shape[1], np.nan, dtype=np.float32)
    day = np.full(flat.shape[1], np.nan, dtype=np.float32)
    k = n - 1
    for j in range(q - 1, -1, -1):  # backwards: next finite value at or after each query
        while k >= 0 and days[k] >= query[j]:
            ok = np.isfinite(flat[k])
            value, day = np.where(ok, flat[k], value), np.where(ok, np.float32(days[k] - days[0]), day)
            k -= 1
        right_value[j], right_day[j] = value, day
    out = np.empty((q, flat.shape[1]), dtype=np.float32)
    value = np.full(flat.shape[1], np.nan, dtype=np.float32)
    day = np.full(flat.shape[1], np.nan, dtype=np.float32)
    k = 0
    for j in range(q):  # forwards: last finite value at or before each query
        while k < n and days[k] <= query[j]:
            ok = np.isfinite(flat[k])
            value, day = np.where(ok, flat[k], value), np.where(ok, np.float32(days[k] - days[0]), day)
            k += 1
        span = right_day[j] - day
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(span > 0, (np.float32(query[j] - days[0]) - day) / span, np.float32(0))
        out[j] = value + frac * (right_value[j] - value)
    return out


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: composites + S2 score -> LR, score, target at S2 dates and targets."""
    score_band, target_band = context["score_band"], context["target_band"]
    bands = [str(b) for b in cube.coords["bands"].values]
    if score_band not in bands:
        raise ValueError("interpolation: band %r missing from the input bands %s" % (score_band, bands))
    lr_bands = [b for b in bands if b != score_band]
    cube = cube.transpose("t", "bands", "y", "x")
    # the input labels are kept exactly (sub-second S2 times included): the fusion merges on them
    labels = cube.coords["t"].values.astype("datetime64[ns]")
    days = label_days(labels)
    score = cube.sel(bands=score_band).values
    is_s2 = np.isfinite(score).any(axis=(1, 2))
    target_labels = days_to_datetimes(target_days(context))
    query_labels = np.union1d(labels[is_s2], target_labels)
    lr_values = cube.sel(bands=lr_bands).values
    has_lr = np.isfinite(lr_values).any(axis=(1, 2, 3))  # composite labels (not S2-only ones)
    lr = interpolate_series(lr_values[has_lr], days[has_lr], label_days(query_labels))
    out_score = np.full((len(query_labels), 1) + score.shape[1:], np.nan, dtype=np.float32)
    s2_position = {label: i for i, label in zip(np.flatnonzero(is_s2), labels[is_s2])}
    for j, label in enumerate(query_labels):
        if label in s2_position:
            out_score[j, 0] = score[s2_position[label]]
    out_target = np.broadcast_to(
        np.isin(query_labels, target_labels).astype(np.float32)[:, None, None, None], out_score.shape
    )
    result = np.concatenate([lr, out_score, out_target], axis=1)
    return xarray.DataArray(
        result,
        dims=("t", "bands", "y", "x"),
        coords={"t": query_labels, "bands": lr_bands + [score_band, target_band],
                "y": cube.coords["y"], "x": cube.coords["x"]},
    )


def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    """Bands: the composite bands, then the passed-through score, then the target marker."""
    score_band = context["score_band"]
    lr_bands = [b for b in metadata.band_names if b != score_band]
    return metadata.rename_labels("bands", target=lr_bands + [score_band, context["target_band"]])
