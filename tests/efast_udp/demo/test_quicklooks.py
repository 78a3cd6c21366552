"""``efast_udp.demo.quicklooks``: the demo's maps and time series per band, and the site's figure and
thumbnail: which file each band gets, the colour scales, the sizes, and PNGs without metadata."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from efast_udp.demo import quicklooks

DAYS = np.datetime64("2023-06-01") + np.arange(30)
DATES = {"truth": DAYS, "obs": DAYS[::5], "targets": DAYS[1::2]}
GAP = (DAYS[5], DAYS[20])
GRID = {"x": 400_005.0 + 10.0 * np.arange(6), "y": 1_739_995.0 - 10.0 * np.arange(6), "crs": "EPSG:32628"}


def images(seed: int = 0, efast=None) -> dict:
    """6 x 6 maps: the truth, the baseline 0.05 above it, EFAST near it with one cell of no data."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.1, 0.5, (6, 6))
    if efast is None:
        efast = truth + rng.normal(0, 0.01, truth.shape)
        efast[2, 3] = np.nan
    return {"truth": truth, "S2-only interpolation": truth + 0.05, "EFAST": efast}


def means(n_bands: int | None) -> dict:
    """Scene means: (dates, bands), or (dates,) without ``n_bands``."""
    shape = (lambda n: (n, n_bands)) if n_bands else (lambda n: (n,))
    sizes = {"truth": 30, "obs": 6, "S2-only interpolation": 15, "EFAST": 15}
    return {k: np.linspace(0.2, 0.6, int(np.prod(shape(n)))).reshape(shape(n)) for k, n in sizes.items()}


def png(path) -> Image.Image:
    image = Image.open(path)
    image.load()
    assert image.format == "PNG"
    return image


def test_each_band_gets_a_map_and_a_time_series_of_its_own_column(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(quicklooks, "_map", lambda path, band, imgs, date, extent, crs: drawn.append(
        ("map", path.name, band, imgs, date, extent, crs)))
    monkeypatch.setattr(quicklooks, "_series", lambda path, band, dates, series, gap: drawn.append(
        ("series", path.name, band, series, gap)))
    maps = {"B04": images(1), "NDVI": images(2)}
    series = means(2)
    paths = quicklooks.write_all(tmp_path / "q", ["B04", "NDVI"], maps, series, DATES, "2023-06-12", GAP, GRID)
    assert [p.name for p in paths] == ["map_B04.png", "timeseries_B04.png", "map_NDVI.png", "timeseries_NDVI.png"]
    assert all(p.parent == tmp_path / "q" for p in paths) and (tmp_path / "q").is_dir()
    assert [d[:3] for d in drawn] == [("map", "map_B04.png", "B04"), ("series", "timeseries_B04.png", "B04"),
                                      ("map", "map_NDVI.png", "NDVI"), ("series", "timeseries_NDVI.png", "NDVI")]
    assert drawn[2][3] is maps["NDVI"] and drawn[0][4] == "2023-06-12" and drawn[0][6] == "EPSG:32628"
    assert drawn[0][5] == pytest.approx((400.0, 400.06, 1739.94, 1740.0))  # pixel edges, km
    for (_, _, band, band_series, gap), column in zip(drawn[1::2], (0, 1)):
        assert set(band_series) == set(series) and gap == GAP
        for name, values in band_series.items():
            np.testing.assert_array_equal(values, series[name][:, column])


def test_map_scales_truth_by_its_percentiles_and_the_error_symmetrically(tmp_path, monkeypatch):
    scales = []
    real_show = quicklooks.show

    def show(ax, image, extent, vmin, vmax, cmap="viridis"):
        scales.append((vmin, vmax, cmap))
        return real_show(ax, image, extent, vmin, vmax, cmap)

    monkeypatch.setattr(quicklooks, "show", show)
    imgs = images(3)
    quicklooks._map(tmp_path / "m.png", "B04", imgs, "2023-06-12", (0, 1, 0, 1), "EPSG:32628")
    lo, hi = np.nanpercentile(imgs["truth"], [1, 99])
    bound = np.nanpercentile(np.abs(imgs["EFAST"] - imgs["truth"]), 99)
    assert scales == [(lo, hi, "viridis")] * 3 + [(-bound, bound, "RdBu_r")]
    assert png(tmp_path / "m.png").size == (1360, 352)  # 17 x 4.4 in at 80 dpi
    scales.clear()
    monkeypatch.setattr(Figure, "savefig", lambda self, *args, **kwargs: None)  # the scales are set before
    quicklooks._map(tmp_path / "blank.png", "NDVI", images(3, efast=np.full((6, 6), np.nan)), "d", (0, 1, 0, 1), "c")
    assert scales[-1] == (-1.0, 1.0, "RdBu_r")  # no error to scale by


def test_a_time_series_is_a_png_of_8_x_4_inches(tmp_path):
    quicklooks._series(tmp_path / "s.png", "B8A", DATES, {k: v[:, 0] for k, v in means(1).items()}, GAP)
    assert png(tmp_path / "s.png").size == (640, 320)  # at 80 dpi


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "new" / "folder"
    return out, quicklooks.site_figures(out, images(5), "2023-06-12", DATES, means(None), GAP, GRID)


def test_site_figure_and_thumbnail(site):
    out, paths = site
    assert paths == [out / "efast-demo.png", out / "thumbnail.png"]
    figure, thumbnail = (png(p) for p in paths)
    assert figure.size == (900, 684)  # 10 x 7.6 in at 90 dpi
    assert thumbnail.size == (256, 256)


def test_site_pngs_carry_no_metadata_and_repeat_byte_for_byte(site, tmp_path):
    out, paths = site
    for path in paths:
        assert png(path).text == {}, path.name  # not even matplotlib's "Software"
    again = quicklooks.site_figures(tmp_path, images(5), "2023-06-12", DATES, means(None), GAP, GRID)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_the_site_thumbnail_is_the_efast_map_alone_on_the_truths_scale(site):
    """Each of the 6 x 6 cells fills 256 / 6 px of the thumbnail in the viridis colour of its EFAST
    value, scaled by the truth's 1st and 99th percentiles; no data is left white."""
    from matplotlib import colormaps

    _, paths = site
    pixels = np.asarray(png(paths[1]).convert("RGB")).astype(int)
    given = images(5)
    lo, hi = np.nanpercentile(given["truth"], [1, 99])
    centre = ((np.arange(6) + 0.5) * 256 / 6).astype(int)
    for i in range(6):
        for j in range(6):
            value = given["EFAST"][i, j]
            expected = [255, 255, 255] if np.isnan(value) else np.round(
                255 * np.asarray(colormaps["viridis"]((value - lo) / (hi - lo))[:3]))
            assert np.abs(pixels[centre[i], centre[j]] - expected).max() <= 1, (i, j)
