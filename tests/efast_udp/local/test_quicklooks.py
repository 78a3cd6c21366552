"""The run's quicklooks (efast_udp.local.quicklooks): a true-colour and an NDVI PNG per date,
stretched by the run's percentiles, the map where the axes are, no data left blank, nothing
overwritten."""

from __future__ import annotations

import numpy as np
import pytest
import xarray
from PIL import Image

from efast_udp.local import quicklooks
from openeo_cdse_local.writers import CRS_NAME, OutputRefused

BANDS = {"s2_data_bands": ["B02", "B03", "B04", "B8A"]}
WHITE = (255, 255, 255)


def fake_result(path, size=40, dates=3, ndvi=None, width=None, t=None, north_up=True):
    """An ``openEO.nc`` as ``run`` writes it: bands B02, B03, B04, B8A and NDVI over (t, y, x),
    a north-up 10 m grid in UTM 32N (rows south first with ``north_up=False``) and the CRS
    variable."""
    import pyproj

    rng = np.random.default_rng(0)
    t = np.array(t or ["2023-06-01", "2023-06-03", "2023-06-05", "2023-06-07"][:dates], dtype="datetime64[ns]")
    dates, width = len(t), width or size
    y = 5_000_000.0 - 10.0 * np.arange(size) - 5.0
    y = y if north_up else y[::-1]
    x = 400_000.0 + 10.0 * np.arange(width) + 5.0
    shape = (dates, size, width)
    data = {b: (("t", "y", "x"), rng.uniform(0.05, 0.13, shape).astype("float32")) for b in ("B02", "B03", "B04", "B8A")}
    data["NDVI"] = (("t", "y", "x"), (rng.uniform(0.3, 0.7, shape) if ndvi is None else ndvi).astype("float32"))
    ds = xarray.Dataset(data, coords={"t": t, "y": y, "x": x})
    ds[CRS_NAME] = xarray.DataArray(np.int32(0), attrs={"crs_wkt": pyproj.CRS.from_epsg(32632).to_wkt()})
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def test_a_true_colour_and_an_ndvi_map_per_date(tmp_path):
    nc = fake_result(tmp_path / "openEO.nc")
    paths = quicklooks.write_all(nc, tmp_path / "ql", BANDS)
    names = [p.name for p in paths]
    assert names == [f"{kind}_2023-06-0{d}.png" for d in (1, 3, 5) for kind in ("rgb", "ndvi")]
    with xarray.open_dataset(nc, engine="h5netcdf") as ds:
        assert quicklooks.planned(tmp_path / "ql", ds["t"].values, list(ds.data_vars), BANDS) == paths
    for path in paths:
        image = pixels(path)
        assert image.shape == (416, 480, 3)
        assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50  # a map, not a blank frame


def test_no_rgb_without_the_s2_bands_it_comes_from(tmp_path):
    nc = fake_result(tmp_path / "openEO.nc")
    paths = quicklooks.write_all(nc, tmp_path / "ql", {"s2_data_bands": ["B8A", "B11"]})
    assert [p.name[:4] for p in paths] == ["ndvi"] * 3


def test_stretch_spans_the_percentiles_of_the_run():
    values = [np.linspace(0.0, 1.0, 101), np.array([np.nan, np.inf])]
    assert quicklooks.stretch(values, (0.0, 0.3)) == pytest.approx((0.02, 0.98))
    assert quicklooks.stretch([np.full(5, np.nan)], (0.0, 0.3)) == (0.0, 0.3)  # nothing to stretch
    lo, hi = quicklooks.stretch([np.full(5, 0.1)], (0.0, 0.3))  # one value: a range around it
    assert lo < 0.1 < hi


def test_rgb_maps_the_stretch_to_0_255_and_no_data_to_transparent():
    red = np.array([[0.05, 0.13], [0.01, np.nan]])
    image = quicklooks.rgb(red, red, red, (0.05, 0.13))
    assert image.dtype == np.uint8 and image.shape == (2, 2, 4)
    assert image[0, 0, :3].tolist() == [0, 0, 0] and image[0, 1, :3].tolist() == [255, 255, 255]
    assert image[1, 0, 0] == 0 and image[1, 0, 3] == 255  # below the stretch: clipped, shown
    assert image[1, 1, 3] == 0  # no data


def test_the_map_fills_the_axes_nearest_neighbour_and_no_data_stays_blank():
    frame = quicklooks._Frame((0.0, 1.0, 0.0, 1.0), "EPSG:32632", "test", rgba=True, limits=(0.0, 1.0))
    image = np.zeros((2, 2, 4), np.uint8)
    image[0, 0] = (255, 0, 0, 255)  # north-west red
    image[0, 1] = (0, 255, 0, 255)  # north-east green
    image[1, 0] = (0, 0, 255, 255)  # south-west blue
    image[1, 1, 3] = 0  # south-east: no data
    out = frame.render(image, "2023-06-01")
    (top, bottom), (left, right) = frame.rows, frame.columns
    quarter_y, quarter_x = (bottom - top) // 4, (right - left) // 4
    assert tuple(out[top + quarter_y, left + quarter_x]) == (255, 0, 0)
    assert tuple(out[top + quarter_y, right - quarter_x]) == (0, 255, 0)
    assert tuple(out[bottom - quarter_y, left + quarter_x]) == (0, 0, 255)
    assert tuple(out[bottom - quarter_y, right - quarter_x]) == WHITE
    assert tuple(out[2, 2]) == WHITE  # outside the axes: the figure's background


def test_ndvi_colours_are_the_colour_maps_over_the_run_stretch(tmp_path):
    ndvi = np.tile(np.linspace(0.2, 0.8, 40, dtype="float32"), (3, 40, 1))  # west 0.2 ... east 0.8
    ndvi[:, :, :4] = np.nan  # a band of no data along the west edge
    nc = fake_result(tmp_path / "openEO.nc", ndvi=ndvi)
    path = quicklooks.write_all(nc, tmp_path / "ql", {})[0]
    image = pixels(path)
    from matplotlib import colormaps

    darkest = np.array(colormaps["YlGn"](1.0)[:3]) * 255
    palest = np.array(colormaps["YlGn"](0.0)[:3]) * 255
    # the map's pixels, found in the image: its darkest and palest are the colour map's ends
    # (the 2nd and 98th percentiles of the run clip both ends), and the no-data edge is white
    mapped = image.reshape(-1, 3).astype(float)
    assert np.min(np.abs(mapped - darkest).sum(axis=1)) <= 3
    assert np.min(np.abs(mapped - palest).sum(axis=1)) <= 3
    row = image[image.shape[0] // 2]
    first = np.flatnonzero(np.abs(row.astype(float) - palest).sum(axis=1) <= 3)[0]
    assert (row[first - 5:first] == WHITE).all()  # just west of the map's palest column: blank


def test_large_scenes_are_drawn_thinned(tmp_path, monkeypatch):
    monkeypatch.setattr(quicklooks, "MAX_PX", 10)
    nc = fake_result(tmp_path / "openEO.nc", size=25, dates=1)
    seen = []
    render = quicklooks._Frame.render
    monkeypatch.setattr(quicklooks._Frame, "render", lambda self, image, day: seen.append(image.shape) or render(self, image, day))
    quicklooks.write_all(nc, tmp_path / "ql", BANDS)
    assert seen == [(9, 9, 4), (9, 9)]  # every 3rd pixel of 25


def test_each_slab_is_read_once_and_the_maps_are_the_same(tmp_path, monkeypatch):
    """The slabs read for the stretch's samples are drawn from what was kept: no second read,
    the same PNGs as reading every slab for its map."""
    nc = fake_result(tmp_path / "openEO.nc", size=25, dates=4)
    monkeypatch.setattr(quicklooks, "MAX_PX", 10)
    reads = []
    slab = quicklooks._Maps._slab
    monkeypatch.setattr(quicklooks._Maps, "_slab", lambda self, name, i: reads.append((name, i)) or slab(self, name, i))
    kept = quicklooks.write_all(nc, tmp_path / "kept", BANDS)
    assert sorted(reads) == sorted({(b, i) for b in ("B04", "B03", "B02", "NDVI") for i in range(4)})
    monkeypatch.setattr(quicklooks._Maps, "date", lambda self, name, i: slab(self, name, i)[::self.step, ::self.step])
    read_again = quicklooks.write_all(nc, tmp_path / "again", BANDS)
    assert [p.read_bytes() for p in kept] == [p.read_bytes() for p in read_again]


def test_an_existing_file_is_never_drawn_over(tmp_path):
    nc = fake_result(tmp_path / "openEO.nc", dates=1)
    folder = tmp_path / "ql"
    folder.mkdir()
    (folder / "ndvi_2023-06-01.png").write_bytes(b"the user's")
    with pytest.raises(OutputRefused, match="ndvi_2023-06-01.png"):
        quicklooks.write_all(nc, folder, BANDS)
    assert (folder / "ndvi_2023-06-01.png").read_bytes() == b"the user's"


def test_warm_up_loads_drawing_in_the_background():
    thread = quicklooks.warm_up()
    thread.join(60)
    assert not thread.is_alive()
    import sys

    assert "matplotlib.backends.backend_agg" in sys.modules


def test_north_is_up_whatever_the_row_order_of_the_file(tmp_path):
    ndvi = np.full((1, 30, 30), 0.3, np.float32)
    ndvi[:, :10] = 0.8  # the northern third, first in a north-up file
    drawn = []
    for north_up in (True, False):
        nc = fake_result(tmp_path / f"{north_up}.nc", size=30, dates=1, ndvi=ndvi if north_up else ndvi[:, ::-1],
                         north_up=north_up)
        drawn.append(pixels(quicklooks.write_all(nc, tmp_path / f"ql{north_up}", {})[0]))
    np.testing.assert_array_equal(drawn[0], drawn[1])


def test_the_axes_frame_lines_stay_around_the_map():
    frame = quicklooks._Frame((0.0, 1.0, 0.0, 1.0), "EPSG:32632", "test", rgba=True, limits=(0.0, 1.0))
    image = np.full((4, 4, 4), 255, np.uint8)  # white, opaque
    out = frame.render(image, "2023-06-01")
    (top, bottom), (left, right) = frame.rows, frame.columns
    middle_row, middle_column = (top + bottom) // 2, (left + right) // 2
    assert out[top - 1, middle_column].max() < 100 and out[middle_row, left - 1].max() < 100  # the dark frame


def test_a_scene_one_pixel_across_is_drawn_on_its_own_pixel_size(tmp_path, recwarn):
    for size, width in ((1, 1), (1, 50), (7, 1)):
        nc = fake_result(tmp_path / f"{size}x{width}.nc", size=size, width=width, dates=1)
        assert len(quicklooks.write_all(nc, tmp_path / f"ql{size}x{width}", BANDS)) == 2
    assert not [w for w in recwarn if "identical" in str(w.message)]
    assert quicklooks.extent_km(np.array([400_005.0]), np.array([5_000_005.0])) == pytest.approx(
        (400.0, 400.01, 5000.0, 5000.01))


def test_two_dates_on_one_day_get_their_minute_in_the_name(tmp_path):
    nc = fake_result(tmp_path / "openEO.nc", size=10, t=["2023-06-01T10:00", "2023-06-01T12:30"])
    names = [p.name for p in quicklooks.write_all(nc, tmp_path / "ql", {})]
    assert names == ["ndvi_2023-06-01T10-00.png", "ndvi_2023-06-01T12-30.png"]
