"""Distance-to-cloud scores on the coarse grid (Section 2.4; docs/algorithm.md).

One UDF (``efast_udp.udfs.distance_score``: threshold, distance transform and ramp) under
``apply_neighborhood``, for S2 (invalid fraction >= ``cloud_tolerance``) and for S3 (the binned
CLOUD_flags band alone: on the back-end every call gets all labels and all bands of a tile, so a
neighbourhood is sent only the band it needs). Neighbourhood size and overlap are static in openEO, so the overlap is sized
for the largest allowed ``max_distance_to_cloud_m``: ⌈D_max⌉ + 1 coarse px, exactly what makes
the chunked score equal to the unchunked one, and no more.
"""

from __future__ import annotations

from openeo.rest.datacube import THIS, DataCube

from efast_udp import constants as C
from efast_udp.pipeline import Pipeline
from efast_udp.parameters import ParameterSet
from efast_udp.udf_source import udf_node

SCORE_BAND = "score"


def _neighbourhood(px: int) -> list[dict]:
    return [{"dimension": d, "value": px, "unit": "px"} for d in ("x", "y")]


def _scored(cube: DataCube, context: dict) -> DataCube:
    return cube.apply_neighborhood(
        process=udf_node("distance_score", context),
        size=_neighbourhood(C.DISTANCE_CHUNK_PX),
        overlap=_neighbourhood(C.distance_overlap_px()),
        context=context,
    )


def _renamed(cube: DataCube, mask_band: str) -> DataCube:
    """The mask band, now holding the score, gets the name ``score``."""
    return cube.process("rename_labels", data=THIS, dimension="bands", target=[SCORE_BAND], source=[mask_band])


def _score_stage(p: Pipeline, params: ParameterSet, cube: DataCube, mask_band: str, kind: dict,
                 names: tuple[str, str], descriptions: tuple[str, str]) -> DataCube:
    """The score UDF on ``cube`` (mask in ``mask_band``, what the mask kind needs in ``kind``),
    registered as ``names[0]``; its mask band renamed ``score`` as ``names[1]``."""
    context = {"mask_band": mask_band, **kind, "max_distance_to_cloud_m": params.max_distance_to_cloud_m.ref(),
               "pixel_size_m": C.COARSE_PIXEL_SIZE_M}
    raw = p.stage(names[0], _scored(cube, context), descriptions[0])
    return p.stage(names[1], _renamed(raw, mask_band), descriptions[1])


def s2_score(p: Pipeline, params: ParameterSet, invalid_fraction: DataCube) -> DataCube:
    """Score of each coarse cell at each S2 date; band ``score``."""
    kind = {"mask_kind": "fraction", "cloud_tolerance": params.cloud_tolerance.ref(),
            "fraction_scale": C.S2_INVALID_MARK}
    return _score_stage(p, params, invalid_fraction, C.S2_SCL_BAND, kind, ("s2_distance_score", "s2_score"),
                        ("S2 distance-to-cloud score (still labelled SCL).",
                         "S2 distance-to-cloud score per coarse cell and S2 date."))


def s3_score(p: Pipeline, params: ParameterSet, s3_coarse: DataCube) -> DataCube:
    """The score of each coarse cell at each S3 acquisition, from CLOUD_flags alone; band ``score``."""
    flags = p.stage("s3_flags", s3_coarse.filter_bands([C.S3_FLAG_BAND]), "Sentinel-3 CLOUD_flags (binned) alone.")
    kind = {"mask_kind": "binned_flags", "cloudy_above": C.S3_CLOUDY_FLAG_MEAN}
    return _score_stage(p, params, flags, C.S3_FLAG_BAND, kind, ("s3_distance_score", "s3_score"),
                        ("S3 distance-to-cloud score (still labelled CLOUD_flags).",
                         "S3 distance-to-cloud score per coarse cell and S3 acquisition."))
