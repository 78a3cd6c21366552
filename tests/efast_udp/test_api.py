"""The Python API (``efast_udp.create_efast_udp``, ``load_udp``, ``run_local``, ``__version__``):
exactly the released definition, from a checkout and from an installed package's data, saved
unchanged on openeo-driver's dummy back-end (its own venv, a subprocess on 127.0.0.1), and a
local run that is ``efast-udp run``'s result, checked the same way."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import openeo
import pytest
import xarray

import efast_udp
from e2e.servers import DummyBackend, driver_python
from efast_udp.cli import main
from efast_udp.errors import UnknownVersion, UsageError
from efast_udp.project import LATEST_UDP, RELEASES_DIR, ROOT

PUBLISHED = json.loads(LATEST_UDP.read_text())


def test_create_efast_udp_is_the_published_parameters_and_graph():
    params, process_graph = efast_udp.create_efast_udp()
    assert params == PUBLISHED["parameters"] and process_graph == PUBLISHED["process_graph"]
    assert efast_udp.load_udp() == PUBLISHED


def test_every_released_version_is_its_release_file():
    versions = efast_udp.released_versions()
    folders = [p.parent.name for p in RELEASES_DIR.glob("*/efast.json")]
    assert versions == sorted(folders, key=lambda v: tuple(map(int, v.split("."))))
    assert efast_udp.load_udp() == efast_udp.load_udp(versions[-1])
    for version in versions:
        doc = json.loads((RELEASES_DIR / version / "efast.json").read_text())
        assert efast_udp.load_udp(version) == doc
        assert efast_udp.create_efast_udp(version=version) == (doc["parameters"], doc["process_graph"])


def test_an_unknown_version_names_the_released_ones():
    with pytest.raises(UnknownVersion) as raised:
        efast_udp.load_udp("9.9.9")
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert "'9.9.9'" in message and ", ".join(efast_udp.released_versions()) in message and "\n" not in message
    with pytest.raises(ValueError, match="never released"):
        efast_udp.create_efast_udp(version="latest")


@pytest.mark.parametrize("version", ["../0.3.0", "0.3.0/../0.2.0", "releases/0.3.0", "", "0.3", 3, 0.3, ["0.3.0"]])
def test_a_version_is_only_a_released_name(version):
    """Nothing but one of the released names reaches the file system (no path, no number)."""
    with pytest.raises(UnknownVersion, match="the released versions are"):
        efast_udp.load_udp(version)


def test_each_call_returns_a_copy():
    params, graph = efast_udp.create_efast_udp()
    params[0]["name"] = "changed"
    graph.clear()
    assert efast_udp.create_efast_udp() == (PUBLISHED["parameters"], PUBLISHED["process_graph"])


def test_the_parameters_pass_the_openeo_client_unchanged():
    """``save_user_defined_process`` turns each dict into ``Parameter(**p).to_dict()``."""
    from openeo.rest.udp import build_process_dict

    params, process_graph = efast_udp.create_efast_udp()
    sent = build_process_dict(process_graph=process_graph, parameters=params)
    assert sent["parameters"] == PUBLISHED["parameters"] and sent["process_graph"] == PUBLISHED["process_graph"]


def test_a_connection_must_be_a_connection():
    with pytest.raises(TypeError, match="expected an openeo Connection"):
        efast_udp.create_efast_udp("https://openeo.dataspace.copernicus.eu")


def test_version_is_the_package_metadata_and_the_cli_prints_it(capsys):
    import importlib.metadata

    assert efast_udp.__version__ == importlib.metadata.version("efast-udp")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"efast-udp {efast_udp.__version__}\n"


def test_an_installed_package_reads_its_own_release_data(tmp_path):
    """The wheel's build step (setup.py's build_py) copies udp/releases into the package; from
    there, without the checkout, the API returns the same definitions."""
    lib = tmp_path / "lib"
    build = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr[-2000:]
    assert sorted(p.parent.name for p in (lib / "efast_udp" / "udp_releases").glob("*/efast.json")) == \
        sorted(p.parent.name for p in RELEASES_DIR.glob("*/efast.json"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = ("import json, efast_udp, efast_udp.api as api; print(json.dumps([efast_udp.__file__, "
              "str(api.releases_dir()), efast_udp.create_efast_udp()]))")
    env = {**os.environ, "PYTHONPATH": str(lib)}
    out = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    module, releases, (params, graph) = json.loads(out.stdout)
    assert Path(module).is_relative_to(lib) and Path(releases) == lib / "efast_udp" / "udp_releases"
    assert params == PUBLISHED["parameters"] and graph == PUBLISHED["process_graph"]


# --- run_local ---------------------------------------------------------------------------------

def band_names(ds) -> list[str]:
    """The data variables over the grid (the bands), whatever the grid-mapping variable is called."""
    return [str(n) for n in ds.data_vars if {"y", "x"} <= set(ds[n].dims)]


def arguments(scene) -> dict:
    return {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}


@pytest.fixture(scope="module")
def run_out(small_scene, small_data, tmp_path_factory):
    """``efast-udp run`` on the small scene; its stdout (the written files) kept beside."""
    out = tmp_path_factory.mktemp("run") / "out"
    argv = ["run", "--data", str(small_data), "--out", str(out), "--quiet", "--chunk-px", "32", "--no-quicklooks"]
    argv += [f"--param={k}={json.dumps(v)}" for k, v in arguments(small_scene).items()]
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(argv) == 0
    return out, stdout.getvalue()


def test_run_lists_the_written_files_one_a_line(run_out):
    out, stdout = run_out
    lines = stdout.splitlines()
    assert lines and lines[0] == str(out / "openEO.nc")
    assert all(Path(line).is_file() and Path(line).is_relative_to(out) for line in lines)
    assert len(lines) == len(set(lines)) and any(line.endswith(".tif") for line in lines)
    assert not any(c in stdout for c in "{}[]'")


def test_run_local_is_the_run_result_lazily_and_twice(small_scene, small_data, run_out, monkeypatch):
    from openeo_cdse_local import chunks

    out, _ = run_out
    second = efast_udp.run_local(small_data, **arguments(small_scene))  # small: computed as the graph runs
    monkeypatch.setattr(chunks, "PERSIST_BYTES", 2**16)  # the 60 px cubes stay lazy, as a large scene's would
    first = efast_udp.run_local(small_data, **arguments(small_scene), chunk_px=32)
    assert band_names(first) and all(hasattr(first[name].data, "dask") for name in band_names(first))
    first = first.load()
    with xarray.open_dataset(out / "openEO.nc") as written:
        bands = band_names(written)
        assert bands == band_names(first) and "NDVI" in bands
        for name in bands:
            for local in (first, second):
                np.testing.assert_allclose(local[name].values, written[name].values, rtol=0, atol=1e-6,
                                           equal_nan=True, err_msg=name)
                assert local[name].attrs["units"] == written[name].attrs["units"]
        np.testing.assert_array_equal(first["t"].values, written["t"].values)
        assert first.attrs["Conventions"] == written.attrs["Conventions"] and "run_local" in first.attrs["history"]


def test_run_local_checks_like_run(small_scene, small_data, tmp_path):
    args = arguments(small_scene)
    with pytest.raises(UsageError, match=r"parameter 'spatial_extnt' does not exist \(did you mean 'spatial_extent'\?\)"):
        efast_udp.run_local(small_data, spatial_extnt=args.pop("spatial_extent"), **args)
    with pytest.raises(UsageError, match="parameter 'output_ndvi'"):
        efast_udp.run_local(small_data, **{**arguments(small_scene), "output_ndvi": "yes"})
    with pytest.raises(UsageError, match="data .*: expected a directory"):
        efast_udp.run_local(tmp_path / "missing", **arguments(small_scene))
    edited = efast_udp.load_udp()
    node = edited["process_graph"]["s3_smoothed"]["arguments"]["process"]["process_graph"]["runudf1"]
    node["arguments"]["udf"] += "\n# edited\n"
    with pytest.raises(UsageError, match="refusing to run the UDF of node 's3_smoothed/"):
        efast_udp.run_local(small_data, udp=edited, **arguments(small_scene))


# --- saved on openeo-driver's dummy back-end (its /validation does not look up a user's own
# processes; calls by namespace URL are tested in tests/test_site_backend.py) -----------------

@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with DummyBackend(driver_python(), tmp_path_factory.mktemp("backend")) as be:
        yield be


def test_save_user_defined_process_stores_the_released_definition(backend):
    connection = openeo.connect(backend.url, auto_validate=False, default_timeout=60, retry=False)
    connection.authenticate_basic("alice", "alice123")
    params, process_graph = efast_udp.create_efast_udp(connection)
    udp = connection.save_user_defined_process("efast", process_graph, parameters=params)
    stored = udp.describe()
    published = json.loads(LATEST_UDP.read_text())
    assert stored["parameters"] == published["parameters"], backend.log_tail()
    assert stored["process_graph"] == published["process_graph"]
    assert "efast" in [p["id"] for p in connection.list_user_defined_processes()]
