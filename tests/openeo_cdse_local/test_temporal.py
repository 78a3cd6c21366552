"""temporal: exactly the forms of temporal_extent the back-end's driver reads; the rest refused
with the reason (an offset, a mixed interval, a non-ISO date)."""

import numpy as np
import pytest

from openeo_cdse_local.errors import ProcessFailure
from openeo_cdse_local.temporal import form, instant, interval_problem, problem


@pytest.mark.parametrize("value, kind", [
    ("2023-06-01", "date"), ("2023-06-01T10:12:00Z", "date-time"), ("2023-06-01T10:12:00.5Z", "date-time"),
    ("2023-06-01T10:12:00+02:00", None), ("2023-06-01T10:12:00", None), ("01/06/2023", None),
    ("2023-6-1", None), ("2023-06-01t10:12:00z", None), (20230601, None), (None, None),
])
def test_forms(value, kind):
    assert form(value) == kind


@pytest.mark.parametrize("values, message", [
    (["2023-06-01", "2023-06-01T00:00:00Z"], "mix a date and a date-time"),
    (["2023-06-01T00:00:00+02:00", "2023-07-01T00:00:00Z"], "is not a date YYYY-MM-DD or a UTC date-time"),
    (["01/06/2023", "2023-07-01"], "is not a date"),
    (["2023-07-01", "2023-06-01"], "is after end"),
    (["2023-06-01", "2023-06-01"], "is empty"),
    (["2023-02-30", "2023-03-01"], "not a calendar date"),
    (["0001-01-01", "2023-03-01"], "outside the years"),
    (["2023-06-01"], "expected [start, end]"),
])
def test_intervals_the_driver_cannot_read_are_refused_with_the_reason(values, message):
    assert message in interval_problem(values)


def test_valid_intervals_and_instants():
    assert interval_problem(["2023-06-01", "2023-07-01"]) is None
    assert interval_problem(["2023-06-01T10:00:00Z", "2023-06-01T11:00:00Z"]) is None
    assert instant("2023-06-01") == np.datetime64("2023-06-01T00:00", "ns")
    assert instant("2023-06-01T10:12:30Z") == np.datetime64("2023-06-01T10:12:30", "ns")
    with pytest.raises(ProcessFailure, match="parameter 'temporal_extent'"):
        instant("2023-06-01T10:12:30+01:00")
    assert problem("9999-12-31") is not None
