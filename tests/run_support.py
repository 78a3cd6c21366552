"""Shared helpers of the tests that run the UDP locally: the ``efast-udp run`` command line of a
call on a (demo) scene, the call's required arguments (``base``), and the small scene and its data
as the fixtures ``scene`` and ``data_dir``; a scene folder with its parameters file
(``scene_dir``) and the threaded run on it (``threaded``), whose outputs the other schedulers and
``--params`` must give; and the released UDP with its smoothing UDF edited (``edited_udp``). Test
modules import the fixtures they use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray

from conftest import SMALL_SCENE
from efast_udp.demo.scene import SceneConfig, make_scene
from efast_udp.local.runner import run_udp
from efast_udp.project import LATEST_UDP


def argv(scene, data, out, *extra, udp=LATEST_UDP):
    params = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    args = ["run", "--udp", str(udp), "--data", str(data), "--out", str(out), "--quiet", "--chunk-px", "32"]
    return args + [f"--param={k}={json.dumps(v)}" for k, v in params.items()] + list(extra)


@pytest.fixture(scope="module")
def scene(small_scene):
    return small_scene


@pytest.fixture(scope="module")
def data_dir(small_data):
    return small_data


def base(scene) -> dict:
    return {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent}


@pytest.fixture(scope="module")
def scene_dir(tmp_path_factory):
    scene = make_scene(SceneConfig(**SMALL_SCENE))
    path = tmp_path_factory.mktemp("scene")
    scene.write(path / "data")
    params = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    (path / "parameters.json").write_text(json.dumps(params))
    return path, params


@pytest.fixture(scope="module")
def threaded(scene_dir, tmp_path_factory):
    path, params = scene_dir
    out = tmp_path_factory.mktemp("threads")
    run_udp(LATEST_UDP, path / "data", params, out, chunk_px=32)
    return out


def values(out: Path) -> dict:
    with xarray.open_dataset(out / "openEO.nc") as ds:
        return {name: ds[name].values for name in ds.data_vars}


def edited_udp(tmp_path, edit) -> Path:
    doc = json.loads(LATEST_UDP.read_text())
    node = doc["process_graph"]["s3_smoothed"]["arguments"]["process"]["process_graph"]["runudf1"]
    node["arguments"]["udf"] = edit(node["arguments"]["udf"])
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return path
