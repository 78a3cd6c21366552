"""efast_udp.parameters: the UDP's parameters, their names, defaults and schemas."""

from efast_udp import constants as C
from udp_support import udp

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
