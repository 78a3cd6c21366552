"""``efast_udp.parameters``: the schema helpers, the parameters built from the defaults they are
given, and the by-name access graph building uses.

efast_udp.parameters: the UDP's parameters, their names, defaults and schemas."""

from __future__ import annotations

import copy
import pickle
import re

import pytest
from openeo.api.process import Parameter

from efast_udp import constants as C
from efast_udp.parameters import (
    ParameterSet, UdpParameter, band_list_schema, build_parameters, date_schema, date_time_schema, default_values,
    nullable, number_schema, spatial_extent_schemas, temporal_interval_schema,
)

from udp_support import udp


NAMES = ["spatial_extent", "temporal_extent", "temporal_extent_target", "interval_days", "target_time_series",
         "s2_data_bands", "s3_data_bands", "fused_band_names", "output_ndvi", "temporal_score_stddev",
         "s3_temporal_score_stddev", "max_distance_to_cloud_m", "cloud_tolerance"]


def matches(schema: dict, text: str) -> bool:
    return re.search(schema["pattern"], text) is not None


# --- UdpParameter -------------------------------------------------------------------------------

def test_a_parameter_without_default_is_required():
    p = UdpParameter("a", "A.", {"type": "string"})
    assert p.to_dict() == {"name": "a", "description": "A.", "schema": {"type": "string"}}


@pytest.mark.parametrize("default", [None, 0, False, [], "x"])
def test_a_parameter_with_any_default_is_optional(default):
    p = UdpParameter("a", "A.", {"type": "string"}, default)
    assert p.to_dict() == {"name": "a", "description": "A.", "schema": {"type": "string"}, "optional": True,
                           "default": default}
    assert list(p.to_dict()) == ["name", "description", "schema", "optional", "default"]


def test_ref_is_the_client_parameter_itself():
    p = UdpParameter("interval_days", "D.", {"type": "integer"}, 2)
    assert isinstance(p.ref(), Parameter) and p.ref() is p and p.ref().name == "interval_days"


# --- schema helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, ok", [
    ("2023-06-01", True), ("2023-12-31", True), ("2023-6-1", False), ("2023-13-01", False),
    ("2023-06-32", False), ("2023-06-01T00:00:00Z", False), (" 2023-06-01", False),
])
def test_date_schema_pattern(text, ok):
    schema = date_schema()
    assert {k: schema[k] for k in ("type", "subtype", "format")} == {"type": "string", "subtype": "date",
                                                                      "format": "date"}
    assert matches(schema, text) is ok


@pytest.mark.parametrize("text, ok", [
    ("2023-06-01T12:30:00Z", True), ("2023-06-01T12:30:00.123456Z", True), ("2023-06-01T23:59:59Z", True),
    ("2023-06-01T12:30:00+00:00", False),  # CDSE fails on any offset
    ("2023-06-01T12:30:00", False), ("2023-06-01T24:00:00Z", False), ("2023-06-01T12:30:00.1234567Z", False),
    ("2023-06-01", False),
])
def test_date_time_schema_pattern(text, ok):
    schema = date_time_schema()
    assert (schema["subtype"], schema["format"]) == ("date-time", "date-time")
    assert matches(schema, text) is ok


def test_temporal_interval_is_two_dates_or_two_date_times():
    dates, date_times = temporal_interval_schema()
    for alternative, item in ((dates, date_schema()), (date_times, date_time_schema())):
        assert alternative == {"type": "array", "subtype": "temporal-interval", "uniqueItems": True, "minItems": 2,
                               "maxItems": 2, "items": item, "description": alternative["description"]}
    assert (dates["description"], date_times["description"]) == ("Two dates.", "Two UTC date-times.")


def test_nullable_appends_null_to_one_schema_or_to_alternatives():
    assert nullable({"type": "integer"}) == [{"type": "integer"}, {"type": "null", "description": "Not set."}]
    alternatives = [{"type": "string"}, {"type": "number"}]
    assert nullable(alternatives, "None.") == [*alternatives, {"type": "null", "description": "None."}]
    assert alternatives == [{"type": "string"}, {"type": "number"}]  # the argument is left as it was


def test_spatial_extent_is_a_bounding_box_or_geojson():
    box, geojson = spatial_extent_schemas()
    assert geojson == {"title": "GeoJSON", "type": "object", "subtype": "geojson"}
    assert box["subtype"] == "bounding-box" and box["required"] == ["west", "south", "east", "north"]
    assert list(box["properties"]) == ["west", "south", "east", "north", "crs"]
    assert box["properties"]["crs"] == {"description": box["properties"]["crs"]["description"], "type": "integer",
                                        "subtype": "epsg-code", "minimum": 1000, "default": 4326}
    assert all(box["properties"][k]["type"] == "number" for k in ("west", "south", "east", "north"))


def test_band_list_schema_enumerates_a_copy_of_the_bands():
    bands = ("B04", "B8A")
    schema = band_list_schema(bands)
    assert schema == {"type": "array", "minItems": 1, "uniqueItems": True,
                      "items": {"type": "string", "subtype": "band-name", "enum": ["B04", "B8A"]}}
    assert isinstance(schema["items"]["enum"], list)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, {"type": "number"}),
    ({"integer": True}, {"type": "integer"}),
    ({"minimum": 0}, {"type": "number", "minimum": 0}),  # a bound of 0 is kept, not taken for "unset"
    ({"exclusive_minimum": 0, "maximum": 1}, {"type": "number", "exclusiveMinimum": 0, "maximum": 1}),
    ({"minimum": 1, "maximum": 366, "integer": True}, {"type": "integer", "minimum": 1, "maximum": 366}),
])
def test_number_schema(kwargs, expected):
    assert number_schema(**kwargs) == expected


# --- the parameters -----------------------------------------------------------------------------

def test_parameters_in_the_order_users_see_them():
    parameters = build_parameters(default_values())
    assert [p.name for p in parameters] == NAMES
    assert [p.to_dict().get("optional", False) for p in parameters] == [False, False] + [True] * 11


def test_parameters_take_the_defaults_they_are_given():
    defaults = dict(default_values(), interval_days=5, s2_data_bands=("B04",), output_ndvi=True,
                    max_distance_to_cloud_m=1234)
    by_name = {p.name: p.to_dict() for p in build_parameters(defaults)}
    assert by_name["interval_days"]["default"] == 5
    assert by_name["s2_data_bands"]["default"] == ["B04"]  # a list, whatever sequence the settings hold
    assert by_name["output_ndvi"]["default"] is True
    assert by_name["max_distance_to_cloud_m"]["default"] == 1234


def test_parameter_schemas_follow_the_constants():
    by_name = {p.name: p.to_dict() for p in build_parameters(default_values())}
    assert by_name["s2_data_bands"]["schema"]["items"]["enum"] == list(C.S2_REFLECTANCE_BANDS)
    assert by_name["s3_data_bands"]["schema"]["items"]["enum"] == list(C.S3_REFLECTANCE_BANDS)
    assert by_name["max_distance_to_cloud_m"]["schema"] == {"type": "number", "exclusiveMinimum": 0, "maximum": 10000}
    assert by_name["interval_days"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 366}
    assert by_name["temporal_extent_target"]["schema"] == nullable(temporal_interval_schema(),
                                                                   "Use `temporal_extent`.")
    assert "in 300 m pixels" in by_name["max_distance_to_cloud_m"]["description"]
    assert "At most 10000 m" in by_name["max_distance_to_cloud_m"]["description"]
    assert "`NDVI` = (NIR − red) / (NIR + red)" in by_name["output_ndvi"]["description"]
    assert "fused `B8A` and `B04`" in by_name["output_ndvi"]["description"]
    assert "a 300 m cell" in by_name["cloud_tolerance"]["description"]


def test_default_values_are_the_constants_in_fresh_lists():
    first = default_values()
    assert first == {
        "temporal_extent_target": None, "interval_days": C.DEFAULT_INTERVAL_DAYS, "target_time_series": None,
        "s2_data_bands": list(C.DEFAULT_S2_BANDS), "s3_data_bands": list(C.DEFAULT_S3_BANDS),
        "fused_band_names": None, "output_ndvi": False, "temporal_score_stddev": 20, "s3_temporal_score_stddev": 10,
        "max_distance_to_cloud_m": 5000, "cloud_tolerance": 0.05,
    }
    assert list(first) == NAMES[2:]
    first["s2_data_bands"].append("B01")
    assert default_values()["s2_data_bands"] == ["B02", "B03", "B04", "B8A"]


# --- ParameterSet -------------------------------------------------------------------------------

@pytest.fixture
def params():
    return ParameterSet(build_parameters(default_values()))


def test_parameter_set_gives_each_parameter_by_name(params):
    assert params.interval_days is params.items[3]
    assert params.cloud_tolerance.name == "cloud_tolerance"


def test_parameter_set_refuses_an_unknown_name(params):
    with pytest.raises(AttributeError, match="^interval_day$"):
        params.interval_day
    assert not hasattr(params, "nothing")


def test_refs_maps_names_to_parameter_references(params):
    refs = params.refs("temporal_extent", "interval_days")
    assert list(refs) == ["temporal_extent", "interval_days"]
    assert refs["interval_days"] is params.interval_days
    with pytest.raises(AttributeError, match="no_such"):
        params.refs("interval_days", "no_such")


def test_parameter_set_can_be_copied(params):
    """``__getattr__`` used to read ``self.items`` on an instance without fields (as copy and
    pickle make one): RecursionError instead of AttributeError."""
    copied = copy.deepcopy(params)
    assert [p.name for p in copied.items] == NAMES
    assert [p.name for p in pickle.loads(pickle.dumps(params)).items] == NAMES


EXPECTED_DEFAULTS = {
    "temporal_extent_target": None, "interval_days": 2, "target_time_series": None,
    "s2_data_bands": ["B02", "B03", "B04", "B8A"],
    "s3_data_bands": ["Syn_Oa04_reflectance", "Syn_Oa06_reflectance", "Syn_Oa08_reflectance",
                      "Syn_Oa17_reflectance"],
    "fused_band_names": None, "output_ndvi": False, "temporal_score_stddev": 20,
    "s3_temporal_score_stddev": 10, "max_distance_to_cloud_m": 5000, "cloud_tolerance": 0.05,
}


def test_parameters_names_defaults_and_schemas(udp):
    params = {p["name"]: p for p in udp["parameters"]}
    assert list(params) == ["spatial_extent", "temporal_extent", *EXPECTED_DEFAULTS]
    for name, default in EXPECTED_DEFAULTS.items():
        assert params[name]["optional"] is True and params[name]["default"] == default, name
    for p in udp["parameters"]:
        assert p["description"] and p["schema"], p["name"]
    assert "optional" not in params["spatial_extent"] and "optional" not in params["temporal_extent"]
    assert {s["subtype"] for s in params["spatial_extent"]["schema"]} == {"bounding-box", "geojson"}
    # two alternatives, the forms the back-end reads: two dates, or two UTC date-times
    alternatives = params["temporal_extent"]["schema"]
    assert [a["subtype"] for a in alternatives] == ["temporal-interval"] * 2
    assert [a["items"]["subtype"] for a in alternatives] == ["date", "date-time"]
    assert all(a["items"]["pattern"] for a in alternatives)
    assert params["max_distance_to_cloud_m"]["schema"]["maximum"] == C.MAX_MAX_DISTANCE_TO_CLOUD_M
    assert params["cloud_tolerance"]["schema"]["maximum"] == 1
    assert "CLOUD_flags" not in params["s3_data_bands"]["schema"]["items"]["enum"]
