"""EFAST: Sentinel-3 composites in time, and the target dates (docs/algorithm.md).

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
Dates are whole UTC days (offsets converted to UTC).

Context keys (checked against the node's context when the graph is built):
    temporal_extent         the UDP's temporal_extent: every target date must lie in it
    temporal_extent_target  the UDP's temporal_extent_target (null: temporal_extent)
    interval_days           the UDP's interval_days: days between two target dates
    target_time_series      the UDP's target_time_series: explicit target dates (null: derived)
    score_band              name of the band holding the Sentinel-2 distance-to-cloud score
    target_band             name of the output band marking the target dates
"""

import numpy as np
import xarray
from openeo.metadata import CollectionMetadata

from efast_udp.udfs.prelude import day_labels, label_days, select, utc_day


def target_days(context):
    """The target dates (days since epoch, ascending), checked against ``temporal_extent``."""
    start, end = (utc_day(v) for v in context["temporal_extent"])
    series = context.get("target_time_series")
    if series:
        name, days = "target_time_series", np.unique([utc_day(d) for d in series])
    else:
        step = int(context.get("interval_days") or 0)
        if step < 1:
            raise ValueError("parameter 'interval_days' must be >= 1, got %r" % (context.get("interval_days"),))
        extent = context.get("temporal_extent_target")
        name = "temporal_extent_target" if extent else "temporal_extent"
        first, stop = (utc_day(v) for v in (extent or context["temporal_extent"]))
        days = np.arange(first, stop, step, dtype=np.float64)
    if days.size == 0:
        raise ValueError("parameter '%s' gives no target date" % name)
    outside = days[(days < start) | (days >= end)]
    if outside.size:
        raise ValueError(
            "parameter '%s': target date(s) %s outside temporal_extent [%s, %s)"
            % (name, ", ".join(str(d) for d in day_labels(outside).astype("datetime64[D]")),
               context["temporal_extent"][0], context["temporal_extent"][1])
        )
    return days


def interpolate_series(values, days, query, out=None):
    """Linear interpolation in time, independently per element, across NaN gaps.

    values: (n, ...) with NaN = no data, days: (n,) ascending, query: (q,).
    Returns (q, ...) float32 (written into ``out`` when given, a C-contiguous (q, ...) array);
    NaN where the query lies outside the finite values' range.
    """
    n, q = values.shape[0], len(query)
    if out is None:
        out = np.empty((q,) + values.shape[1:], dtype=np.float32)
    elif not out.flags.c_contiguous:
        raise ValueError("interpolate_series: 'out' must be C-contiguous")
    interpolate_bands([values.reshape(n, -1)], days, query, out.reshape(1, q, -1))
    return out


def interpolate_bands(series, days, query, out):
    """:func:`interpolate_series` for several (n, px) series (one per band, any iterable: each
    is used before the next one is taken) at once, into ``out`` (bands, q, px).

    Series without gaps (the usual case) share one (q x n) weight matrix: a single matrix
    product per band; the few series with gaps, of all bands together, are then redone by one
    per-element sweep.
    """
    days, query = np.asarray(days, dtype=np.float64), np.asarray(query, dtype=np.float64)
    if len(days) == 0:
        out[...] = np.nan
        return out
    weights, outside = _interpolation_weights(days, query)
    pending = []
    for k, flat in enumerate(series):
        np.matmul(weights, flat.astype(np.float32, copy=False), out=out[k])  # wrong only where gaps
        out[k][outside] = np.nan
        gaps = np.flatnonzero(~np.isfinite(np.add.reduce(flat, axis=0)))  # a sum is finite iff all terms are
        if gaps.size:
            pending.append((k, gaps, flat[:, gaps]))
    if pending:
        swept = _interpolate_with_gaps(np.concatenate([cols for _, _, cols in pending], axis=1), days, query)
        start = 0
        for k, gaps, _ in pending:
            out[k][:, gaps] = swept[:, start:start + len(gaps)]
            start += len(gaps)
    return out


def _interpolation_weights(days, query):
    """(q x n) float32 matrix with the two linear-interpolation weights of each query row, and
    the queries outside [days[0], days[-1]] (no extrapolation)."""
    weights = np.zeros((len(query), len(days)), dtype=np.float32)
    outside = (query < days[0]) | (query > days[-1])
    right = np.clip(np.searchsorted(days, query, side="left"), 0, len(days) - 1)
    left = np.clip(np.searchsorted(days, query, side="right") - 1, 0, len(days) - 1)
    span = days[right] - days[left]
    frac = np.where(span > 0, (query - days[left]) / np.where(span > 0, span, 1), 0.0)
    rows = np.arange(len(query))
    np.add.at(weights, (rows, left), (1 - frac).astype(np.float32))
    np.add.at(weights, (rows, right), frac.astype(np.float32))
    return weights, outside


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
    values = cube.values  # a view: bands are picked per band below, never copied as a whole
    lr_index = [bands.index(b) for b in lr_bands]
    score = values[:, bands.index(score_band)]
    is_s2 = np.array([np.isfinite(s).any() for s in score], dtype=bool)
    # composite labels: any LR value (S2-only labels carry none); most are found on the first band
    has_lr = np.array([any(np.isfinite(values[i, b]).any() for b in lr_index) for i in range(len(labels))],
                      dtype=bool)
    target_labels = day_labels(target_days(context))
    query_labels = np.union1d(labels[is_s2], target_labels)
    query = label_days(query_labels)
    # output as (bands, t, y, x) in memory, returned as a (t, bands, y, x) view: every band's
    # series is one contiguous block that the interpolation writes directly
    result = np.empty((len(lr_bands) + 2, len(query_labels)) + values.shape[2:], dtype=np.float32)
    composites = np.flatnonzero(has_lr)
    n_px = int(np.prod(values.shape[2:]))
    buffer = np.empty((len(composites),) + values.shape[2:], dtype=values.dtype)  # reused band after band
    interpolate_bands((select(values[:, b], composites, out=buffer).reshape(len(composites), n_px)
                       for b in lr_index),
                      days[has_lr], query, result[:len(lr_index)].reshape(len(lr_index), len(query), n_px))
    s2_position = {label: i for i, label in zip(np.flatnonzero(is_s2), labels[is_s2])}
    out_score, out_target = result[-2], result[-1]
    for j, label in enumerate(query_labels):
        if label in s2_position:
            out_score[j] = score[s2_position[label]]
        else:
            out_score[j] = np.nan
    out_target[...] = np.isin(query_labels, target_labels).astype(np.float32)[:, None, None]
    return xarray.DataArray(
        result.transpose(1, 0, 2, 3),
        dims=("t", "bands", "y", "x"),
        coords={"t": query_labels, "bands": lr_bands + [score_band, target_band],
                "y": cube.coords["y"], "x": cube.coords["x"]},
    )


def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    """Bands: the composite bands, then the passed-through score, then the target marker."""
    score_band = context["score_band"]
    lr_bands = [b for b in metadata.band_names if b != score_band]
    return metadata.rename_labels("bands", target=lr_bands + [score_band, context["target_band"]])
