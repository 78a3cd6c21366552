"""Sentinel-3 composites over the whole input period, then NaN-aware smoothing
(Sections 2.4/2.5; docs/algorithm.md).

Composites are computed over all of ``temporal_extent`` (not only the target period), so
every S2 acquisition date has S3 composites on both sides to be interpolated from.
"""

from __future__ import annotations

from openeo.rest.datacube import DataCube

from efast_udp import constants as C
from efast_udp.pipeline import Pipeline
from efast_udp.parameters import ParameterSet
from efast_udp.stages.distance_score import SCORE_BAND
from efast_udp.stages.loading import units_check
from efast_udp.udf_source import udf_node


def s3_composites(p: Pipeline, params: ParameterSet, s3_coarse: DataCube, s3_score: DataCube) -> DataCube:
    """Score- and time-weighted S3 composites every ``interval_days``, in reflectance. The score
    comes first in the merge: merge_cubes keeps the first cube's layout (the neighbourhood's
    128 px tiles), which sets the compositing UDF's tiles on the back-end."""
    data = p.stage("s3_data", s3_coarse.filter_bands(params.s3_data_bands.ref()),
                   "Sentinel-3 reflectance bands on the coarse grid.")
    scored = p.stage("s3_scored", s3_score.merge_cubes(data), "S3 distance-to-cloud score + reflectance bands.")
    context = {
        **params.refs("temporal_extent", "interval_days"),
        "sigma_days": params.s3_temporal_score_stddev.ref(),
        "score_band": SCORE_BAND,
        **units_check(C.S3_UNITS),
        "max_temporal_extent_days": C.MAX_TEMPORAL_EXTENT_DAYS,
    }
    cube = scored.apply_dimension(process=udf_node("compositing", context), dimension="t", context=context)
    return p.stage("s3_composite", cube, "S3 composites every interval_days over temporal_extent.")


def smoothed(p: Pipeline, composites: DataCube) -> DataCube:
    """5 x 5 Gaussian smoothing normalised by the valid neighbours."""
    size = [{"dimension": d, "value": C.SMOOTHING_CHUNK_PX, "unit": "px"} for d in ("x", "y")]
    overlap = [{"dimension": d, "value": C.SMOOTHING_OVERLAP_PX, "unit": "px"} for d in ("x", "y")]
    context = {"kernel_size": C.SMOOTHING_KERNEL_SIZE, "sigma_px": C.SMOOTHING_SIGMA_PX}
    cube = composites.apply_neighborhood(process=udf_node("smoothing", context), size=size, overlap=overlap,
                                         context=context)
    return p.stage("s3_smoothed", cube, "S3 composites smoothed (NaN-aware 5x5 Gaussian).")
