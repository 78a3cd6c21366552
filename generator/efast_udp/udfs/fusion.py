"""EFAST fusion (Senty et al. 2024, Sections 2.3/2.5, Eq. 2; docs/algorithm.md).

Runs under ``apply_dimension`` over ``t`` at Sentinel-2 resolution. Input, one cube: the
Sentinel-2 bands in digital numbers and ``SCL`` at the S2 dates, merged with the low-resolution
series brought to the S2 grid (bilinear): the S3 bands (LR) and the distance-to-cloud
``score`` at the S2 dates, LR and the ``target`` marker at the target dates. For each target
date T and each band pair (S2 band i <-> S3 band i, paired by name from the context):

    w(t, T)  = score(t) * valid_S2(t) * exp(-(t - T)^2 / (2 s^2))            (Section 2.5)
    HR_m(T)  = sum_t w S2(t) / sum_t w                                        (Section 2.3)
    LR_m(T)  = sum_t w LR(t) / sum_t w        (same weights, same acquisitions as HR_m)
    LR_p(T)  = LR(T)
    F(T)     = LR_p(T) + HR_m(T) - LR_m(T)                                    (Eq. 2)

HR_m and LR_m are taken over the acquisitions where both S2 and LR have data, so they always
share their weights (computed as one weighted mean of S2 - LR). Where LR_p or LR_m is missing, F = HR_m over all valid S2 acquisitions
(never one LR term without the other). F is clipped at 0 (a reflectance is never negative).
Optional NDVI = (NIR - red) / (NIR + red) from the fused bands (NaN where NIR + red <= 0).
A chunk without any S2 data (outside every footprint) gives NaN, not an error: one such
tile must not fail the whole back-end job. Sentinel-2 values that are not digital numbers
(reflectance, a typical value below ``units_limit``) stop the job with a logged error.

The weighted sums over t are matrix products (targets x dates) @ (dates x pixels): memory stays
at a few copies of the input and one of the output, never (targets x dates x y x x). Everything
else runs date by date or target by target, so that each step works on data in the cache, and
reads the input cube through views, without copies.

Context keys (checked against the node's context when the graph is built):
    s2_bands          the UDP's s2_data_bands: Sentinel-2 band i is fused with Sentinel-3 band i
    s3_bands          the UDP's s3_data_bands, paired by position with s2_bands
    fused_band_names  the UDP's fused_band_names: output names (null: the S2 names)
    output_ndvi       the UDP's output_ndvi: append an NDVI band
    sigma_days        the UDP's temporal_score_stddev: sigma (days) of the S2 temporal weight
    scl_band          name of the Sentinel-2 scene classification band
    invalid_scl       scene classes that make a Sentinel-2 pixel invalid
    scale             reflectance per digital number of the Sentinel-2 bands
    units             the units the Sentinel-2 bands must be in ("digital numbers")
    units_limit       smallest typical |value| of a Sentinel-2 band in digital numbers
    score_band        name of the band holding the distance-to-cloud score
    target_band       name of the band marking the target dates
    ndvi_red          Sentinel-2 band used as red for NDVI
    ndvi_nir          Sentinel-2 band used as near infrared for NDVI
    ndvi_band         name of the NDVI output band
"""

import numpy as np
import xarray
from openeo.metadata import CollectionMetadata

from efast_udp.udfs.prelude import check_units, label_days, select, temporal_weights


def output_band_names(context):
    """Names of the output bands, after checking the band parameters against each other."""
    s2_bands, s3_bands = list(context["s2_bands"]), list(context["s3_bands"])
    if len(s2_bands) != len(s3_bands):
        raise ValueError(
            "parameter 's3_data_bands' must list one band per entry of 's2_data_bands' "
            "(%d given for %d: %s vs %s)" % (len(s3_bands), len(s2_bands), s3_bands, s2_bands)
        )
    names = context.get("fused_band_names") or s2_bands
    if len(names) != len(s2_bands):
        raise ValueError(
            "parameter 'fused_band_names' must name one band per entry of 's2_data_bands' "
            "(%d given for %d)" % (len(names), len(s2_bands))
        )
    names = list(names)
    if context.get("output_ndvi"):
        missing = [b for b in (context["ndvi_red"], context["ndvi_nir"]) if b not in s2_bands]
        if missing:
            raise ValueError(
                "parameter 'output_ndvi' needs %s in 's2_data_bands' (got %s)" % (" and ".join(missing), s2_bands)
            )
        names.append(context["ndvi_band"])
    return names


def fuse(s2, lr_at_s2, score, lr_at_targets, obs_days, target_days, sigma_days, s2_scale=1.0):
    """Eq. 2 for all targets and bands.

    s2, lr_at_s2: (dates, bands, y, x) arrays, or sequences of per-date (bands, y, x) arrays
    (views into the UDF's input cube need no copy), NaN = invalid (``s2 * s2_scale`` is
    reflectance); score: (dates, y, x), or per-date (y, x), finite; lr_at_targets: (targets,
    bands, y, x). Returns (targets, bands, y, x) float32. A score of 0 removes an acquisition
    (cloudy cell, or an invalid S2 pixel folded into the score).

    HR_m - LR_m is one weighted mean of the difference S2 - LR over the acquisitions where both
    exist (same weights by construction): one matrix product (targets x dates) @ (dates x
    bands*pixels) for the numerator, one for the weight sums, shared by all bands when their
    validity is the same (the usual case: validity comes from SCL and the S3 series).
    """
    w_t = temporal_weights(obs_days, target_days, sigma_days, "temporal_score_stddev")
    n_targets, n_dates = w_t.shape
    n_bands = lr_at_targets.shape[1]
    terms, weights = _weighted_differences(s2, lr_at_s2, score, s2_scale)
    fused = np.empty(lr_at_targets.shape, dtype=np.float32)
    np.matmul(w_t, terms.reshape(n_dates, -1), out=fused.reshape(n_targets, -1))  # sum_t w (S2 - LR)
    del terms
    weight_sum = (w_t @ weights.reshape(n_dates, -1)).reshape((n_targets, weights.shape[1], -1))
    complete = True
    zeros = np.zeros(weight_sum.shape[-1:], dtype=np.float32)
    inverse = np.empty(weight_sum.shape[1:], dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # weight sum 0: Eq. 2 undefined
        for t in range(n_targets):  # target by target: each slab stays in the cache for all steps
            slab = fused[t].reshape(n_bands, -1)
            np.divide(np.float32(1), weight_sum[t], out=inverse)  # one division per pixel, not per band
            if _all_finite(inverse):
                np.multiply(slab, inverse, out=slab)  # HR_m - LR_m
            else:  # a weight sum of 0 (Eq. 2 undefined: NaN) or so small that 1/sum overflows: divide
                np.divide(slab, weight_sum[t], out=slab)
            slab += lr_at_targets[t].reshape(n_bands, -1)  # Eq. 2: LR_p + (HR_m - LR_m)
            if not _all_finite(slab):  # Eq. 2 undefined somewhere: NaN (also for -inf, which the clip
                complete = False       # would turn into 0) marks it for the HR_m fallback
                slab[~np.isfinite(slab)] = np.nan
            _clip_negative(slab, zeros)  # a reflectance is never negative (NaN stays NaN)
    if not complete:
        _fill_with_s2_mosaic(fused, s2, s2_scale, score, w_t)
    return fused


def _weighted_differences(s2, lr_at_s2, score, s2_scale):
    """Date by date (each in the cache): the terms score * (S2 - LR), exactly 0 where S2 or LR
    has no data, as (dates, bands, y, x), and their weights (score where both have data) as
    (dates, 1, y, x), or (dates, bands, y, x) if the validity differs between bands.
    ``score`` must be finite (0 = no weight)."""
    n_dates = len(s2)
    terms = np.empty((n_dates,) + np.shape(s2[0]), dtype=np.float32)
    weights = np.empty((n_dates, 1) + terms.shape[2:], dtype=np.float32)
    scale = np.float32(s2_scale)
    for i in range(n_dates):
        term = terms[i]
        np.multiply(s2[i], scale, out=term, dtype=np.float32)
        term -= lr_at_s2[i]  # S2 - LR: finite exactly where both have data
        if _all_finite(term):  # the usual case: every band has data at every pixel of this date
            weights[i] = score[i]  # (1 | bands, y, x) <- (y, x)
            term *= weights[i]
            continue
        joint = np.isfinite(term)
        if weights.shape[1] == 1 and not (joint == joint[:1]).all():
            weights = np.repeat(weights, terms.shape[1], axis=1)  # validity differs between bands
        weight = weights[i]
        np.multiply(joint[:weight.shape[0]], score[i], out=weight)
        term *= weight
        np.copyto(term, np.float32(0), where=~joint)  # no data: weight 0 and a term of 0, not NaN
    return terms, weights


def _all_finite(values):
    """True if no value is NaN or +-inf: one dot product (NaN and inf propagate; a value so large
    that its square overflows also answers False, which only sends the caller to its exact path)."""
    flat = values.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.dot(flat, flat)))


def _clip_negative(values, zeros):
    """In place: negative values -> 0, NaN stays NaN. ``zeros``: an array of zeros matching the
    trailing dimensions of ``values`` (maximum against an array runs vectorised; against a
    scalar 0 it runs several times slower on some CPUs)."""
    return np.maximum(values, zeros, out=values)


def _fill_with_s2_mosaic(fused, s2, s2_scale, score, w_t):
    """Where Eq. 2 is undefined (no LR_p or no LR_m), F = HR_m over all valid acquisitions."""
    n_targets, n_dates = w_t.shape
    flat = fused.reshape(n_targets, -1)
    missing = ~np.isfinite(flat)
    columns = missing.any(axis=0)
    if not columns.any():
        return
    # one (1, columns) row per date: every column is its own "band" with its own validity
    s2_cols = [np.asarray(s2[i]).reshape(1, -1)[:, columns] for i in range(n_dates)]
    score_cols = [np.broadcast_to(score[i], fused.shape[1:]).reshape(-1)[columns] for i in range(n_dates)]
    hr_m = weighted_mean(w_t, s2_cols, score_cols, s2_scale)[:, 0]
    _clip_negative(hr_m, np.zeros(hr_m.shape[-1:], dtype=np.float32))
    flat[:, columns] = np.where(missing[:, columns], hr_m, flat[:, columns])


def weighted_mean(w_t, values, score, scale=1.0):
    """HR_m (Section 2.3): scale * sum_t w score values / sum_t w score over the dates where the
    value exists, as (targets, bands, ...); NaN where no date has weight. Same per-date arrays
    as ``fuse``'s S2 input and the same exact-zero handling of missing values."""
    terms, weights = _weighted_differences(values, np.zeros(len(values), dtype=np.float32), score, scale)
    n_dates = len(values)
    numerator = (w_t @ terms.reshape(n_dates, -1)).reshape((len(w_t),) + terms.shape[1:])
    denominator = (w_t @ weights.reshape(n_dates, -1)).reshape((len(w_t),) + weights.shape[1:])
    denominator[~(denominator > 0)] = np.nan
    return numerator / denominator


def ndvi(red, nir):
    """(NIR - red) / (NIR + red); NaN where the sum is not positive (never +-inf)."""
    total = nir + red
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (nir - red) / total, np.nan).astype(np.float32)


def s2_validity(scl, invalid_classes):
    """True where the scene classification marks a usable surface pixel."""
    valid = np.isfinite(scl)
    unequal = np.empty_like(valid)
    for c in invalid_classes:  # a handful of classes: one comparison each beats a sort
        np.logical_and(valid, np.not_equal(scl, c, out=unequal), out=valid)
    return valid


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: merged S2 + LR cube -> fused bands at the target dates."""
    names = output_band_names(context)
    s2_bands, s3_bands = list(context["s2_bands"]), list(context["s3_bands"])
    score_band, target_band, scl_band = context["score_band"], context["target_band"], context["scl_band"]
    bands = [str(b) for b in cube.coords["bands"].values]
    missing = [b for b in s2_bands + s3_bands + [scl_band, score_band, target_band] if b not in bands]
    if missing:
        raise ValueError("fusion: bands %s missing from the input bands %s" % (missing, bands))
    cube = cube.transpose("t", "bands", "y", "x")
    days = label_days(cube.coords["t"].values)
    is_target = _label_maximum(cube.values[:, bands.index(target_band)]) > 0.5
    if not is_target.any():  # the interpolation marks every target date: the graph lost the marker
        raise ValueError("fusion: no target date marked in the input band %r (graph inconsistency)" % target_band)
    scl = cube.values[:, bands.index(scl_band)]
    is_s2 = ~np.isnan(_label_maximum(scl))  # any SCL value at all (an invalid one is masked later)
    values = cube.values
    if not is_s2.any():
        # a chunk outside every S2 footprint: no data here, not an error of the whole job
        fused = np.full((int(is_target.sum()), len(s2_bands)) + values.shape[2:], np.nan, dtype=np.float32)
    else:
        fused = _fuse_chunk(values, bands, is_s2, is_target, scl, days, context)
    if context.get("output_ndvi"):
        red = fused[:, s2_bands.index(context["ndvi_red"])]
        nir = fused[:, s2_bands.index(context["ndvi_nir"])]
        fused = np.concatenate([fused, ndvi(red, nir)[:, None]], axis=1)
    return xarray.DataArray(
        fused,
        dims=("t", "bands", "y", "x"),
        coords={"t": cube.coords["t"].values[is_target], "bands": names,
                "y": cube.coords["y"], "x": cube.coords["x"]},
    )


def _fuse_chunk(values, bands, is_s2, is_target, scl, days, context):
    """The S2, LR and score arrays of one chunk -> fused bands (targets, bands, y, x)."""
    s2_bands, s3_bands = list(context["s2_bands"]), list(context["s3_bands"])
    score = values[:, bands.index(context["score_band"])]
    invalid = [float(c) for c in context["invalid_scl"]]
    s2_cols, s3_cols = [bands.index(b) for b in s2_bands], [bands.index(b) for b in s3_bands]
    rows = np.flatnonzero(is_s2)
    check_units([values[:, c] for c in s2_cols], s2_bands, context["units"], float(context["units_limit"]),
                "Sentinel-2")  # views: labels without S2 are NaN there and do not count
    s2 = [select(values[r], s2_cols) for r in rows]  # per date (bands, y, x), views
    lr = [select(values[r], s3_cols) for r in rows]
    # invalid S2 pixels (SCL) get weight 0: folded into the score instead of masking every band
    scores = np.empty((len(rows),) + score.shape[1:], dtype=np.float32)
    for i, r in enumerate(rows):
        np.multiply(score[r], s2_validity(scl[r], invalid), out=scores[i])
        if not _all_finite(scores[i]):  # no score here (NaN): no weight
            np.nan_to_num(scores[i], copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    lr_at_targets = select(select(values, np.flatnonzero(is_target)), s3_cols, axis=1)
    return fuse(s2, lr, scores, lr_at_targets, days[is_s2], days[is_target], float(context["sigma_days"]),
                s2_scale=float(context["scale"]))


def _label_maximum(band):
    """Largest value of each label of a (t, y, x) band, ignoring NaN; NaN only where all are NaN."""
    return np.fmax.reduce(band.reshape(band.shape[0], -1), axis=1)


def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    """Bands: the fused bands (``fused_band_names`` or the S2 names), then NDVI if requested."""
    return metadata.rename_labels("bands", target=output_band_names(context))
