"""Dates and date-times of ``temporal_extent`` arguments, in exactly the forms the back-end reads.

Reproduces openeo-python-driver ``openeo_driver/processgraph/process_implementations/io.py``
``_extract_temporal_extent`` with the python client's ``openeo.util.rfc3339`` parser: a date
``YYYY-MM-DD`` or a UTC date-time ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``. The back-end fails on an
offset (``+02:00``, even ``+00:00``), on a date-time without ``Z``, and on an interval mixing a
date and a date-time ("can't compare datetime.datetime to datetime.date"); it would take
``01/06/2023`` as 6 January when one end is open. Here only the canonical forms pass (the
driver also reads unpadded ``2023-6-1`` and lowercase ``t``/``z``; a UDP that documents the
canonical forms loses nothing by refusing those), both ends of an interval in the same form.
A date-only end is midnight UTC; ``start <= t < end``.
"""

from __future__ import annotations

import re

import numpy as np

from openeo_cdse_local.errors import ProcessFailure

DATE = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
#: JSON-schema patterns (ECMA-262) of the two forms
DATE_PATTERN = f"^{DATE}$"
DATETIME_PATTERN = f"^{DATE}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{{1,6}})?Z$"
FORMS = "a date YYYY-MM-DD or a UTC date-time YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
#: the years numpy's nanosecond datetimes cover, the labels of every cube
YEARS = (1678, 2261)


def form(value) -> str | None:
    """``"date"``, ``"date-time"`` or ``None`` for anything else."""
    if isinstance(value, str):
        if re.fullmatch(DATE_PATTERN[1:-1], value):
            return "date"
        if re.fullmatch(DATETIME_PATTERN[1:-1], value):
            return "date-time"
    return None


def problem(value, what: str = "value") -> str | None:
    """Why ``value`` is not a date or date-time the back-end reads (``None`` if it is)."""
    kind = form(value)
    if kind is None:
        return f"{what} {value!r} is not {FORMS}"
    # the year first: numpy wraps a nanosecond date beyond 2262 around without an error
    if not YEARS[0] < int(value[:4]) < YEARS[1]:
        return f"{what} {value!r} is outside the years {YEARS[0] + 1}..{YEARS[1] - 1}"
    try:
        np.datetime64(value.rstrip("Z"), "D" if kind == "date" else "us")
    except ValueError:
        return f"{what} {value!r} is not a calendar date"
    return None


def interval_problem(values) -> str | None:
    """Why ``values`` is not an interval ``[start, end]`` the back-end reads (``None`` if it is)."""
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        return "expected [start, end]"
    for value, what in zip(values, ("start", "end")):
        if (found := problem(value, what)) is not None:
            return found
    if form(values[0]) != form(values[1]):
        return (f"start {values[0]!r} and end {values[1]!r} mix a date and a date-time, which the back-end "
                "cannot compare: give both as dates or both as date-times")
    start, end = (instant(v) for v in values)
    if start > end:
        return f"start {values[0]} is after end {values[1]}"
    if start == end:
        return f"start and end are both {values[0]}: the interval [start, end) is empty"
    return None


def instant(value, name: str = "temporal_extent") -> np.datetime64:
    """A date or UTC date-time as datetime64[ns] (a date is midnight UTC)."""
    found = problem(value)
    if found is not None:
        raise ProcessFailure(f"parameter {name!r}: {found}")
    return np.datetime64(value.rstrip("Z"), "ns")
