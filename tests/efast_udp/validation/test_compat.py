"""efast_udp.validation.compat: schema compatibility of a parameter and the place it is used."""

from __future__ import annotations

import pytest

from efast_udp.validation.compat import incompatibility


@pytest.mark.parametrize("target, source, ok", [
    ({"type": "number"}, {"type": "integer", "minimum": 1}, True),
    ({"type": "integer"}, {"type": "number"}, False),
    ({"description": "any"}, {"type": "boolean"}, True),
    ({"type": "number", "minimum": 0}, {"type": "number", "exclusiveMinimum": 0}, True),
    ({"type": "number", "minimum": 1}, {"type": "number", "minimum": 0}, False),
    ({"type": "array", "minItems": 1, "items": {"type": "string"}}, {"type": "array", "items": {"type": "string"}}, False),
    ({"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]}, True),
    ({"type": "string", "enum": ["a", "b"]}, {"type": "string"}, False),
    ([{"type": "object", "subtype": "bounding-box"}, {"type": "null"}], [{"type": "object", "subtype": "bounding-box"}], True),
    ([{"type": "object", "subtype": "bounding-box"}], [{"type": "object", "subtype": "geojson"}], False),
    ({"type": "object", "subtype": "datacube"}, {"type": "object", "subtype": "raster-cube"}, True),
])
def test_schema_compatibility(target, source, ok):
    assert (incompatibility(target, source) is None) is ok
