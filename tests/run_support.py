"""Shared helpers of the tests that run the UDP locally: the ``efast-udp run`` command line of a
call on a (demo) scene, the call's required arguments (``base``), and the small scene and its data
as the fixtures ``scene`` and ``data_dir``. Test modules import the fixtures they use."""

from __future__ import annotations

import json

import pytest

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
