"""Sentinel-3 binning: the back-end's semantics on hand-made cases, and the same numbers as the
back-end's own ``binning.py`` (openeo-geopyspark in .venv-backend, ``make backend-venv``)."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from ci import unavailable
from openeo_cdse_local import binning

REPO = Path(__file__).resolve().parents[2]
BACKEND_PYTHON = REPO / ".venv-backend" / "bin" / "python"
RUNNER = REPO / "tests" / "backend" / "run_binning.py"


def test_data_bands_are_masked_per_source_pixel_and_the_flag_band_is_a_mean():
    """do_binning: a data band is no data where the flag has a bitmask bit; the flag band itself
    is binned unmasked, a mean of bit fields."""
    values = np.array([[[0.1, 0.2], [0.3, 0.4]],  # reflectance
                       [[0.0, 1.0], [4.0, 8.0]]], dtype=np.float32)  # CLOUD_flags
    lat = np.array([[0.75, 0.75], [0.25, 0.25]])
    lon = np.array([[0.25, 0.75], [0.25, 0.75]])
    out = binning.bin_product(values, ["r", "CLOUD_flags"], lat, lon, block_west=0.0, block_south=0.0, pixel=1.0,
                              height=1, width=1, super_sampling=1, flag_band="CLOUD_flags", flag_bitmask=255)
    np.testing.assert_allclose(out[0, 0, 0], 0.1)  # only the unflagged pixel
    np.testing.assert_allclose(out[1, 0, 0], (0 + 1 + 4 + 8) / 4)
    out = binning.bin_product(values, ["r", "CLOUD_flags"], lat, lon, 0.0, 0.0, 1.0, 1, 1, 1, "CLOUD_flags", 1 | 2 | 4)
    np.testing.assert_allclose(out[0, 0, 0], (0.1 + 0.4) / 2)  # snow (8) is not in this bitmask


def test_super_sampling_repeats_values_and_interpolates_coordinates():
    np.testing.assert_allclose(binning.sub_positions(2, 2), [-0.25, 0.25, 0.75, 1.25])
    np.testing.assert_allclose(binning.sub_positions(1, 3), [-1 / 3, 0, 1 / 3])
    coords = np.array([[0.0, 1.0], [10.0, 11.0]])
    up = binning.super_sample_coords(coords, 2)
    np.testing.assert_allclose(up[0], [-2.75, -2.25, -1.75, -1.25])  # extrapolated beyond the outer centres
    assert binning.super_sample_values(np.arange(4.0).reshape(2, 2), 2).tolist()[0] == [0, 0, 1, 1]


def test_bin_index_truncates_toward_zero_and_keeps_the_back_ends_bounds():
    """A sub-pixel less than a bin below the grid lands in row 0 (truncation); one at col == W
    is kept (``> W`` rejects) and lands in the next row; negative ones are dropped."""
    lat = np.array([-0.4, 0.5, 0.5, -1.5])
    lon = np.array([0.5, 2.0, 0.5, 0.5])
    index = binning.bin_index(lat, lon, 0.0, 0.0, 1.0, height=2, width=2)
    assert index.tolist() == [0, 2, 0, -1]


def _fixture(seed: int, rows: int, cols: int, nan: float = 0.2):
    rng = np.random.default_rng(seed)
    lat0, lon0, step = 15.6 + rng.random() * 0.01, -15.5 + rng.random() * 0.01, 1 / 336
    lat = lat0 - step * (np.arange(rows) + 0.5)[:, None] + 0 * np.arange(cols)[None, :]
    lon = lon0 + step * (np.arange(cols) + 0.5)[None, :] + 0 * np.arange(rows)[:, None]
    bands = rng.random((3, rows, cols)).astype(np.float32)
    bands[rng.random(bands.shape) < nan] = np.nan
    # the layer's grid: offset from the product grid, a little smaller than the product
    south = lat0 - step * rows + 0.37 * step
    west = lon0 + 0.61 * step
    height, width = rows - 2, cols - 2
    return bands, lat, lon, south, west, step, height, width


def _ours(bands, lat, lon, south, west, step, height, width, f):
    values = binning.super_sample_values(bands, f)
    return binning.bin_block(values, binning.super_sample_coords(lat, f), binning.super_sample_coords(lon, f), south,
                             west, step, height, width)


@pytest.mark.parametrize("f", [1, 2, 3])
def test_equals_the_back_ends_binning_py(f, tmp_path):
    if not BACKEND_PYTHON.exists():
        unavailable(f"no back-end binning venv at {BACKEND_PYTHON} (create it with `make backend-venv`)")
    bands, lat, lon, south, west, step, height, width = _fixture(f, 23, 19)
    lat_edges = south + step * np.arange(height + 1)
    lon_edges = west + step * np.arange(width + 1)
    source, target = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(source, bands=bands, lat=lat, lon=lon, lat_edges=lat_edges, lon_edges=lon_edges, super_sampling=f)
    done = subprocess.run([str(BACKEND_PYTHON), str(RUNNER), str(source), str(target)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    expected = np.load(target)["binned"][:, ::-1, :]  # the back-end's lat-ascending rows, flipped north-up
    ours = _ours(bands, lat, lon, south, west, step, height, width, f)
    assert ours.shape == expected.shape
    assert np.array_equal(np.isnan(ours), np.isnan(expected))
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-7)
