"""efast_udp.validation.values: literal values against openEO data-type schemas, subtypes
included."""

from __future__ import annotations

import pytest

from efast_udp.validation.values import value_error


@pytest.mark.parametrize("value, schema, fragment", [
    ("2023-02-30", {"type": "string", "subtype": "date"}, "is not a date"),
    ("2023-02-03T10:00:00", {"type": "string", "subtype": "date-time"}, "with time zone"),
    ([None, None], {"type": "array", "subtype": "temporal-interval"}, "open on both ends"),
    ({"west": 0, "east": 1, "south": 5, "north": 4}, {"type": "object", "subtype": "bounding-box"}, "south (5)"),
    ({"type": "Circle"}, {"type": "object", "subtype": "geojson"}, "not a GeoJSON"),
])
def test_subtype_values_are_checked(value, schema, fragment):
    error = value_error(value, schema)
    assert error and fragment in error[1]


@pytest.mark.parametrize("value, schema", [
    ("2023-02-28", {"type": "string", "subtype": "date"}),
    ("2023-02-03T10:00:00Z", {"type": "string", "subtype": "date-time"}),
    (["2023-01-01", None], {"type": "array", "subtype": "temporal-interval"}),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, {"type": "object", "subtype": "geojson"}),
])
def test_valid_subtype_values_pass(value, schema):
    assert value_error(value, schema) is None
