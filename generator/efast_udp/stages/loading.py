"""Loading Sentinel-2 L2A and Sentinel-3 SYN L2 from the CDSE collections (docs/algorithm.md).

Bands come from the UDP parameters; the graph adds what it needs itself (SCL for S2,
CLOUD_flags for S3) with ``array_concat``, so users never list helper bands and the pairing
of ``s2_data_bands`` with ``s3_data_bands`` is always by position of the two lists.
"""

from __future__ import annotations

from openeo.internal.graph_building import PGNode
from openeo.rest.datacube import DataCube

from efast_udp import constants as C
from efast_udp.pipeline import Pipeline
from efast_udp.parameters import ParameterSet


def _load(p: Pipeline, params: ParameterSet, collection: str, band_param: str, extra_band: str,
          prefix: str, extra_arguments: dict | None = None) -> DataCube:
    bands = p.name(PGNode("array_concat", array1=getattr(params, band_param).ref(), array2=[extra_band]),
                   f"{prefix}_bands")
    node = PGNode(
        "load_collection",
        id=collection,
        spatial_extent=params.spatial_extent.ref(),
        temporal_extent=params.temporal_extent.ref(),
        bands={"from_node": bands},
        **(extra_arguments or {}),
    )
    return DataCube(graph=node, connection=None)


def units_check(units: str) -> dict:
    """The ``context`` keys of a kernel's units check (``udfs/prelude.py`` ``check_units``): the
    units the collection delivers (``constants.S2_UNITS`` or ``S3_UNITS``) and the median limit
    that tells reflectance from digital numbers."""
    return {"units": units, "units_limit": C.UNITS_MEDIAN_LIMIT}


def load_s2(p: Pipeline, params: ParameterSet) -> DataCube:
    """S2 L2A: the ``s2_data_bands`` plus SCL, in digital numbers, on the 10 m S2 grid, in tiles of
    ``S2_TILE_PX`` (the CDSE ``tilesize`` feature flag: it bounds the fusion UDF's tiles)."""
    cube = _load(p, params, C.S2_COLLECTION, "s2_data_bands", C.S2_SCL_BAND, "s2",
                 {"featureflags": dict(C.S2_FEATUREFLAGS)})
    return p.stage("s2_input", cube, "Sentinel-2 L2A: s2_data_bands + SCL, digital numbers, 10 m, 128 px tiles.")


def load_s3(p: Pipeline, params: ParameterSet) -> DataCube:
    """S3 SYN L2: the ``s3_data_bands`` plus CLOUD_flags, binned with the CDSE featureflags; CDSE
    delivers them in reflectance (``constants.S3_UNITS``)."""
    cube = _load(p, params, C.S3_COLLECTION, "s3_data_bands", C.S3_FLAG_BAND, "s3",
                 {"featureflags": dict(C.S3_BINNING_FEATUREFLAGS)})
    return p.stage("s3_input", cube, "Sentinel-3 SYN L2: s3_data_bands + CLOUD_flags, reflectance, binned (CDSE).")
