"""Dates and date-times of process arguments (``temporal_extent``) as the back-end reads them."""

from __future__ import annotations

import numpy as np
import pandas

from openeo_cdse_local.errors import ProcessFailure


def instant(value, name: str) -> np.datetime64:
    """An RFC 3339 date or date-time as a UTC datetime64 (an offset is converted)."""
    try:
        stamp = pandas.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        stamp = pandas.NaT
    if stamp is pandas.NaT:
        raise ProcessFailure(f"parameter {name!r}: {value!r} is not a date")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return np.datetime64(stamp.value, "ns")
