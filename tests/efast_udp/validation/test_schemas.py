"""``schemas``: openEO data-type schemas split into alternatives, the schema at a place inside
a value, and the compact rendering findings show as ``expected``."""

import pytest

from efast_udp.validation.schemas import alternatives, describe, is_any, schema_at

INTERVAL = {"type": "array", "subtype": "temporal-interval", "minItems": 2, "maxItems": 2,
            "items": {"type": ["string", "null"], "subtype": "date"}}


def test_alternatives_flatten_lists_anyof_and_type_lists_with_outer_keywords_copied_in():
    schema = [{"type": "number"}, {"description": "d", "anyOf": [{"type": "string"}, {"type": ["null", "integer"]}]}]
    assert alternatives(schema) == [
        {"type": "number"},
        {"description": "d", "type": "string"},
        {"description": "d", "type": "null"},
        {"description": "d", "type": "integer"},
    ]


def test_oneof_is_one_of_these_as_anyof_is():
    assert alternatives({"oneOf": [{"type": "boolean"}, {"type": "null"}]}) == [{"type": "boolean"}, {"type": "null"}]


@pytest.mark.parametrize("schema", ["not a schema", 3, None, {"anyOf": [5]}])
def test_what_is_not_a_schema_means_any(schema):
    assert alternatives(schema) == [{}]
    assert is_any(alternatives(schema)[0])


def test_is_any_is_the_absence_of_type():
    assert is_any({"description": "whatever"}) is True
    assert is_any({"type": "null"}) is False


def test_schema_at_follows_properties_and_items():
    schema = {"type": "object", "properties": {"extent": INTERVAL}}
    assert schema_at(schema, ["extent", 1]) == [{"type": "string", "subtype": "date"},
                                                {"type": "null", "subtype": "date"}]
    assert schema_at(schema, []) == [schema]


def test_schema_at_follows_tuple_items_and_additional_properties():
    pair = {"type": "array", "items": [{"type": "number"}, {"type": "null"}]}
    assert schema_at(pair, [1]) == [{"type": "null"}]
    assert schema_at(pair, [2]) == [{}]  # beyond the tuple: unknown
    assert schema_at({"type": "object", "additionalProperties": {"type": "boolean"}}, ["z"]) == [{"type": "boolean"}]


@pytest.mark.parametrize("schema, path", [
    ({"type": "object"}, ["z"]),  # no properties said
    ({"type": "object", "properties": {"a": {"type": "number"}}, "additionalProperties": False}, ["b"]),
    ({"type": "array", "items": {"type": "number"}}, ["key"]),  # a key into an array
    ({"type": "number"}, [0]),  # into a scalar
    ({"description": "any"}, ["a", 0, "b"]),
])
def test_schema_at_says_any_where_the_schema_says_nothing(schema, path):
    assert schema_at(schema, path) == [{}]


def test_schema_at_keeps_the_alternatives_that_have_the_place():
    schema = [{"type": "null"}, {"type": "array", "items": {"type": "integer", "minimum": 1}}]
    assert schema_at(schema, [0]) == [{"type": "integer", "minimum": 1}]


@pytest.mark.parametrize("schema, text", [
    (INTERVAL, "array/temporal-interval<string/date | null/date> (2..2 items)"),
    ({"type": "number", "minimum": 0, "exclusiveMaximum": 1}, "number (>= 0, < 1)"),
    ({"type": "integer", "exclusiveMinimum": 0, "maximum": 9}, "integer (> 0, <= 9)"),
    ({"type": "string", "enum": ["a", "b"]}, "string (one of a, b)"),
    ({"type": "array"}, "array<unconstrained items>"),
    ({"type": "array", "minItems": 1, "items": {"type": "string"}}, "array<string> (1..∞ items)"),
    ([{"type": "object", "subtype": "bounding-box"}, {"type": "null"}], "object/bounding-box | null"),
    ({}, "any"),
    ([], "any"),
])
def test_describe(schema, text):
    assert describe(schema) == text
