"""Shared helpers of the tests that run the UDP locally: the ``efast-udp run`` command line of a
call on a (demo) scene."""

from __future__ import annotations

import json

from efast_udp.project import LATEST_UDP


def argv(scene, data, out, *extra, udp=LATEST_UDP):
    params = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    args = ["run", "--udp", str(udp), "--data", str(data), "--out", str(out), "--quiet", "--chunk-px", "32"]
    return args + [f"--param={k}={json.dumps(v)}" for k, v in params.items()] + list(extra)
