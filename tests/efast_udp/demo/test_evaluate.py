"""efast_udp.demo.evaluate: the demo's checks window by window, on the small scene with a result
that is the oracle's own (so the agreement is exact) or differs from it in two known pixels: the
figures are those of the whole arrays whatever the windows, the quicklook maps every ``step``-th
pixel; and its pieces (windows, decimation, the running means)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import xarray

from efast_udp.demo import evaluate, metrics, oracle
from efast_udp.demo.scene import S2_BANDS, S3_BANDS, S3_GAIN, S3_OFFSET
from efast_udp.local.quicklooks import MAX_PX


# --- the pieces ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size, step", [(1, 1), (MAX_PX, 1), (MAX_PX + 1, 2), (2 * MAX_PX, 2), (2 * MAX_PX + 1, 3)])
def test_a_map_is_at_most_max_px_across(size, step):
    assert evaluate.map_step(size) == step
    assert -(-size // step) <= MAX_PX


def test_decimated_rows_of_a_window():
    assert evaluate.decimated(slice(0, 10), 3) == (slice(0, 10, 3), slice(0, 4))  # 0 3 6 9
    assert evaluate.decimated(slice(10, 20), 3) == (slice(2, 10, 3), slice(4, 7))  # 12 15 18
    assert evaluate.decimated(slice(10, 11), 3) == (slice(0, 0), slice(0, 0))  # no multiple of 3 in it


@pytest.mark.parametrize("n, size, step", [(60, 25, 3), (60, 60, 1), (61, 7, 4), (10, 3, 7)])
def test_the_decimated_windows_make_the_whole_decimated_axis(n, size, step):
    whole = np.full(-(-n // step), -1)
    for _, window in evaluate.windows(n, size)[:-(-n // size)]:  # the first row of windows: every column edge
        rows, to = evaluate.decimated(window, step)
        whole[to] = np.arange(n)[window][rows]
    np.testing.assert_array_equal(whole, np.arange(n)[::step])


def test_windows_cover_the_square_row_by_row():
    edges = [slice(0, 2), slice(2, 4), slice(4, 5)]
    assert evaluate.windows(5, 2) == [(r, c) for r in edges for c in edges]
    assert evaluate.windows(3) == [(slice(0, 3), slice(0, 3))]  # WINDOW_PX: one window


def test_series_means_per_date_and_band_over_the_finite_values():
    series = evaluate.Series(np.zeros((3, 2)))
    values = np.array([[[[1.0, np.nan]], [[2.0, 4.0]]], [[[np.nan, np.nan]], [[6.0, 8.0]]]])  # (2 dates, 2 bands, 1, 2)
    series.add(values, slice(0, 2))
    series.add(values[:1] + 1, slice(2, 3))
    np.testing.assert_array_equal(series.count, [[1, 2], [0, 2], [1, 2]])
    mean = series.mean
    np.testing.assert_array_equal(mean[[0, 2]], [[1.0, 3.0], [2.0, 4.0]])
    assert np.isnan(mean[1, 0]) and mean[1, 1] == 7.0  # no finite value: NaN, without a warning


# --- the evaluation -----------------------------------------------------------------------------

def params_of(scene) -> dict:
    return {"s2_data_bands": list(S2_BANDS), "s3_data_bands": list(S3_BANDS), "fused_band_names": None,
            "output_ndvi": True, "cloud_tolerance": 0.05, "max_distance_to_cloud_m": 5000,
            "temporal_extent": scene.temporal_extent, "temporal_extent_target": [str(scene.dates(8)),
                                                                                 str(scene.dates(22))],
            "interval_days": 2, "s3_temporal_score_stddev": 3, "temporal_score_stddev": 20}


def fake_run(scene) -> SimpleNamespace:
    """What ``oracle_inputs`` reads of a run: the 300 m grid of the invalid fraction, and
    Sentinel-3 on it (here the truth's cell means, cloudy on the scene's cloudy days)."""
    n = scene.config.size_px // 30
    x, y = scene.config.x0 + 150 + 300 * np.arange(n), scene.config.top - 150 - 300 * np.arange(n)
    fraction = xarray.DataArray(np.zeros((1, 1, n, n)), dims=("t", "bands", "y", "x"), coords={"x": x, "y": y})
    cells = [scene.truth(day).reshape(4, n, 30, n, 30).mean(axis=(2, 4)) * S3_GAIN + S3_OFFSET
             for day in scene.s3_days]
    flags = np.isin(scene.s3_days, scene.config.s3_cloudy_days).astype(float)[:, None, None, None] * np.ones((1, 1, n, n))
    s3 = xarray.DataArray(np.concatenate([np.stack(cells), flags], axis=1), dims=("t", "bands", "y", "x"),
                          coords={"t": scene.s3_times.astype("datetime64[ns]"), "bands": [*S3_BANDS, "CLOUD_flags"],
                                  "x": x, "y": y})
    return SimpleNamespace(intermediates={"s2_invalid_fraction": fraction, "s3_coarse": s3})


@pytest.fixture(scope="module")
def case(small_scene, tmp_path_factory):
    """The oracle's result on the small scene and everything ``evaluate`` takes with it."""
    scene = small_scene
    params, epoch = params_of(scene), int(scene.dates(0).astype(np.int64))
    inputs = evaluate.oracle_inputs(fake_run(scene), scene)
    expected, names, days = oracle.efast(scene.s2, inputs["fine"], scene.s2_days + epoch, inputs["coarse"],
                                         inputs["s3"], inputs["s3_days"], params)
    targets = days - epoch
    gap = metrics.gap_mask(scene, targets)
    return SimpleNamespace(scene=scene, params=params, epoch=epoch, inputs=inputs, expected=expected, names=names,
                           targets=targets, gap_index=int(np.flatnonzero(gap)[gap.sum() // 2]),
                           folder=tmp_path_factory.mktemp("evaluate"))


def write_result(case, values: np.ndarray, name: str):
    """``values`` (targets, bands, y, x) as the run's NetCDF would hold them (float64: exact)."""
    scene = case.scene
    ds = xarray.Dataset({b: (("t", "y", "x"), values[:, i]) for i, b in enumerate(case.names)},
                        coords={"t": scene.dates(case.targets).astype("datetime64[ns]"), "y": scene.y, "x": scene.x})
    path = case.folder / name
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def evaluated(case, small_data, result_path):
    return evaluate.evaluate(case.scene, small_data, result_path, case.params, case.targets, case.names,
                             case.gap_index, case.epoch, case.inputs)


@pytest.fixture(scope="module")
def oracle_result(case):
    """The oracle's own result as the run's NetCDF."""
    return write_result(case, case.expected, "oracle.nc")


@pytest.fixture(scope="module")
def whole(case, small_data, oracle_result):
    """The evaluation of the oracle's own result, in one window (the scene is under WINDOW_PX)."""
    return evaluated(case, small_data, oracle_result)


def test_oracle_inputs_are_the_runs_grids_and_sentinel3_with_its_acquisition_days(case):
    fine, coarse, scene = case.inputs["fine"], case.inputs["coarse"], case.scene
    assert (fine.x0, fine.y0, fine.res, fine.nx, fine.ny) == (scene.x[0], scene.y[0], 10.0, 60, 60)
    assert (coarse.x0, coarse.y0, coarse.res, coarse.nx, coarse.ny) == (scene.config.x0 + 150,
                                                                        scene.config.top - 150, 300.0, 2, 2)
    assert sorted(case.inputs["s3"]) == sorted([*S3_BANDS, "CLOUD_flags"])
    assert case.inputs["s3"]["CLOUD_flags"].shape == (60, 2, 2)
    np.testing.assert_allclose(case.inputs["s3_days"][:3] - case.epoch, [612 / 1440, 701 / 1440, 1 + 612 / 1440])


def test_the_oracles_own_result_agrees_exactly_and_scores_as_the_whole_arrays(case, whole):
    checked = whole
    assert (checked.oracle_max_abs_diff, checked.oracle_defined_mismatch) == (0.0, 0)
    scene, targets = case.scene, case.targets
    baseline, true = metrics.s2_only(scene.s2, scene.s2_days, targets), metrics.truth(scene, targets)
    at_once = metrics.compute(scene, case.expected[:, :4], baseline, true, targets)
    assert checked.scores == {part: {k: pytest.approx(v, rel=1e-12) for k, v in figures.items()}
                              for part, figures in at_once.items()}
    assert checked.scores["gap"]["efast"] < checked.scores["gap"]["s2_only"]
    assert checked.step == 1
    gap = case.gap_index
    np.testing.assert_array_equal(checked.maps["B04"]["truth"], true[gap, 2])
    np.testing.assert_array_equal(checked.maps["B02"]["S2-only interpolation"], baseline[gap, 0])
    np.testing.assert_array_equal(checked.maps["NDVI"]["EFAST"], case.expected[gap, 4])
    assert set(checked.series) == {"truth", "obs", "S2-only interpolation", "EFAST"}
    assert checked.series["truth"].shape == (30, 5) and checked.series["obs"].shape == (6, 5)
    np.testing.assert_allclose(checked.series["truth"][:, :4],
                               [scene.truth(day).mean(axis=(1, 2)) for day in range(30)], rtol=1e-12)
    np.testing.assert_allclose(checked.series["EFAST"], np.nanmean(case.expected, axis=(2, 3)), rtol=1e-12)


def test_windows_and_decimated_maps_change_nothing_but_the_maps_size(case, small_data, oracle_result, whole,
                                                                     monkeypatch):
    cut = evaluate.windows
    monkeypatch.setattr(evaluate, "windows", lambda n: cut(n, 40))  # 4 windows, 40 px, the last ones 20
    monkeypatch.setattr(evaluate, "MAX_PX", 25)  # every 3rd pixel: the windows' edges do not align with it
    parts = evaluated(case, small_data, oracle_result)
    assert parts.step == 3 and (parts.oracle_max_abs_diff, parts.oracle_defined_mismatch) == (0.0, 0)
    assert parts.scores == {part: {k: pytest.approx(v, rel=1e-12) for k, v in f.items()} for part, f in
                            whole.scores.items()}
    for band in whole.maps:
        for name in whole.maps[band]:
            np.testing.assert_array_equal(parts.maps[band][name], whole.maps[band][name][::3, ::3])
    for name in whole.series:
        # the observations are the file's float32 digital numbers scaled in float32: summed per window
        np.testing.assert_allclose(parts.series[name], whole.series[name], rtol=1e-6 if name == "obs" else 1e-12,
                                   err_msg=name)


def test_a_differing_value_and_a_missing_one_are_counted(case, small_data):
    values = case.expected.copy()
    finite = np.argwhere(np.isfinite(values))
    changed, missing = tuple(finite[0]), tuple(finite[-1])
    values[changed] += 0.01
    values[missing] = np.nan
    checked = evaluated(case, small_data, write_result(case, values, "differs.nc"))
    assert checked.oracle_max_abs_diff == pytest.approx(0.01, rel=1e-9)
    assert checked.oracle_defined_mismatch == 1
