"""Fusion (Sections 2.3/2.5, Eq. 2; docs/algorithm.md) at Sentinel-2 resolution.

One UDF computes the weighted S2 and S3 mosaics at every target date and fuses them band by
band; band pairing and output names come from the UDP parameters through the context.
"""

from __future__ import annotations

from openeo.rest.datacube import DataCube

from efast_udp import constants as C
from efast_udp.pipeline import Pipeline
from efast_udp.parameters import ParameterSet
from efast_udp.stages.distance_score import SCORE_BAND
from efast_udp.stages.interpolation import TARGET_BAND
from efast_udp.stages.loading import units_check
from efast_udp.udf_source import udf_node


def fused(p: Pipeline, params: ParameterSet, s2_input: DataCube, lr_fine: DataCube) -> DataCube:
    merged = p.stage("fusion_input", s2_input.merge_cubes(lr_fine),
                     "S2 (digital numbers + SCL) merged with the upsampled low-resolution series.")
    context = {
        "s2_bands": params.s2_data_bands.ref(),
        "s3_bands": params.s3_data_bands.ref(),
        **params.refs("fused_band_names", "output_ndvi"),
        "sigma_days": params.temporal_score_stddev.ref(),
        "scl_band": C.S2_SCL_BAND,
        "invalid_scl": list(C.S2_INVALID_SCL_CLASSES),
        "scale": C.S2_REFLECTANCE_SCALE,
        **units_check(C.S2_UNITS),
        "score_band": SCORE_BAND,
        "target_band": TARGET_BAND,
        "ndvi_red": C.NDVI_RED_BAND,
        "ndvi_nir": C.NDVI_NIR_BAND,
        "ndvi_band": C.NDVI_BAND_NAME,
    }
    cube = merged.apply_dimension(process=udf_node("fusion", context), dimension="t", context=context)
    return p.stage("fused", cube, "Fused S2-resolution series at the target dates (+ NDVI).")
