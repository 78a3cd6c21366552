"""EFAST Sentinel-3 composites (Senty et al. 2024, Section 2.4; EFAST.md §1 steps 3-4).

Runs under ``apply_dimension`` over ``t`` on the coarse grid. Input: the scored Sentinel-3
cube (reflectance bands in digital numbers, NaN where cloudy, plus the distance-to-cloud
``score`` band) at the acquisition dates t. Output: one composite per date T of a regular
series (every ``interval_days`` from the start of ``temporal_extent``, end excluded), in
reflectance:

    w(t, T)   = score(t) * exp(-(t - T)^2 / (2 sigma^2))            (temporal weight, Sec. 2.5)
    S3c(T)    = scale * sum_t w(t, T) S3(t) / sum_t w(t, T)          (no data where the sum is 0)

The weighted sums are one matrix product over the dates, so memory stays at a few copies of
the input: no (targets x dates x y x x) array is ever built.

Context keys: ``temporal_extent``, ``interval_days``, ``sigma_days`` (the UDP's
``s3_temporal_score_stddev``), ``score_band``, ``scale``.
"""

import numpy as np
import xarray
from openeo.metadata import CollectionMetadata

SECONDS_PER_DAY = 86400.0


def to_days(value):
    """A date or date-time (string or numpy datetime64) -> days since 1970-01-01 (float)."""
    text = str(value).rstrip("Z").split("+")[0]
    return np.datetime64(text, "s").astype(np.int64) / SECONDS_PER_DAY


def composite_days(temporal_extent, interval_days):
    """Regular series of composite dates (days since epoch) covering ``[start, end)``."""
    if int(interval_days) < 1:
        raise ValueError("parameter 'interval_days' must be >= 1, got %r" % (interval_days,))
    start, end = (np.floor(to_days(v)) for v in temporal_extent)
    if not end > start:
        raise ValueError("parameter 'temporal_extent': end %r must be after start %r" % tuple(temporal_extent))
    return np.arange(start, end, int(interval_days), dtype=np.float64)


def temporal_weights(obs_days, out_days, sigma_days):
    """Gaussian weight of each observation for each output date: (n_out, n_obs) float32."""
    if not sigma_days > 0:
        raise ValueError("temporal standard deviation must be > 0, got %r" % (sigma_days,))
    delta = (np.asarray(out_days)[:, None] - np.asarray(obs_days)[None, :]) / float(sigma_days)
    return np.exp(-0.5 * delta * delta).astype(np.float32)


def composite(values, score, obs_days, out_days, sigma_days):
    """Weighted temporal composites.

    values: (dates, bands, y, x), NaN = no observation; score: (dates, y, x) in [0, 1].
    Returns (len(out_days), bands, y, x) float32, NaN where no observation has weight.
    """
    n_dates = values.shape[0]
    finite = np.isfinite(values)
    weight = np.where(finite, np.nan_to_num(score, nan=0.0)[:, None].astype(np.float32), np.float32(0))
    weighted = np.where(finite, values, 0).astype(np.float32) * weight
    w_t = temporal_weights(obs_days, out_days, sigma_days)
    numerator = w_t @ weighted.reshape(n_dates, -1)
    denominator = w_t @ weight.reshape(n_dates, -1)
    del weighted, weight
    with np.errstate(invalid="ignore", divide="ignore"):
        result = numerator / denominator
    result[~(denominator > 0)] = np.nan
    return result.reshape((len(out_days),) + values.shape[1:])


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: (t, bands, y, x) at S3 dates -> (t, bands, y, x) at composite dates."""
    score_band = context["score_band"]
    bands = [str(b) for b in cube.coords["bands"].values]
    if score_band not in bands:
        raise ValueError("compositing: band %r missing from the input bands %s" % (score_band, bands))
    data_bands = [b for b in bands if b != score_band]
    cube = cube.transpose("t", "bands", "y", "x")
    out_days = composite_days(context["temporal_extent"], context["interval_days"])
    obs_days = cube.coords["t"].values.astype("datetime64[s]").astype(np.int64) / SECONDS_PER_DAY
    values = cube.sel(bands=data_bands).values
    score = cube.sel(bands=score_band).values
    result = composite(values, score, obs_days, out_days, float(context["sigma_days"]))
    result *= np.float32(context["scale"])
    times = (out_days * SECONDS_PER_DAY).astype("int64").astype("datetime64[s]").astype("datetime64[ns]")
    return xarray.DataArray(
        result,
        dims=("t", "bands", "y", "x"),
        coords={"t": times, "bands": data_bands, "y": cube.coords["y"], "x": cube.coords["x"]},
    )


def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    """The score band is consumed; the reflectance bands keep their names."""
    return metadata.filter_bands([b for b in metadata.band_names if b != context["score_band"]])
