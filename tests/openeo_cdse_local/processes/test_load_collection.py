"""``load_collection`` of Sentinel-3: products read in batches, those that share a label merged."""

from __future__ import annotations

import numpy as np
import pytest

from openeo_cdse_local import Session, readers
from openeo_cdse_local.data import write_collection
from openeo_cdse_local.processes import load_collection as lc

STEP = 1 / 336
FLAGS = {"reprojection_type": "binning", "super_sampling": 2, "flag_band": "CLOUD_flags", "flag_bitmask": 255}
BANDS = ["Syn_Oa04_reflectance", "CLOUD_flags"]


@pytest.fixture
def s3_dir(tmp_path):
    """Seven products on the product grid near 16.0 W 15.7 N; the 2nd and 3rd are 30 s apart
    (one label, the minute), the 2nd with no data on its western half."""
    x = -16.0 + STEP * (np.arange(12) + 0.5)
    y = 15.7 + STEP * (np.arange(12)[::-1] + 0.5)
    t = np.datetime64("2023-06-01T10:00:10", "ns") + np.array([0, 86_400, 86_430, 172_800, 259_200, 345_600, 432_000],
                                                              dtype="timedelta64[s]")
    rng = np.random.default_rng(3)
    refl = rng.uniform(0.02, 0.3, (t.size, y.size, x.size)).astype(np.float32)
    refl[1, :, :6] = np.nan
    flags = np.zeros_like(refl)
    flags[4, 2:5, 2:5] = 1  # a cloud: the data band is masked there
    write_collection(tmp_path / "SENTINEL3_SYN_L2_SYN.nc", {BANDS[0]: refl, BANDS[1]: flags}, t, y, x, "EPSG:4326")
    return tmp_path, refl


def load(data_dir):
    cube = lc.load_collection(Session(data_dir), "SENTINEL3_SYN_L2_SYN",
                              spatial_extent={"west": -15.99, "south": 15.705, "east": -15.975, "north": 15.73},
                              temporal_extent=["2023-06-01", "2023-06-10"], bands=BANDS, featureflags=FLAGS)
    return cube.compute()


def test_products_sharing_a_minute_are_one_label_first_with_data_winning(s3_dir, monkeypatch):
    data_dir, refl = s3_dir
    cube = load(data_dir)
    assert cube.sizes["t"] == 6
    assert str(cube.t.values[1]) == "2023-06-02T10:00:00.000000000"
    alone = {}
    for size in (1, 2, 32):  # the batch size changes tasks and reads, never values
        monkeypatch.setattr(readers, "READ_DATES", size)
        alone[size] = load(data_dir).values
    for size in (1, 2):
        np.testing.assert_array_equal(alone[size], alone[32])
    values = cube.sel(bands=BANDS[0]).values
    assert np.isfinite(values[1]).sum() == np.isfinite(values[0]).sum() > 0  # the 3rd product filled the 2nd's gap
    assert np.isnan(values[3]).sum() > np.isnan(values[0]).sum()  # the cloud masked the data band
