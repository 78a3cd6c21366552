"""A small hand-made UDP shaped like the real EFAST one (parameters, S2 + S3 loads with the
non-standard ``featureflags`` and ``bands`` from an ``array_concat`` node, UDFs), and a fake
project tree (``udp/``, ``CHANGELOG.md``) around it for the site tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path

BASE_URL = "https://efast-udp.github.io/efast-udp"

EXAMPLE_ARGUMENTS = {
    "spatial_extent": {"west": -15.6, "south": 15.3, "east": -15.4, "north": 15.5, "crs": "EPSG:4326"},
    "temporal_extent": ["2022-09-07", "2022-09-27"],
    "temporal_extent_target": ["2022-09-12", "2022-09-22"],
    "interval_days": 5,
}

PARAMETERS = [
    {
        "name": "spatial_extent",
        "description": "Area of interest.",
        "schema": {"type": "object", "subtype": "bounding-box"},
    },
    {
        "name": "temporal_extent",
        "description": "Input period `[start, end)`; extend it beyond the targets.",
        "schema": {
            "type": "array",
            "subtype": "temporal-interval",
            "minItems": 2,
            "maxItems": 2,
            "items": {"type": ["string", "null"], "format": "date"},
        },
    },
    {
        "name": "temporal_extent_target",
        "description": "Target period; defaults to `temporal_extent`.",
        "schema": [{"type": "array", "subtype": "temporal-interval", "items": {"type": ["string", "null"]}}, {"type": "null"}],
        "optional": True,
        "default": None,
    },
    {
        "name": "interval_days",
        "description": "Days between target dates.",
        "schema": {"type": "integer", "minimum": 1},
        "optional": True,
        "default": 5,
    },
    {
        "name": "s2_data_bands",
        "description": "Sentinel-2 bands to fuse.",
        "schema": {"type": "array", "items": {"type": "string"}},
        "optional": True,
        "default": ["B02", "B03", "B04", "B8A"],
    },
    {
        "name": "s3_data_bands",
        "description": "Sentinel-3 bands, paired with `s2_data_bands` in order.",
        "schema": {"type": "array", "items": {"type": "string"}},
        "optional": True,
        "default": ["Syn_Oa04_reflectance", "Syn_Oa06_reflectance", "Syn_Oa08_reflectance", "Syn_Oa17_reflectance"],
    },
    {
        "name": "output_ndvi",
        "description": "Add an NDVI band <b>computed</b> from the fused B8A and B04.",
        "schema": {"type": "boolean"},
        "optional": True,
        "default": False,
    },
]

UDF = "import xarray\n\ndef apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:\n    return cube\n"


def process_graph() -> dict:
    p = lambda name: {"from_parameter": name}  # noqa: E731
    return {
        "s2bands": {"process_id": "array_concat", "arguments": {"array1": p("s2_data_bands"), "array2": ["SCL"]}},
        "loads2": {
            "process_id": "load_collection",
            "arguments": {
                "id": "SENTINEL2_L2A",
                "spatial_extent": p("spatial_extent"),
                "temporal_extent": p("temporal_extent"),
                "bands": {"from_node": "s2bands"},
            },
        },
        "s3bands": {"process_id": "array_concat", "arguments": {"array1": p("s3_data_bands"), "array2": ["CLOUD_flags"]}},
        "loads3": {
            "process_id": "load_collection",
            "arguments": {
                "id": "SENTINEL3_SYN_L2_SYN",
                "spatial_extent": p("spatial_extent"),
                "temporal_extent": p("temporal_extent"),
                "bands": {"from_node": "s3bands"},
                "featureflags": {
                    "reprojection_type": "binning",
                    "super_sampling": 2,
                    "flag_band": "CLOUD_flags",
                    "flag_bitmask": 255,
                },
            },
        },
        "s3composite": {
            "process_id": "run_udf",
            "arguments": {
                "data": {"from_node": "loads3"},
                "udf": UDF,
                "runtime": "Python",
                "context": {"interval_days": p("interval_days"), "target": p("temporal_extent_target")},
            },
        },
        "resample": {
            "process_id": "resample_cube_spatial",
            "arguments": {"data": {"from_node": "s3composite"}, "target": {"from_node": "loads2"}, "method": "bilinear"},
        },
        "merge": {
            "process_id": "merge_cubes",
            "arguments": {"cube1": {"from_node": "loads2"}, "cube2": {"from_node": "resample"}},
        },
        "fuse": {
            "process_id": "run_udf",
            "arguments": {
                "data": {"from_node": "merge"},
                "udf": UDF,
                "runtime": "Python",
                "context": {"output_ndvi": p("output_ndvi"), "s2_bands": p("s2_data_bands")},
            },
            "result": True,
        },
    }


def make_udp(version: str, base_url: str = BASE_URL, summary: str = "EFAST: fused Sentinel-2/Sentinel-3 time series") -> dict:
    return {
        "id": "efast",
        "summary": summary,
        "description": (
            "Fuses **Sentinel-2** and **Sentinel-3** time series ([Senty et al. 2024](https://doi.org/10.3390/rs16111833)).\n\n"
            "## Steps\n\n1. cloud masks\n2. composites\n3. fusion `F = LR_p + HR_m - LR_m`\n\n"
            "<script>alert('not rendered')</script>\n"
        ),
        "categories": ["cubes", "optical"],
        "parameters": copy.deepcopy(PARAMETERS),
        "returns": {
            "description": "Fused data cube.",
            "schema": {"type": "object", "subtype": "datacube", "dimensions": [{"type": "spatial", "axis": ["x", "y"]}, {"type": "temporal"}, {"type": "bands"}]},
        },
        "examples": [{"title": "Senegal", "arguments": copy.deepcopy(EXAMPLE_ARGUMENTS)}],
        "links": [
            {"rel": "canonical", "href": f"{base_url}/{version}/efast.json", "type": "application/json", "title": f"efast {version}"},
            {"rel": "latest-version", "href": f"{base_url}/efast.json", "type": "application/json", "title": "Latest version"},
            {"rel": "cite-as", "href": "https://doi.org/10.3390/rs16111833", "title": "Senty et al. (2024)"},
        ],
        "default_job_options": {"executor-memory": "4G"},
        "process_graph": process_graph(),
    }


def dump(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def changelog(versions) -> str:
    text = "# Changelog\n\nAll notable changes to the EFAST UDP.\n\n## [Unreleased]\n"
    for i, v in enumerate(sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")), reverse=True)):
        text += f"\n## [{v}] - 2025-0{9 - i}-15\n### Changed\n- Change number {len(versions) - i} (`{v}`).\n"
    return text


def make_project(root: Path, versions: tuple[str, ...] = ("0.1.0",)) -> Path:
    """Write ``udp/releases/<v>/efast.json`` for each version, ``udp/efast.json`` (the highest) and a
    ``CHANGELOG.md`` under ``root``; returns ``root``."""
    releases = root / "udp" / "releases"
    for i, v in enumerate(versions):
        (releases / v).mkdir(parents=True, exist_ok=True)
        (releases / v / "efast.json").write_text(dump(make_udp(v, summary=f"EFAST fusion, release {i + 1}")), encoding="utf-8")
    latest = max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    (root / "udp" / "efast.json").write_bytes((releases / latest / "efast.json").read_bytes())
    (root / "CHANGELOG.md").write_text(changelog(versions), encoding="utf-8")
    return root
