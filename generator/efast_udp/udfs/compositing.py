"""EFAST Sentinel-3 composites (Senty et al. 2024, Sections 2.4/2.5; docs/algorithm.md).

Runs under ``apply_dimension`` over ``t`` on the coarse grid. Input: the distance-to-cloud
``score`` band merged with the Sentinel-3 reflectance bands (as CDSE delivers them: already
reflectance, NaN where the binning masked flagged pixels) at the acquisition times t (minutes,
often two a day). Output: one composite per date T of a regular series (every
``interval_days`` from the start of ``temporal_extent``, up to the first date on or after its
end, so that every Sentinel-2 date and target date in the extent lies between two composites):

    w(t, T)   = score(t) * exp(-(t - T)^2 / (2 sigma^2))            (temporal weight, Sec. 2.5)
    S3c(T)    = sum_t w(t, T) S3(t) / sum_t w(t, T)                  (no data where the sum is 0)

Cloudy cells have score 0, so they never weigh in. Values that are not reflectance (digital
numbers, a typical value above ``units_limit``) stop the job with a logged error instead of
giving composites 10^4 off; so does a ``temporal_extent`` longer than the UDP supports.

The weighted sums are one matrix product over the dates, so memory stays at a few copies of
the input: no (targets x dates x y x x) array is ever built.

Context keys (checked against the node's context when the graph is built):
    temporal_extent  the UDP's temporal_extent: composites start on its first day
    interval_days    the UDP's interval_days: days between two composites
    sigma_days       the UDP's s3_temporal_score_stddev: sigma (days) of the temporal weight
    score_band       name of the band holding the distance-to-cloud score
    units            the units the Sentinel-3 bands must be in ("reflectance")
    units_limit      largest typical |value| of a reflectance band
    max_temporal_extent_days  longest temporal_extent (days) the UDP supports
"""

import numpy as np
import xarray
from openeo.metadata import CollectionMetadata

from efast_udp.udfs.prelude import check_units, day_labels, label_days, select, temporal_weights, utc_day


def composite_days(temporal_extent, interval_days, max_days=None):
    """Regular series of composite dates (days since epoch, UTC): every ``interval_days`` from
    the start day of ``temporal_extent`` to the first one on or after its end, so that every
    date in ``[start, end)`` has a composite before and after it."""
    if int(interval_days) < 1:
        raise ValueError("parameter 'interval_days' must be >= 1, got %r" % (interval_days,))
    start, end = (utc_day(v) for v in temporal_extent)
    if not end > start:
        raise ValueError("parameter 'temporal_extent': end %r must be after start %r" % tuple(temporal_extent))
    if max_days is not None and end - start > float(max_days):
        raise ValueError("parameter 'temporal_extent' spans %d days; this UDP supports at most %d (every UDF call "
                         "must fit the job's python-memory): split the period into shorter runs"
                         % (end - start, max_days))
    step = int(interval_days)
    return np.arange(start, end + step, step, dtype=np.float64)


#: Stand-in for no-data in the weighted values: finite, so that times a zero weight it is 0.
_FINITE_MAX = np.float32(np.finfo(np.float32).max)


def composite(values, score, obs_days, out_days, sigma_days):
    """Weighted temporal composites.

    values: (dates, bands, y, x), NaN = no observation; score: (dates, y, x) in [0, 1].
    Returns (len(out_days), bands, y, x) float32, NaN where no observation has weight.

    Two matrix products over the dates: the numerator for all bands at once, the denominator
    once for all bands when they share their validity (the usual case: S3 is masked per pixel).
    The full-size arrays are made by plain arithmetic, no masked copies: the weight is 0 wherever
    a value is missing, and missing values are first clamped to a finite number.
    """
    n_dates, n_bands = values.shape[:2]
    n_out = len(out_days)
    finite = np.isfinite(values)
    score = np.nan_to_num(np.asarray(score, dtype=np.float32), nan=0.0)
    shared = bool((finite == finite[:, :1]).all())
    if shared:
        weight = np.where(finite[:, 0], score, np.float32(0))  # (dates, y, x): one per pixel
        # bounds as arrays, not scalars: fmax/fmin against a scalar run several times slower on some CPUs
        bound = np.full(values.shape[-2:], _FINITE_MAX, dtype=np.float32)
        weighted = np.fmax(values, -bound, dtype=np.float32)  # NaN -> finite
        np.fmin(weighted, bound, out=weighted)  # +-inf -> finite
        np.multiply(weighted, weight[:, None], out=weighted)  # 0 wherever the value is missing
    else:
        weight = np.where(finite, score[:, None], np.float32(0))  # (dates, bands, y, x)
        weighted = np.where(finite, values, np.float32(0)).astype(np.float32, copy=False)
        np.multiply(weighted, weight, out=weighted)
    w_t = temporal_weights(obs_days, out_days, sigma_days, "s3_temporal_score_stddev")
    result = np.empty((n_out,) + values.shape[1:], dtype=np.float32)
    np.matmul(w_t, weighted.reshape(n_dates, -1), out=result.reshape(n_out, -1))
    del weighted
    denominator = (w_t @ weight.reshape(n_dates, -1)).reshape((n_out, 1 if shared else n_bands, -1))
    denominator[~(denominator > 0)] = np.nan  # no observation with weight: no data, not 0
    by_band = result.reshape(n_out, n_bands, -1)
    np.divide(by_band, denominator, out=by_band)
    return result


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: (t, bands, y, x) at S3 dates -> (t, bands, y, x) at composite dates."""
    score_band = context["score_band"]
    bands = [str(b) for b in cube.coords["bands"].values]
    if score_band not in bands:
        raise ValueError("compositing: band %r missing from the input bands %s" % (score_band, bands))
    data_bands = [b for b in bands if b != score_band]
    cube = cube.transpose("t", "bands", "y", "x")
    out_days = composite_days(context["temporal_extent"], context["interval_days"],
                              context["max_temporal_extent_days"])
    obs_days = label_days(cube.coords["t"].values)
    array = cube.values
    values = select(array, [bands.index(b) for b in data_bands], axis=1)  # a view when possible
    check_units([values[:, i] for i in range(values.shape[1])], data_bands, context["units"],
                float(context["units_limit"]), "Sentinel-3")
    score = array[:, bands.index(score_band)]
    result = composite(values, score, obs_days, out_days, float(context["sigma_days"]))
    return xarray.DataArray(
        result,
        dims=("t", "bands", "y", "x"),
        coords={"t": day_labels(out_days), "bands": data_bands, "y": cube.coords["y"], "x": cube.coords["x"]},
    )


def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    """The score band is consumed; the reflectance bands keep their names."""
    return metadata.filter_bands([b for b in metadata.band_names if b != context["score_band"]])
