"""dryrun on the released graph: the pixel buffers the back-end's dry run finds (the largest
neighbourhood overlap, per load, in that load's pixels), no resample pushed into the S2 load
(an apply precedes it), and one global extent covering both buffered loads."""

import json
from pathlib import Path

import pytest

from openeo_cdse_local.dryrun import plan, request_bbox

RELEASE = Path(__file__).resolve().parents[2] / "udp" / "releases" / "0.4.0" / "efast.json"
EXTENT = {"west": -15.456047, "south": 15.665024, "east": -15.325491, "north": 15.787501}


def released_plan():
    doc = json.loads(RELEASE.read_text())
    values = {"spatial_extent": EXTENT, "temporal_extent": ["2022-08-07", "2022-10-27"]}
    for p in doc["parameters"]:
        values.setdefault(p["name"], p.get("default"))

    def resolve(value):
        if isinstance(value, dict) and set(value) == {"from_parameter"}:
            return values[value["from_parameter"]]
        return value

    return plan(doc["process_graph"], resolve)


def test_pixel_buffers_and_no_pushed_resample():
    found = released_plan()
    s2, s3 = found.loads["s2_input"], found.loads["s3_input"]
    assert s2.collection == "SENTINEL2_L2A" and s3.collection == "SENTINEL3_SYN_L2_SYN"
    assert s2.pixel_buffer == (35, 35) and s3.pixel_buffer == (35, 35)
    assert s2.resample is None  # the apply before resample_spatial blocks the push-down


def test_global_extent_covers_both_buffered_loads():
    found = released_plan()
    box = request_bbox(EXTENT)
    total = found.global_extent.reproject(box.crs)
    assert total.west < box.west and total.east > box.east and total.south < box.south and total.north > box.north
    # about 35 x 300 m of Sentinel-3 on each side: between 9 and 12 km, in degrees at 15.7 N
    margin_deg = box.west - total.west
    assert 9_000 < margin_deg * 111_320 * 0.9627 < 12_500


@pytest.mark.parametrize("extent, words", [
    ({"west": 399900, "south": 1739400, "east": 400500, "north": 1740000}, "are not degrees of WGS 84"),
    ({"west": 399900, "south": 1739400, "east": 400500, "north": 1740000, "crs": 0}, "crs 0 is not a coordinate"),
    ({"west": 399900, "south": 1739400, "east": 400500, "north": 1740000, "crs": 32628.0}, "crs 32628.0 is not an EPSG"),
    ({"west": 399900, "south": 1739400, "east": 400500, "north": 1740000, "crs": True}, "crs True is not an EPSG"),
    ({"west": "a", "south": 1, "east": 2, "north": 3}, "must all be numbers"),
])
def test_a_box_that_is_not_one_names_spatial_extent(extent, words):
    from openeo_cdse_local.dryrun import request_bbox
    from openeo_cdse_local.errors import ProcessFailure

    with pytest.raises(ProcessFailure, match=f"^parameter 'spatial_extent': .*{words}"):
        request_bbox(extent)
    box = request_bbox({"west": 399900, "south": 1739400, "east": 400500, "north": 1740000, "crs": 32628})
    assert (box.west, box.north, box.crs.to_epsg()) == (399900.0, 1740000.0, 32628)
