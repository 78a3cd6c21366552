"""``efast-udp run`` as a user meets it: only released UDF code runs, outputs that other tools
read (CF NetCDF with provenance, GeoTIFFs with nodata and band names, quicklooks), a word when
the result is no data, and dates with offsets read the same way everywhere."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import xarray

from efast_udp.cli import main
from efast_udp.demo import oracle
from efast_udp.project import LATEST_UDP
from efast_udp.udfs.prelude import utc_day
from run_support import argv


def edited_udp(tmp_path, edit) -> Path:
    doc = json.loads(LATEST_UDP.read_text())
    node = doc["process_graph"]["s3_smoothed"]["arguments"]["process"]["process_graph"]["runudf1"]
    node["arguments"]["udf"] = edit(node["arguments"]["udf"])
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def run_out(small_scene, small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(argv(small_scene, small_data, out)) == 0
    return out


def test_outputs_are_cf_with_provenance_geotiffs_with_nodata_and_quicklooks(run_out):
    with xarray.open_dataset(run_out / "openEO.nc") as ds:
        assert ds.attrs["Conventions"] == "CF-1.8" and "doi.org/10.3390/rs16111833" in ds.attrs["references"]
        assert "efast 0." in ds.attrs["title"] and "/efast.json" in ds.attrs["source"]
        history = ds.attrs["history"]
        assert "efast-udp run --udp" in history and '"interval_days": 2' in history  # defaults included
        assert '"output_ndvi": true' in history
        for band in ("B02", "B03", "B04", "B8A", "NDVI"):
            assert ds[band].attrs["units"] == "1" and ds[band].attrs["long_name"], band
            assert np.isnan(ds[band].encoding["_FillValue"])
        assert "Sentinel-2 B04 and Sentinel-3 Syn_Oa08_reflectance" in ds["B04"].attrs["long_name"]
        dates = [str(np.datetime64(t, "D")) for t in ds["t"].values]
    import rasterio

    tifs = sorted(run_out.glob("openEO_*Z.tif"))
    assert [t.stem.split("_")[1] for t in tifs] == [f"{d}Z" for d in dates]
    with rasterio.open(tifs[0]) as tif:
        assert np.isnan(tif.nodata) and tif.descriptions == ("B02", "B03", "B04", "B8A", "NDVI")
        assert tif.tags()["date"] == dates[0] and tif.crs is not None
    pngs = {p.name for p in (run_out / "quicklooks").glob("*.png")}
    assert pngs == {f"{kind}_{d}.png" for d in dates for kind in ("rgb", "ndvi")}
    marker = json.loads((run_out / ".efast-udp").read_text())
    assert marker["command"] == "run" and "openEO.nc" in marker["files"] and f"quicklooks/rgb_{dates[0]}.png" in marker["files"]


def test_a_rerun_replaces_only_its_own_files(small_scene, small_data, run_out, capsys):
    (run_out / "notes.txt").write_text("mine")
    stale = run_out / "openEO_1999-01-01Z.tif"
    marker = json.loads((run_out / ".efast-udp").read_text())
    marker["files"].append("openEO_1999-01-01Z.tif")
    (run_out / ".efast-udp").write_text(json.dumps(marker))
    stale.write_text("from an earlier run")
    assert main(argv(small_scene, small_data, run_out, "--no-quicklooks", "--no-geotiff")) == 0
    assert (run_out / "notes.txt").read_text() == "mine" and not stale.exists()
    assert not (run_out / "quicklooks").exists() or not any((run_out / "quicklooks").iterdir())
    assert "no data: 0.0 %" in capsys.readouterr().err


def test_an_edited_udf_is_refused_without_the_opt_in(small_scene, small_data, tmp_path, capsys):
    udp = edited_udp(tmp_path, lambda code: code + "\n# one added line\n")
    assert main(argv(small_scene, small_data, tmp_path / "out", udp=udp)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "refusing to run the UDF of node 's3_smoothed/process/runudf1'" in err
    assert "--allow-untrusted-udf" in err and not (tmp_path / "out").exists()
    assert main(argv(small_scene, small_data, tmp_path / "out", "--allow-untrusted-udf", "--no-quicklooks", udp=udp)) == 0
    err = capsys.readouterr().err
    assert "warning: running the UDF of node 's3_smoothed/process/runudf1'" in err and "your rights" in err


def test_injected_code_never_runs_even_with_the_opt_in(small_scene, small_data, tmp_path, capsys):
    marker = tmp_path / "pwned"
    udp = edited_udp(tmp_path, lambda code: f"import os\nos.system('touch {marker}')\n" + code)
    assert main(argv(small_scene, small_data, tmp_path / "out", "--allow-untrusted-udf", udp=udp)) == 1
    err = capsys.readouterr().err
    assert "[udf-lint]" in err and "nothing was run" in err and "Traceback" not in err
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_all_no_data_sentinel2_ends_with_a_warning_that_says_why(small_scene, tmp_path, capsys):
    blank = copy.copy(small_scene)
    blank.s2 = {k: np.full_like(v, np.nan) for k, v in small_scene.s2.items()}
    blank.write(tmp_path / "data")
    assert main(argv(blank, tmp_path / "data", tmp_path / "out", "--no-quicklooks", "--no-geotiff")) == 0
    captured = capsys.readouterr()
    assert "no data: 100.0 %" in captured.err
    assert "warning:" in captured.err and "no valid Sentinel-2 pixel" in captured.err


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


@pytest.mark.parametrize("stamp, day", [("2022-09-04T01:00:00+02:00", "2022-09-03"),
                                        ("2022-09-03T23:30:00-02:00", "2022-09-04"),
                                        ("2022-09-04T23:30:00Z", "2022-09-04"),
                                        ("2022-09-04", "2022-09-04")])
def test_a_date_time_is_the_same_utc_day_in_the_udf_the_oracle_and_the_loader(stamp, day):
    """The UDFs and the oracle convert an offset to UTC (a graph may pass one from elsewhere);
    the loader takes only the forms the back-end reads and refuses an offset with its reason."""
    from openeo.udf.run_code import load_module_from_string

    from openeo_cdse_local.errors import ProcessFailure
    from openeo_cdse_local.temporal import instant as _as_datetime
    from efast_udp.udf_source import udf_code

    expected = float(np.datetime64(day, "D").astype(np.int64))
    interpolation = load_module_from_string(udf_code("interpolation"))
    context = {"temporal_extent": ["2022-08-01", "2022-10-01"], "temporal_extent_target": None,
               "interval_days": 2, "target_time_series": [stamp]}
    assert list(interpolation["target_days"](context)) == [expected]  # the UDF
    assert oracle.day_number(stamp) == expected  # the oracle
    if "+" in stamp or stamp.endswith("-02:00"):
        with pytest.raises(ProcessFailure, match="is not a date YYYY-MM-DD or a UTC date-time"):
            _as_datetime(stamp, "t")
    else:
        assert float(np.floor(_as_datetime(stamp, "t").astype("datetime64[s]").astype(np.int64) / 86400)) == expected
    assert utc_day(stamp) == expected  # the prelude all three share


@pytest.mark.parametrize("extent, message", [
    (["2022-09-01T00:00:00+02:00", "2022-10-01T00:00:00+02:00"], "temporal_extent"),
    (["2022-09-01", "2022-10-01T00:00:00Z"], "temporal_extent"),
    (["01/09/2022", "2022-10-01"], "temporal_extent"),
    (["2022-01-01", "2022-07-05"], "at most 184 days"),
])
def test_temporal_extents_the_back_end_cannot_take_are_refused_by_run(small_scene, small_data, tmp_path, capsys,
                                                                      extent, message):
    args = argv(small_scene, small_data, tmp_path / "out") + ["--param", "temporal_extent=" + json.dumps(extent)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "temporal_extent" in err[0], err
    assert not (tmp_path / "out").exists()


def test_timings_are_written_to_a_new_file_only(small_scene, small_data, tmp_path, capsys):
    timings = tmp_path / "timings.json"
    assert main(argv(small_scene, small_data, tmp_path / "out", "--no-quicklooks", "--timings", str(timings))) == 0
    phases = json.loads(timings.read_text())
    assert phases["tool"] == "efast-udp run"
    assert {"wall_s", "imports_s", "set_up_s", "compute_and_write_s", "writing_s"} <= set(phases)
    assert "quicklooks_s" not in phases and phases["writing_s"] <= phases["compute_and_write_s"] <= phases["wall_s"]
    capsys.readouterr()
    assert main(argv(small_scene, small_data, tmp_path / "again", "--timings", str(timings))) == 2
    err = capsys.readouterr().err.strip()
    assert "--timings" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "again").exists() and json.loads(timings.read_text()) == phases


def test_a_killed_runs_quicklooks_are_its_own_for_the_next_run(small_scene, small_data, tmp_path, monkeypatch):
    """The marker a run writes before it starts lists the quicklooks too: a run killed after
    drawing leaves that marker, and the next run replaces them instead of refusing."""
    from efast_udp import outputs

    out = tmp_path / "out"
    # as if killed once everything is drawn: the marker stays the plan, the lock goes with the process
    monkeypatch.setattr(outputs.Claim, "release", lambda self: outputs.unlock(self.lock_fd))
    assert main(argv(small_scene, small_data, out, "--no-geotiff")) == 0
    planned = json.loads((out / outputs.MARKER).read_text())["files"]
    drawn = sorted(str(p.relative_to(out)) for p in (out / "quicklooks").glob("*.png"))
    assert drawn and set(drawn) <= set(planned)
    monkeypatch.undo()
    assert main(argv(small_scene, small_data, out, "--no-geotiff")) == 0
