"""What the back-end's ``load_collection`` delivers for the collections it knows, per collection id.

Each ``Profile`` states, with the file and function it comes from, the grid a collection is
loaded on, its values' units and no-data, and how its time labels are made. Collections without
a profile (tests, other data) are loaded on their file's own grid, values as stored.

Sources: openeo-geopyspark-driver (``registry.BACKEND_COMMITS``) and the CDSE layer catalogue
as last published (openeo-geotrellis-kubernetes ``docker/creo_layercatalog.json`` at 1af8b880,
2025-02-14; newer catalogues are private configuration).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    id: str
    #: the CRS the back-end loads it in: ``"utm"`` = the best UTM zone of the extent (the
    #: catalogue's "AUTO:42001"), else an EPSG code
    crs: object
    #: the catalogue's pixel step (m in UTM, degrees in EPSG:4326)
    step: float
    #: whether the back-end realigns the load extent to the pixel step (catalogue ``realign``)
    realign: bool
    #: what the values are when a UDF sees them
    units: str
    #: a stored value that the back-end turns into no data (NaN), besides NaN itself
    nodata: float | None
    #: how acquisition times become labels: ``"day"`` (00:00 UTC of the day) or ``"minute"``
    #: (floored to the minute)
    labels: str

    @property
    def is_utm(self) -> bool:
        return self.crs == "utm"


#: Sentinel-2 L2A: ``file-s2`` layer in the best UTM zone at 10 m, realigned; uint16 digital
#: numbers (reflectance x 10000) with NoData 0, which becomes NaN when tiles are converted to
#: float32 (``openeogeotrellis/layercatalog.py`` ``load_collection`` UTM branch;
#: ``geopysparkdatacube.py`` ``convert_data_type``); labels at 00:00 UTC of the acquisition day
#: (geotrellis-extensions ``FileLayerProvider``).
SENTINEL2_L2A = Profile("SENTINEL2_L2A", "utm", 10.0, True, "digital numbers (reflectance x 10000; SCL classes)",
                        0.0, "day")

#: Sentinel-3 SYN L2: ``file-s3`` layer, always EPSG:4326 at 1/336 degree, not realigned, read
#: per product by ``openeogeotrellis/collections/sentinel3.py`` (``pyramid``, ``read_product``)
#: with ``digital_numbers = False``: each band's ``scale_factor``/``add_offset`` applied, so the
#: values are reflectance (float32, NaN = no data); labels are the product time floored to the
#: minute (``_instant_ms_to_minute``), several a day.
SENTINEL3_SYN_L2_SYN = Profile("SENTINEL3_SYN_L2_SYN", 4326, 0.00297619047619, False,
                               "reflectance (CLOUD_flags: bit flags, binned as a mean)", None, "minute")

PROFILES = {p.id: p for p in (SENTINEL2_L2A, SENTINEL3_SYN_L2_SYN)}


def profile(collection_id: str) -> Profile | None:
    return PROFILES.get(collection_id)
