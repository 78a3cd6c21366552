"""Cloud masks (Section 2.2; docs/algorithm.md) and the coarse grid they are summarised on.

S2: a 10 m pixel is invalid where SCL is one of ``S2_INVALID_SCL_CLASSES``; the percentage of
invalid pixels per 300 m cell (``resample_spatial`` average) defines the coarse grid all
low-resolution work happens on. S3: loaded with binning (flagged pixels dropped before binning)
and brought onto that coarse grid; its flags are evaluated in the distance-score UDF.
"""

from __future__ import annotations

from openeo.processes import ProcessBuilder, if_, or_
from openeo.rest.datacube import THIS, DataCube

from efast_udp import constants as C
from efast_udp.pipeline import Pipeline


def scl_is_invalid(x: ProcessBuilder) -> ProcessBuilder:
    """``S2_INVALID_MARK`` (100) where the SCL class is an invalid one, else 0 (no UDP
    parameter inside: see the design rules in docs/generator.md)."""
    condition = None
    for scl_class in C.S2_INVALID_SCL_CLASSES:
        test = x == scl_class
        condition = test if condition is None else or_(condition, test)
    return if_(condition, C.S2_INVALID_MARK, 0)


def s2_invalid_fraction(p: Pipeline, s2_input: DataCube) -> DataCube:
    """Fraction of invalid S2 pixels per coarse cell: the coarse grid (S2 CRS, 300 m)."""
    scl = p.stage("s2_scl", s2_input.filter_bands([C.S2_SCL_BAND]), "Sentinel-2 scene classification.")
    invalid = p.stage("s2_invalid", scl.apply(scl_is_invalid),
                      "100 where the S2 pixel is invalid, 0 where valid (Section 2.2).")
    # generic call: the client's resample_spatial() would guess cube metadata we don't have offline
    fraction = invalid.process("resample_spatial", data=THIS, resolution=C.COARSE_PIXEL_SIZE_M, method="average")
    return p.stage("s2_invalid_fraction", fraction,
                   "Percentage of invalid S2 pixels per 300 m cell, on the coarse grid.")


def s3_on_coarse_grid(p: Pipeline, s3_input: DataCube, coarse_grid: DataCube) -> DataCube:
    """S3 resampled onto the coarse grid (the binning featureflags replace nearest neighbour)."""
    cube = s3_input.resample_cube_spatial(target=coarse_grid, method="near")
    return p.stage("s3_coarse", cube, "Sentinel-3 on the coarse grid (S2 CRS, 300 m).")
