"""``efast_udp.utc``: the host's UTC day arithmetic is the very code the UDFs embed."""

from __future__ import annotations

import numpy as np
import pytest

from efast_udp import utc
from efast_udp.udfs import prelude


def test_the_functions_are_the_preludes():
    assert utc.__all__ == ["utc_day", "utc_seconds"]
    assert utc.utc_day is prelude.utc_day
    assert utc.utc_seconds is prelude.utc_seconds


@pytest.mark.parametrize("value, seconds", [
    ("1970-01-01", 0.0),
    ("1970-01-02", 86400.0),
    ("2023-06-01T12:30:00Z", 1685622600.0),
    ("2023-06-01T12:30:00.5Z", 1685622600.5),
    (np.datetime64("2023-06-01T00:00:00", "ns"), 1685577600.0),
])
def test_utc_seconds(value, seconds):
    assert utc.utc_seconds(value) == seconds


@pytest.mark.parametrize("value, day", [
    ("2023-06-01", 19509.0),
    ("2023-06-01T00:00:00Z", 19509.0),
    ("2023-06-01T23:59:59.999999Z", 19509.0),
    ("2023-06-02T00:00:00Z", 19510.0),
    ("2023-06-01T23:30:00-01:00", 19510.0),  # an offset is converted to UTC first
    ("1969-12-31T23:00:00Z", -1.0),  # floor, not truncation towards 0
])
def test_utc_day_is_the_whole_utc_day(value, day):
    assert utc.utc_day(value) == day
    assert isinstance(utc.utc_day(value), float)


@pytest.mark.parametrize("value", ["", "not a date", "2023-02-30", None])
def test_what_is_no_date_is_refused(value):
    with pytest.raises(ValueError, match="is not a date or date-time"):
        utc.utc_day(value)
