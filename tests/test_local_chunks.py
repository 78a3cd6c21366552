"""Chunked execution: every process implementation of the local runner gives the same numbers
whatever the windows (one window vs many, tiny ones included), and the whole graph too."""

from pathlib import Path

import dask
import dask.array as da
import numpy as np
import pytest

from conftest import SMALL_SCENE

from efast_udp.demo.scene import SceneConfig, make_scene
from efast_udp.local import chunks
from efast_udp.local.apply_neighborhood import apply_neighborhood
from efast_udp.local.runner import execute
from efast_udp.local.cube import Grid, with_grid
from efast_udp.local.merge_cubes import merge_cubes
from efast_udp.local.resample_cube_spatial import resample_cube_spatial
from efast_udp.local.resample_spatial import resample_spatial

UDP = Path(__file__).parent.parent / "udp" / "efast.json"
CRS = __import__("pyproj").CRS.from_epsg(32628)
TOL = 1e-6


def cube(values, res, x0=0.0, top=0.0, bands=None, window=None, attrs=None):
    """A (t, bands, y, x) cube on a grid starting at (x0, top), cut into ``window`` px windows."""
    values = np.asarray(values, dtype=np.float32)
    grid = Grid(CRS, x0 + res / 2, top - res / 2, res, values.shape[-1], values.shape[-2])
    if window is not None:
        values = da.from_array(values, chunks=(-1, -1, window, window))
    bands = bands or [f"b{i}" for i in range(values.shape[1])]
    t = np.datetime64("2023-06-01", "ns") + np.arange(values.shape[0]).astype("timedelta64[D]")
    return with_grid(values, ("t", "bands", "y", "x"), {"t": t, "bands": bands}, grid, attrs)


def random(shape, seed=0, nan=0.2):
    rng = np.random.default_rng(seed)
    values = rng.random(shape).astype(np.float32)
    values[rng.random(shape) < nan] = np.nan
    return values


def same(a, b):
    a, b = np.asarray(a.values, float), np.asarray(b.values, float)
    assert a.shape == b.shape
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    assert np.nanmax(np.abs(a - b), initial=0.0) <= TOL


@pytest.mark.parametrize("window", [4, 30])
def test_resample_spatial_windows(window):
    values = random((2, 2, 95, 71))
    whole = resample_spatial(cube(values, 10.0), resolution=300, method="average")
    same(resample_spatial(cube(values, 10.0, window=window), resolution=300, method="average"), whole)


@pytest.mark.parametrize("method", ["near", "bilinear"])
@pytest.mark.parametrize("window", [7, 16])
def test_resample_cube_spatial_windows(method, window):
    coarse = cube(random((2, 3, 5, 4), seed=1), 300.0, x0=-20.0, top=30.0)
    fine = cube(np.zeros((1, 1, 47, 41)), 10.0)
    whole = resample_cube_spatial(coarse, fine, method=method)
    chunked = resample_cube_spatial(cube(coarse.values, 300.0, x0=-20.0, top=30.0, window=2),
                                    cube(np.zeros((1, 1, 47, 41)), 10.0, window=window), method=method)
    same(chunked, whole)
    assert chunked.data.chunks[-1][0] == min(window, 41)  # the target's windows


def test_binning_windows():
    flags = {"reprojection_type": "binning", "super_sampling": 2, "flag_band": "b1", "flag_bitmask": 255}
    values = random((11, 2, 9, 8), seed=2)
    values[:, 1] = np.where(values[:, 1] > 0.7, 1.0, 0.0)
    target = cube(np.zeros((1, 1, 5, 4)), 300.0)
    whole = resample_cube_spatial(cube(values, 150.0, attrs={"featureflags": flags}), target)
    same(resample_cube_spatial(cube(values, 150.0, window=3, attrs={"featureflags": flags}), target), whole)


def test_merge_cubes_windows_and_labels():
    a = random((3, 2, 33, 29), seed=3)
    b = random((5, 1, 33, 29), seed=4)
    whole = merge_cubes(cube(a, 10.0, bands=["x", "y"]), cube(b, 10.0, bands=["z"]))
    chunked = merge_cubes(cube(a, 10.0, bands=["x", "y"], window=8), cube(b, 10.0, bands=["z"], window=5))
    same(chunked, whole)
    assert list(chunked.bands.values) == ["x", "y", "z"] and chunked.sizes["t"] == 5
    assert chunked.dtype == np.float32


@pytest.mark.parametrize("size,overlap", [(4, 1), (5, 3), (100, 2)])
def test_apply_neighborhood_halos_at_window_and_scene_borders(size, overlap):
    """The callback sees ``size`` chunks with ``overlap`` halos (NaN beyond the scene) whatever
    the cube's windows; its core is kept. A NaN-aware box mean needs exactly its halo."""
    from scipy import ndimage

    def box_mean(named_parameters):
        data = named_parameters["data"]
        finite = np.isfinite(data.values)
        k = (1, 1, 2 * overlap + 1, 2 * overlap + 1)
        total = ndimage.uniform_filter(np.where(finite, data.values, 0.0), size=k, mode="constant")
        count = ndimage.uniform_filter(finite.astype(float), size=k, mode="constant")
        with np.errstate(invalid="ignore", divide="ignore"):
            return data.copy(data=total / count)

    values = random((2, 1, 23, 17), seed=5)
    spec = lambda v: [{"dimension": "x", "value": v, "unit": "px"}, {"dimension": "y", "value": v, "unit": "px"}]  # noqa: E731
    whole = apply_neighborhood(cube(values, 10.0), box_mean, size=spec(1000), overlap=spec(overlap))
    for window in (2, 6, 23):
        chunked = apply_neighborhood(cube(values, 10.0, window=window), box_mean, size=spec(size), overlap=spec(overlap))
        same(chunked, whole)


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    scene = make_scene(SceneConfig(**SMALL_SCENE))
    path = tmp_path_factory.mktemp("data")
    scene.write(path)
    return scene, path


def test_whole_graph_one_window_equals_many(small_data, monkeypatch):
    """Every named stage, with one window per cube (small stages computed at once) and with
    13 px windows, the 10 m stages lazy (UDF tiles, coarse cells and resampling straddling borders)."""
    scene, path = small_data
    given = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    one = execute(UDP, path, given, show_progress=False, chunk_px=10_000)
    monkeypatch.setattr(chunks, "PERSIST_BYTES", 100_000)  # the 300 m stages at once, the 10 m ones lazy
    many = execute(UDP, path, given, show_progress=False, chunk_px=13)
    assert many.intermediates["fusion_input"].data.numblocks[-1] > 1
    assert set(one.intermediates) == set(many.intermediates)
    names = sorted(one.intermediates)
    computed = dask.compute(*[many.intermediates[name] for name in names])  # one pass over the lazy graph
    for name, cube in zip(names, computed):
        same(cube, one.intermediates[name])
    chunks.set_chunk_px(chunks.DEFAULT_CHUNK_PX)
