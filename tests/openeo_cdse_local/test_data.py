"""openeo_cdse_local.data and load_collection's value checks: a collection file is refused, with
one line naming it and the rule, when it does not hold what the computation assumes (regular,
monotonic, square pixels, unique labels, the dimension order, bounded sizes, numbers, data inside
the file, CDSE's value ranges)."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
import pytest
import xarray

from efast_udp.cli import main
from openeo_cdse_local.data import open_collection
from openeo_cdse_local.errors import InvalidData
from run_support import argv

S2 = "SENTINEL2_L2A"
S3 = "SENTINEL3_SYN_L2_SYN"


@pytest.fixture
def data(small_data, tmp_path):
    """A copy of the small scene's collections to edit."""
    copy = tmp_path / "data"
    shutil.copytree(small_data, copy)
    return copy


def rewrite(path, name, values, **options):
    """Replace variable ``name`` of the HDF5 file, keeping its dimension scales."""
    with h5py.File(path, "a") as f:
        old = f[name]
        attrs = {k: v for k, v in old.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME",
                                                                 "_Netcdf4Dimid", "_Netcdf4Coordinates")}
        del f[name]
        new = f.create_dataset(name, data=values, **options)
        for key, value in attrs.items():
            new.attrs[key] = value
        for i, dim in enumerate(("t", "y", "x")):
            new.dims[i].attach_scale(f[dim])


def test_the_small_scene_is_accepted(data):
    collection = open_collection(data, S2)
    assert collection.bands == ["B02", "B03", "B04", "B8A", "SCL"]


@pytest.mark.parametrize("edit, words", [
    (lambda y: y[np.random.default_rng(0).permutation(len(y))], "y is not strictly monotonic"),
    (lambda y: np.concatenate([y[:10], y[10:] - 5.0]), "y is not regular"),
    (lambda y: y[0] - 20.0 * np.arange(len(y)), "pixels are not square"),
])
def test_coordinates_the_grid_does_not_allow(data, edit, words):
    path = data / f"{S2}.nc"
    with h5py.File(path, "a") as f:
        f["y"][...] = edit(f["y"][...])
    with pytest.raises(InvalidData, match=words):
        open_collection(data, S2)


def test_repeated_time_labels(data):
    with h5py.File(data / f"{S2}.nc", "a") as f:
        t = f["t"][...]
        t[1] = t[0]
        f["t"][...] = t
    with pytest.raises(InvalidData, match="appears 2 times; labels must be unique"):
        open_collection(data, S2)


@pytest.mark.parametrize("dtype, words", [(bool, "bool"), (np.complex64, "complex64"), ("S3", "|S3")])
def test_bands_that_are_not_numbers(data, dtype, words):
    path = data / f"{S2}.nc"
    with h5py.File(path, "r") as f:
        values = f["B02"][...]
    rewrite(path, "B02", values.astype(dtype))
    with pytest.raises(InvalidData, match=f"band 'B02' holds {words}.*expected numbers"):
        open_collection(data, S2)


def test_a_band_decoded_as_times_is_not_a_band(data):
    path = data / f"{S2}.nc"
    with h5py.File(path, "a") as f:
        f["B02"].attrs["units"] = "days since 2000-01-01"  # xarray decodes it as datetime64
    with pytest.raises(InvalidData, match="band 'B02' holds datetime64"):
        open_collection(data, S2)


def test_data_stored_in_another_file_is_not_read(data, tmp_path):
    outside = tmp_path / "outside.h5"
    path = data / f"{S2}.nc"
    with h5py.File(path, "r") as f:
        values = f["B02"][...]
    with h5py.File(outside, "w") as f:
        f["B02"] = values * 7
    with h5py.File(path, "a") as f:
        del f["B02"]
        f["B02"] = h5py.ExternalLink(str(outside), "/B02")
    with pytest.raises(InvalidData, match="an external link to .*outside.h5.*reads data from outside the file"):
        open_collection(data, S2)
    raw = tmp_path / "secret.bin"
    raw.write_bytes(values.astype("<f4").tobytes())
    with h5py.File(path, "a") as f:
        del f["B02"]
        f.create_dataset("B02", shape=values.shape, dtype="<f4", external=[(str(raw), 0, h5py.h5f.UNLIMITED)])
    with pytest.raises(InvalidData, match="B02 \\(its data stored in other files\\)"):
        open_collection(data, S2)


def run_on(small_scene, data, tmp_path, capsys) -> str:
    """``efast-udp run`` on ``data``: its one line of error (exit 2)."""
    from run_support import argv

    from efast_udp.cli import main

    assert main(argv(small_scene, data, tmp_path / "out", "--no-quicklooks", "--no-geotiff")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


@pytest.mark.parametrize("scale, words", [(-1.0, "has values from -"), (1e30, "e+32; CDSE")])
def test_sentinel2_values_outside_cdses_16_bit_range(small_scene, data, tmp_path, capsys, scale, words):
    path = data / f"{S2}.nc"
    with h5py.File(path, "a") as f:
        f["B02"][...] = f["B02"][...] * scale
    line = run_on(small_scene, data, tmp_path, capsys)
    assert f"{S2}.nc: band 'B02'" in line and words in line and "unsigned 16-bit digital numbers (0 to 65535)" in line


def test_a_sentinel3_grid_too_large_to_place_is_refused_before_allocation(small_scene, data, tmp_path, capsys,
                                                                           monkeypatch):
    from openeo_cdse_local import readers

    monkeypatch.setattr(readers, "MAX_SOURCE_PIXELS", 10)
    line = run_on(small_scene, data, tmp_path, capsys)
    assert f"{S3}.nc: a grid of" in line and "at most 10 are read from a Sentinel-3 file" in line


def test_a_request_beside_the_sentinel2_file_has_no_pixel_of_it(small_scene, small_data, tmp_path, capsys):
    from run_support import argv

    from efast_udp.cli import main

    west, south, east, north = (small_scene.spatial_extent[k] for k in ("west", "south", "east", "north"))
    shift = 10 * (east - west)  # ten scene widths to the east: no Sentinel-2 pixel (exit 0, all NaN, before)
    args = argv(small_scene, small_data, tmp_path / "out", "--no-quicklooks", "--no-geotiff")
    extent = dict(small_scene.spatial_extent, west=west + shift, east=east + shift)
    args = [a for a in args if not a.startswith("--param=spatial_extent=")] + [f"--param=spatial_extent={json.dumps(extent)}"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "parameter 'spatial_extent': no pixel of 'SENTINEL2_L2A' in the requested area" in err[0], err


def test_a_missing_time_label(data):
    with h5py.File(data / f"{S2}.nc", "a") as f:
        f["t"].attrs["_FillValue"] = f["t"][2]  # the third label decodes to NaT
    with pytest.raises(InvalidData, match="t has 1 missing time label"):
        open_collection(data, S2)


def test_a_transposed_band_names_the_expected_dimensions(small_scene, tmp_path, capsys):
    small_scene.write(tmp_path / "data")
    path = tmp_path / "data" / "SENTINEL2_L2A.nc"
    with xarray.open_dataset(path) as ds:
        broken = ds.load()
    broken["B04"] = broken["B04"].transpose("t", "x", "y")
    path.unlink()
    broken.to_netcdf(path, engine="h5netcdf")
    assert main(argv(small_scene, tmp_path / "data", tmp_path / "out")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "variable 'B04'" in err and "(t, x, y); expected (t, y, x)" in err
