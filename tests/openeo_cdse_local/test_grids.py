"""grids: bounding boxes as openeo-python-driver's ``BoundingBox`` reprojects, buffers and rounds
them (``round_to_resolution``), the "best UTM" zone of ``auto_utm_epsg``, and the floating tile
layout (geotrellis ``FloatingLayoutScheme``): whole tiles from the extent's top-left corner, the
tiles a box touches, pixel windows and centres, retiling; every number worked out by hand."""

import numpy as np
import pyproj
import pytest

from openeo_cdse_local.grids import BBox, Layout, best_utm, column_offset, row_offset

CRS = pyproj.CRS.from_epsg(32628)  # UTM 28N (Senegal), as the shared cubes; no xarray needed here
WGS84 = pyproj.CRS.from_epsg(4326)


def test_reprojecting_to_its_own_crs_is_the_box_itself():
    box = BBox(0.0, 0.0, 10.0, 10.0, CRS)
    assert box.reproject(32628) is box


def test_reprojecting_takes_the_bounds_of_the_four_corners_only():
    """``BoundingBox.reproject`` transforms the box polygon's corners, no points in between: a
    line of constant northing reaches its highest latitude on the central meridian (15 W in zone
    28), between the corners, so the box's north is below it."""
    box = BBox(400_000.0, 1_700_000.0, 600_000.0, 1_800_000.0, CRS)  # symmetric about x = 500 000
    out = box.reproject(WGS84)
    to_wgs84 = pyproj.Transformer.from_crs(CRS, WGS84, always_xy=True)
    assert out.crs == WGS84
    assert (out.west + out.east) / 2 == pytest.approx(-15.0, abs=1e-9)
    assert out.north == pytest.approx(to_wgs84.transform(400_000.0, 1_800_000.0)[1], abs=1e-12)
    assert out.north < to_wgs84.transform(500_000.0, 1_800_000.0)[1] - 1e-4
    assert out.south == pytest.approx(to_wgs84.transform(600_000.0, 1_700_000.0)[1], abs=1e-12)


def test_a_box_on_the_equator_keeps_southing_zero():
    out = BBox(-16.0, 0.0, -14.0, 1.0, WGS84).reproject(CRS)
    assert out.south == pytest.approx(0.0, abs=1e-6) and (out.west + out.east) / 2 == pytest.approx(500_000.0)


def test_buffer_widens_each_side():
    assert BBox(0.0, 0.0, 10.0, 10.0, CRS).buffer(2.0, 3.0) == BBox(-2.0, -3.0, 12.0, 13.0, CRS)


@pytest.mark.parametrize("res, expected", [
    (10.0, (399_900.0, 1_739_400.0, 400_520.0, 1_740_000.0)),
    (300.0, (399_900.0, 1_739_400.0, 400_800.0, 1_740_000.0)),  # 1333.02 -> 1333, 5798.003 -> 5798, 1335.04 -> 1336
])
def test_snap_rounds_outward_to_multiples_of_the_pixel_size(res, expected):
    box = BBox(399_905.3, 1_739_401.0, 400_512.5, 1_740_000.0, CRS)
    snapped = box.snap(res)
    assert (snapped.west, snapped.south, snapped.east, snapped.north) == expected
    assert snapped.crs == CRS


def test_snap_floors_negative_coordinates_away_from_zero():
    snapped = BBox(-15.5, -3.2, 27.1, 40.0, CRS).snap(10.0)
    assert (snapped.west, snapped.south, snapped.east, snapped.north) == (-20.0, -10.0, 30.0, 40.0)


@pytest.mark.parametrize("other, expected", [
    (BBox(5.0, 5.0, 15.0, 15.0, CRS), True),
    (BBox(10.0, 0.0, 20.0, 10.0, CRS), False),  # a common edge is no common area
    (BBox(0.0, 10.0, 10.0, 20.0, CRS), False),
    (BBox(-1.0, -1.0, 11.0, 11.0, CRS), True),  # around it
])
def test_overlaps_needs_a_common_area(other, expected):
    assert BBox(0.0, 0.0, 10.0, 10.0, CRS).overlaps(other) is expected


def test_overlaps_and_union_take_the_other_box_into_this_ones_crs():
    utm = BBox(400_000.0, 1_700_000.0, 600_000.0, 1_800_000.0, CRS)
    assert utm.overlaps(BBox(-15.1, 15.5, -14.9, 15.6, WGS84))  # about (489 000, 1 714 000)
    assert not utm.overlaps(BBox(-10.0, 15.5, -9.9, 15.6, WGS84))
    union = BBox(0.0, 0.0, 10.0, 10.0, CRS).union(BBox(5.0, -5.0, 20.0, 8.0, CRS))
    assert union == BBox(0.0, -5.0, 20.0, 10.0, CRS)
    assert utm.union(BBox(-15.1, 15.5, -14.9, 15.6, WGS84)).crs == CRS


def test_centre():
    assert BBox(0.0, 0.0, 10.0, 4.0, CRS).centre == (5.0, 2.0)


@pytest.mark.parametrize("lon, lat, epsg", [
    (-15.39, 15.72, 32628),  # Senegal: floor(164.61 / 6) + 1 = 28, north
    (18.42, -33.92, 32734),  # Cape Town: floor(198.42 / 6) + 1 = 34, south
    (4.35, 50.85, 32631),  # Belgium (openeo-python-driver's own example)
    (-12.0, 10.0, 32629),  # on a zone boundary: the zone to the east
    (0.0, 0.0, 32631),  # on the equator: north
    (180.0, 10.0, 32601),  # the antimeridian wraps to zone 1
    (-180.0, -10.0, 32701),
])
def test_best_utm_is_the_zone_of_the_centre(lon, lat, epsg):
    box = BBox(lon - 0.25, lat - 0.25, lon + 0.25, lat + 0.25, WGS84)  # centres exact in binary
    assert best_utm(box) == pyproj.CRS.from_epsg(epsg)


def test_best_utm_of_a_utm_box():
    assert best_utm(BBox(399_900.0, 1_739_400.0, 400_500.0, 1_740_000.0, CRS)).to_epsg() == 32628


def test_best_utm_of_a_utm_box_is_the_zone_of_its_projected_centre():
    """The box's centre (651 000, 7 000 000) is at 12.008 W, 63.1 N; its corners' longitudes span
    12.673 W to 11.301 W, around 11.987 W: the grid's meridians converge there."""
    box = BBox(621_000.0, 6_900_000.0, 681_000.0, 7_100_000.0, CRS)
    assert best_utm(box).to_epsg() == 32628


def test_covering_starts_at_the_top_left_corner_with_whole_tiles():
    layout = Layout.covering(BBox(1000.0, 5000.0, 3570.0, 6280.0, CRS), 10.0, 256)  # 2570 m x 1280 m
    assert layout == Layout(CRS, 10.0, 1000.0, 6280.0, 256, 2, 1)  # tiles of 2560 m: 1.004 -> 2, 0.5 -> 1
    assert (layout.right, layout.bottom) == (1000.0 + 5120.0, 6280.0 - 2560.0)


@pytest.mark.parametrize("extent, res, tile, cols_rows", [
    (BBox(0.0, 0.0, 5120.0, 2560.0, CRS), 10.0, 256, (2, 1)),  # exactly two tiles: no third
    (BBox(0.0, 0.0, 4.5, 0.9, CRS), 0.3, 3, (5, 1)),  # 4.5 / 0.8999999999999999 = 5.000000000000001
    (BBox(7.0, 7.0, 7.0, 7.0, CRS), 10.0, 256, (1, 1)),  # a point still gets a tile
])
def test_covering_counts_tiles_without_float_noise(extent, res, tile, cols_rows):
    layout = Layout.covering(extent, res, tile)
    assert (layout.cols, layout.rows) == cols_rows


#: 5 x 3 tiles of 4 px of 10 m: x from 0 to 200, y from 1000 down to 880
LAYOUT = Layout(CRS, 10.0, 0.0, 1000.0, 4, 5, 3)


@pytest.mark.parametrize("box, rows, cols", [
    ((45.0, 950.0, 85.0, 990.0), range(0, 2), range(1, 3)),
    ((40.0, 960.0, 80.0, 1000.0), range(0, 1), range(1, 2)),  # ending on a tile edge touches no further tile
    ((0.0, 960.0, 120.0 + 1e-10, 1000.0), range(0, 1), range(0, 3)),  # float noise on an edge
    ((150.0, 700.0, 400.0, 1200.0), range(0, 3), range(3, 5)),  # clipped to the layout
    ((-100.0, 950.0, -50.0, 990.0), range(0, 2), range(0)),  # beside it: nothing
])
def test_tiles_touching(box, rows, cols):
    assert LAYOUT.tiles_touching(BBox(*box, CRS)) == (rows, cols)


def test_tiles_touching_a_box_in_another_crs():
    box = BBox(45.0, 950.0, 85.0, 990.0, CRS).reproject(WGS84)
    assert LAYOUT.tiles_touching(box) == (range(0, 2), range(1, 3))


def test_pixel_window_and_centres():
    assert LAYOUT.pixel_window(range(1, 3), range(2, 4)) == (slice(4, 12), slice(8, 16))
    assert LAYOUT.x(slice(0, 3)).tolist() == [5.0, 15.0, 25.0]
    assert LAYOUT.y(slice(1, 3)).tolist() == [985.0, 975.0]


def test_retiled_keeps_the_corner_and_covers_the_same_pixels():
    """apply_neighborhood's size of 112 px on 3 x 2 tiles of 256: 768 / 112 = 6.9 -> 7, 512 / 112 = 4.6 -> 5."""
    old = Layout(CRS, 10.0, 399_900.0, 1_740_000.0, 256, 3, 2)
    assert old.retiled(112) == Layout(CRS, 10.0, 399_900.0, 1_740_000.0, 112, 7, 5)


def test_repr_names_crs_corner_and_tiles():
    assert repr(Layout(CRS, 10.0, 399_900.0, 1_740_000.0, 256, 3, 2)) == \
        "Layout(EPSG:32628, res=10, left=399900, top=1740000, tile_px=256, 3x2 tiles)"


@pytest.mark.parametrize("x0, column", [(1005.0, 0), (1035.0, 3), (1035.0000001, 3), (995.0, -1)])
def test_column_offset_of_a_first_pixel_centre(x0, column):
    assert column_offset(Layout(CRS, 10.0, 1000.0, 5000.0, 4, 1, 1), x0) == column


@pytest.mark.parametrize("y0, row", [(4995.0, 0), (4965.0, 3), (5005.0, -1)])
def test_row_offset_of_a_first_pixel_centre(y0, row):
    assert row_offset(Layout(CRS, 10.0, 1000.0, 5000.0, 4, 1, 1), y0) == row


def test_layout_centres_match_the_offsets():
    cols, rows = slice(2, 5), slice(1, 4)
    assert [column_offset(LAYOUT, x) for x in LAYOUT.x(cols)] == [2, 3, 4]
    assert [row_offset(LAYOUT, y) for y in LAYOUT.y(rows)] == [1, 2, 3]
    assert np.diff(LAYOUT.y(rows)).tolist() == [-10.0, -10.0]
