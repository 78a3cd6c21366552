"""Shared helpers of the tests of ``efast-udp run``'s outputs: the call on the small scene
(``argv(data, out, scene, ...)``, in this order, unlike ``run_support.argv``), (the session's one run of it,
``run_out``, is conftest's, so that the modules share it), and a private copy of its folder to rerun into and to tamper with
(``copy_of``). Test modules import the fixtures they use."""

from __future__ import annotations

import json
import shutil

import pytest

from efast_udp.project import LATEST_UDP

BANDS = ["B02", "B03", "B04", "B8A", "NDVI"]


def params(scene) -> dict:
    return {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}


def argv(data, out, scene, *extra) -> list[str]:
    args = ["run", "--udp", str(LATEST_UDP), "--data", str(data), "--out", str(out), "--quiet", "--chunk-px", "32"]
    return args + [f"--param={k}={json.dumps(v)}" for k, v in params(scene).items()] + list(extra)


@pytest.fixture
def copy_of(run_out, tmp_path):
    """A private copy of the run's folder (marker included), to rerun into and to tamper with."""
    out = tmp_path / "out"
    shutil.copytree(run_out, out)
    return out


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err
