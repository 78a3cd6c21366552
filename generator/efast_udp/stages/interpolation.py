"""Sentinel-3 composites interpolated to the S2 dates and the target dates
(docs/algorithm.md), then brought to the S2 grid.

Merging the composites with the S2 score tells the interpolation UDF the S2 dates; its output
(LR at S2 and target dates, the S2 score, the target marker) is upsampled bilinearly to 10 m,
as the authors upsample the coarse weights and the S3 values.
"""

from __future__ import annotations

from openeo.rest.datacube import DataCube

from efast_udp.pipeline import Pipeline
from efast_udp.parameters import ParameterSet
from efast_udp.stages.distance_score import SCORE_BAND
from efast_udp.udf_source import udf_node

TARGET_BAND = "target"


def lr_series(p: Pipeline, params: ParameterSet, s3_smoothed: DataCube, s2_score: DataCube) -> DataCube:
    merged = p.stage("lr_input", s3_smoothed.merge_cubes(s2_score),
                     "S3 composites merged with the S2 score (coarse grid).")
    context = {
        **params.refs("temporal_extent", "temporal_extent_target", "interval_days", "target_time_series"),
        "score_band": SCORE_BAND,
        "target_band": TARGET_BAND,
    }
    cube = merged.apply_dimension(process=udf_node("interpolation", context), dimension="t", context=context)
    return p.stage("lr_series", cube, "S3 at the S2 dates and target dates, S2 score, target marker.")


def lr_on_s2_grid(p: Pipeline, lr: DataCube, s2_input: DataCube) -> DataCube:
    cube = lr.resample_cube_spatial(target=s2_input, method="bilinear")
    return p.stage("lr_fine", cube, "Low-resolution series upsampled bilinearly to the S2 grid.")
