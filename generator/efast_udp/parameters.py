"""The parameters of the EFAST UDP: names, meaning for the user, and precise schemas.

One small helper per schema kind (dates, intervals, band lists, bounded numbers); each
parameter below says what it means for the person calling the UDP. Names are the ones users
of the earlier openEO port already have in their code and never change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from openeo.api.process import Parameter
from openeo_cdse_local.temporal import DATE_PATTERN, DATETIME_PATTERN

from efast_udp import constants as C

_UNSET = object()


class UdpParameter(Parameter):
    """One parameter of the process definition (openEO API ``parameters[]`` item): the openeo
    client's ``Parameter``, optional exactly when it has a default (the client leaves that to
    the caller), so ``to_dict`` gives ``name, description, schema, optional, default``."""

    __slots__ = ()

    def __init__(self, name: str, description: str, schema: dict | list, default: Any = _UNSET):
        given = {} if default is _UNSET else {"default": default, "optional": True}
        super().__init__(name, description=description, schema=schema, **given)

    def ref(self) -> Parameter:
        """A reference usable in graph building; renders as ``{"from_parameter": name}``."""
        return self


# --- schema helpers: one per kind ----------------------------------------------------------------

def date_schema() -> dict:
    """A date ``YYYY-MM-DD`` (the form the back-end reads: ``openeo_cdse_local.temporal``)."""
    return {"type": "string", "subtype": "date", "format": "date", "pattern": DATE_PATTERN}


def date_time_schema() -> dict:
    """A UTC date-time ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``: CDSE fails on any offset."""
    return {"type": "string", "subtype": "date-time", "format": "date-time", "pattern": DATETIME_PATTERN}


def temporal_interval_schema() -> list:
    """Two dates or two date-times (never one of each: the back-end cannot compare them), as two
    alternative schemas; the end is excluded (openEO convention)."""
    return [_interval(date_schema(), "Two dates."), _interval(date_time_schema(), "Two UTC date-times.")]


def _interval(item: dict, description: str) -> dict:
    return {"type": "array", "subtype": "temporal-interval", "description": description, "uniqueItems": True,
            "minItems": 2, "maxItems": 2, "items": item}


def nullable(schema: dict | list, description: str = "Not set.") -> list:
    return [*(schema if isinstance(schema, list) else [schema]), {"type": "null", "description": description}]


def spatial_extent_schemas() -> list:
    """A bounding box (the Web Editor shows a map picker) or a GeoJSON geometry."""
    coordinate = {"type": "number"}
    return [
        {
            "title": "Bounding box",
            "type": "object",
            "subtype": "bounding-box",
            "required": ["west", "south", "east", "north"],
            "properties": {
                "west": {**coordinate, "description": "West (lower left x)."},
                "south": {**coordinate, "description": "South (lower left y)."},
                "east": {**coordinate, "description": "East (upper right x)."},
                "north": {**coordinate, "description": "North (upper right y)."},
                "crs": {
                    "description": "EPSG code of the coordinates; WGS 84 (4326) when omitted.",
                    "type": "integer",
                    "subtype": "epsg-code",
                    "minimum": 1000,
                    "default": 4326,
                },
            },
        },
        {"title": "GeoJSON", "type": "object", "subtype": "geojson"},
    ]


def band_list_schema(bands: Sequence[str]) -> dict:
    return {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "subtype": "band-name", "enum": list(bands)},
    }


def number_schema(*, minimum=None, exclusive_minimum=None, maximum=None, integer=False) -> dict:
    schema: dict = {"type": "integer" if integer else "number"}
    if minimum is not None:
        schema["minimum"] = minimum
    if exclusive_minimum is not None:
        schema["exclusiveMinimum"] = exclusive_minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


# --- the parameters ------------------------------------------------------------------------------

def build_parameters(defaults: dict) -> list[UdpParameter]:
    """All UDP parameters in the order users see them. ``defaults`` come from the settings."""
    return [
        UdpParameter(
            "spatial_extent",
            "Area to fuse, as a bounding box or a GeoJSON geometry. The output has the Sentinel-2 "
            "grid (10 m) over this area; Sentinel-3 is read over the same area.",
            spatial_extent_schemas(),
        ),
        UdpParameter(
            "temporal_extent",
            "Period of input data, `[start, end)`. Sentinel-2 and Sentinel-3 are loaded over this "
            "period and the Sentinel-3 composites cover all of it. Make it extend beyond the target "
            "dates (e.g. a month on each side) so every target date has cloud-free Sentinel-2 "
            "acquisitions before and after it.",
            temporal_interval_schema(),
        ),
        UdpParameter(
            "temporal_extent_target",
            "Period of the output dates, `[start, end)`, inside `temporal_extent`. Target dates are "
            "taken every `interval_days` from its start. `null`: use `temporal_extent`.",
            nullable(temporal_interval_schema(), "Use `temporal_extent`."),
            defaults["temporal_extent_target"],
        ),
        UdpParameter(
            "interval_days",
            "Days between two target dates, and between two Sentinel-3 composites.",
            number_schema(minimum=1, maximum=366, integer=True),
            defaults["interval_days"],
        ),
        UdpParameter(
            "target_time_series",
            "Explicit list of output dates. When given, it replaces the dates derived from "
            "`temporal_extent_target` and `interval_days`. Every date must lie in `temporal_extent`.",
            nullable({"type": "array", "minItems": 1, "uniqueItems": True, "items": date_schema()},
                     "Derive the dates from `temporal_extent_target` and `interval_days`."),
            defaults["target_time_series"],
        ),
        UdpParameter(
            "s2_data_bands",
            "Sentinel-2 L2A bands to fuse, each paired with the band at the same place in "
            "`s3_data_bands`; the scene classification (SCL) is loaded in addition, automatically.",
            band_list_schema(C.S2_REFLECTANCE_BANDS),
            list(defaults["s2_data_bands"]),
        ),
        UdpParameter(
            "s3_data_bands",
            "Sentinel-3 SYN L2 reflectance bands, one per entry of `s2_data_bands`, in the same "
            "order (the defaults pair `B02`, `B03`, `B04`, `B8A` with `Oa04`, `Oa06`, `Oa08`, `Oa17`). The cloud flag "
            "band is added by the process itself; do not list it.",
            band_list_schema(C.S3_REFLECTANCE_BANDS),
            list(defaults["s3_data_bands"]),
        ),
        UdpParameter(
            "fused_band_names",
            "Names of the output bands, one per entry of `s2_data_bands`. `null`: the Sentinel-2 "
            "band names.",
            nullable({"type": "array", "minItems": 1, "uniqueItems": True,
                      "items": {"type": "string", "minLength": 1}},
                     "Use the Sentinel-2 band names."),
            defaults["fused_band_names"],
        ),
        UdpParameter(
            "output_ndvi",
            f"Add a band `{C.NDVI_BAND_NAME}` = (NIR − red) / (NIR + red) computed from the fused "
            f"`{C.NDVI_NIR_BAND}` and `{C.NDVI_RED_BAND}`; both must be in `s2_data_bands`.",
            {"type": "boolean"},
            defaults["output_ndvi"],
        ),
        UdpParameter(
            "temporal_score_stddev",
            "Standard deviation (days) of the Gaussian weight of a Sentinel-2 acquisition by its "
            "distance in time to the target date: the paper's smoothing parameter *s* (Section 2.5). "
            "Larger values blend more acquisitions.",
            number_schema(exclusive_minimum=0, maximum=366),
            defaults["temporal_score_stddev"],
        ),
        UdpParameter(
            "s3_temporal_score_stddev",
            "Standard deviation (days) of the Gaussian weight of a Sentinel-3 observation in the "
            "Sentinel-3 composites.",
            number_schema(exclusive_minimum=0, maximum=366),
            defaults["s3_temporal_score_stddev"],
        ),
        UdpParameter(
            "max_distance_to_cloud_m",
            "Distance to the nearest cloud (metres) beyond which a pixel gets the full "
            "distance-to-cloud score of 1; closer pixels are down-weighted linearly "
            f"(score = `clip((d − 1) / D, 0, 1)`, *d* and *D* in {C.COARSE_PIXEL_SIZE_M:g} m pixels). "
            f"At most {C.MAX_MAX_DISTANCE_TO_CLOUD_M:g} m, the distance the processing "
            "neighbourhoods are sized for.",
            number_schema(exclusive_minimum=0, maximum=C.MAX_MAX_DISTANCE_TO_CLOUD_M),
            defaults["max_distance_to_cloud_m"],
        ),
        UdpParameter(
            "cloud_tolerance",
            f"Fraction of invalid (cloud, shadow, cirrus, snow, no data) Sentinel-2 pixels from which "
            f"a {C.COARSE_PIXEL_SIZE_M:g} m cell counts as cloudy for the distance-to-cloud score.",
            number_schema(exclusive_minimum=0, maximum=1),
            defaults["cloud_tolerance"],
        ),
    ]


def default_values() -> dict:
    """The built-in defaults (overridable by the generator settings)."""
    return {
        "temporal_extent_target": None,
        "interval_days": C.DEFAULT_INTERVAL_DAYS,
        "target_time_series": None,
        "s2_data_bands": list(C.DEFAULT_S2_BANDS),
        "s3_data_bands": list(C.DEFAULT_S3_BANDS),
        "fused_band_names": None,
        "output_ndvi": False,
        "temporal_score_stddev": C.DEFAULT_TEMPORAL_SCORE_STDDEV,
        "s3_temporal_score_stddev": C.DEFAULT_S3_TEMPORAL_SCORE_STDDEV,
        "max_distance_to_cloud_m": C.DEFAULT_MAX_DISTANCE_TO_CLOUD_M,
        "cloud_tolerance": C.DEFAULT_CLOUD_TOLERANCE,
    }


@dataclass
class ParameterSet:
    """The parameters by name, for graph building: ``params.interval_days.ref()``."""

    items: list[UdpParameter] = field(default_factory=list)

    def __getattr__(self, name: str) -> UdpParameter:
        if name.startswith("__") or name == "items":  # copy/pickle probe an instance without fields yet
            raise AttributeError(name)
        for p in self.items:
            if p.name == name:
                return p
        raise AttributeError(name)

    def refs(self, *names: str) -> dict:
        """``{name: {"from_parameter": name}}`` for a node's ``context``."""
        return {n: getattr(self, n).ref() for n in names}
