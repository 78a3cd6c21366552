"""Conventions shared by the EFAST UDFs: dates as UTC days, Gaussian temporal weights, and
picking labels out of a cube without needless copies.

A UDF module imports from here with one line, ``from efast_udp.udfs.prelude import ...``; when
the UDF is embedded in the UDP, that line is replaced by this module's text, unchanged, so the
embedded UDF needs nothing but numpy, pandas and the openeo client's UDF module (on every
back-end's UDF runtime). The demo's oracle uses the same date convention from here.

Dates: a date ``YYYY-MM-DD`` or a UTC date-time ``YYYY-MM-DDTHH:MM:SSZ`` (the forms the
back-end reads; the parameter schemas allow no other), or a datetime64 label (UTC).

Units: ``check_units`` refuses a band whose values are orders of magnitude off what the graph
expects (digital numbers where reflectance is expected, or the reverse): the job then fails
with a message in its log instead of returning a silently wrong result.
"""

import numpy as np
import pandas
from openeo.udf import inspect

SECONDS_PER_DAY = 86400.0


def utc_timestamp(value):
    """A date, date-time or datetime64 as a pandas Timestamp in UTC, without time zone."""
    try:
        stamp = pandas.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError("%r is not a date or date-time (%s)" % (value, exc))
    if stamp is pandas.NaT:
        raise ValueError("%r is not a date or date-time" % (value,))
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def utc_seconds(value):
    """Seconds since 1970-01-01T00:00Z of a date, date-time or datetime64 (float)."""
    return utc_timestamp(value).value / 1e9


def utc_days(value):
    """Days (fractional) since 1970-01-01T00:00Z of a date, date-time or datetime64."""
    return utc_seconds(value) / SECONDS_PER_DAY


def utc_day(value):
    """The whole UTC day (days since 1970-01-01) on which a date or date-time falls."""
    return float(np.floor(utc_days(value)))


def label_days(labels):
    """datetime64 labels (UTC) -> days (fractional) since the epoch, for the arithmetic only."""
    return np.asarray(labels).astype("datetime64[ns]").astype(np.int64) / (SECONDS_PER_DAY * 1e9)


def day_labels(days):
    """Whole days since the epoch -> datetime64[ns] labels at midnight UTC (exact)."""
    return np.asarray(days).astype("int64").astype("datetime64[D]").astype("datetime64[ns]")


def temporal_weights(obs_days, out_days, sigma_days, parameter):
    """Gaussian weight exp(-(t - T)^2 / (2 sigma^2)) of each observation day t for each output
    day T (Section 2.5): (len(out_days), len(obs_days)) float32. ``parameter`` names the UDP
    parameter sigma comes from, for the error message."""
    if not sigma_days > 0:
        raise ValueError("parameter %r must be > 0, got %r" % (parameter, sigma_days))
    delta = (np.asarray(out_days)[:, None] - np.asarray(obs_days)[None, :]) / float(sigma_days)
    return np.exp(-0.5 * delta * delta).astype(np.float32)


#: most values of a band the units check looks at (a strided sample of the tile)
UNITS_SAMPLE = 100000


def typical_magnitude(band):
    """The median of |value| over a strided sample of the band's finite values (NaN if none);
    the sample is a view every k-th element along each axis, never a copy of the band."""
    band = np.asarray(band)
    step = max(1, int(np.ceil((band.size / UNITS_SAMPLE) ** (1.0 / max(band.ndim, 1)))))
    sample = band[(slice(None, None, step),) * band.ndim].ravel()
    sample = sample[np.isfinite(sample)]
    return float(np.median(np.abs(sample))) if sample.size else float("nan")


def check_units(values, band_names, units, limit, collection):
    """Raise (after logging it) when a band of ``values`` (bands first) is not in ``units``:
    "reflectance" needs a typical magnitude at most ``limit``, "digital numbers" at least."""
    for band, layer in zip(band_names, values):
        magnitude = typical_magnitude(layer)
        if not np.isfinite(magnitude):
            continue
        wrong = magnitude > limit if units == "reflectance" else magnitude < limit
        if wrong:
            other = "digital numbers" if units == "reflectance" else "reflectance"
            message = ("%s band %s: typical value %.4g looks like %s, but this UDP expects %s as CDSE delivers "
                       "them; a graph or back-end that scales the data differently would give wrong results"
                       % (collection, band, magnitude, other, units))
            inspect(data=[magnitude], message=message, level="error")
            raise ValueError(message)


def select(values, indices, axis=0, out=None):
    """``values`` at ``indices`` along ``axis``: a view when the indices are evenly spaced and
    ascending (a slice), else a copy made entry by entry (into ``out`` when given, which a later
    call may reuse); fancy indexing would copy slowly and allocate each time."""
    indices = np.asarray(indices, dtype=np.int64)
    lead = (slice(None),) * axis
    if len(indices) > 0:
        steps = np.diff(indices)
        if len(indices) == 1 or (steps[0] > 0 and (steps == steps[0]).all()):
            step = int(steps[0]) if len(indices) > 1 else 1
            return values[lead + (slice(int(indices[0]), int(indices[-1]) + 1, step),)]
    if out is None:
        shape = values.shape[:axis] + (len(indices),) + values.shape[axis + 1:]
        out = np.empty(shape, dtype=values.dtype)
    for i, index in enumerate(indices):
        out[lead + (i,)] = values[lead + (int(index),)]
    return out
