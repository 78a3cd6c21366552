"""The EFAST process definition: the graph of all stages plus the metadata users read.

``build_udp()`` is the whole generator: it builds the graph offline with the openeo client
(``connection=None``) and returns the process definition as a dict whose key order is fixed,
so the rendered JSON is byte-identical on every run and machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from openeo.rest.datacube import DataCube

from efast_udp import constants as C
from efast_udp.errors import UsageError
from efast_udp.pipeline import Pipeline
from efast_udp.parameters import ParameterSet, build_parameters, default_values
from efast_udp.project import UDP_FILE
from efast_udp.settings import Settings
from efast_udp.stages import cloud_masks, compositing, distance_score, fusion, interpolation, loading
from efast_udp.templates import render

PROCESS_ID = "efast"
#: One line, under 60 characters and without a final period (openEO process linter).
SUMMARY = "EFAST: fuse Sentinel-2 and Sentinel-3 into a 10 m series"
CATEGORIES = ["cubes", "optical", "time series", "data fusion", "import"]
RETURNS = {
    "description": "A raster data cube on the Sentinel-2 grid over `spatial_extent`, with one "
                   "label per target date in `t` and the fused bands (plus `NDVI` if requested) "
                   "in `bands`, in surface reflectance.",
    "schema": {
        "type": "object",
        "subtype": "datacube",
        "dimensions": [{"type": "spatial", "axis": ["x", "y"]}, {"type": "temporal"}, {"type": "bands"}],
    },
}


@dataclass
class EfastGraph:
    pipeline: Pipeline
    result: DataCube


def build_graph(params: ParameterSet) -> EfastGraph:
    """The complete EFAST chain (docs/algorithm.md), stage by stage."""
    p = Pipeline()
    s2 = loading.load_s2(p, params)
    coarse_invalid = cloud_masks.s2_invalid_fraction(p, s2)
    s2_score = distance_score.s2_score(p, params, coarse_invalid)
    s3 = loading.load_s3(p, params)
    s3_coarse = cloud_masks.s3_on_coarse_grid(p, s3, coarse_invalid)
    s3_score = distance_score.s3_score(p, params, s3_coarse)
    composites = compositing.s3_composites(p, params, s3_coarse, s3_score)
    smooth = compositing.smoothed(p, composites)
    lr = interpolation.lr_series(p, params, smooth, s2_score)
    lr_fine = interpolation.lr_on_s2_grid(p, lr, s2)
    result = fusion.fused(p, params, s2, lr_fine)
    return EfastGraph(p, result)


def example_call() -> dict:
    """The arguments of the UDP's example call (a rangeland site in Senegal, September 2022)."""
    return {
        "spatial_extent": dict(C.EXAMPLE_SPATIAL_EXTENT),
        "temporal_extent": list(C.EXAMPLE_TEMPORAL_EXTENT),
        "temporal_extent_target": list(C.EXAMPLE_TARGET_EXTENT),
        "interval_days": C.DEFAULT_INTERVAL_DAYS,
    }


def links(settings: Settings, version: str, predecessor: str | None) -> list[dict]:
    items = [
        {"rel": "cite-as", "href": C.PAPER_DOI_URL, "type": "text/html", "title": C.PAPER_CITATION},
        {"rel": "canonical", "href": settings.url(version, UDP_FILE), "type": "application/json",
         "title": f"EFAST UDP {version} (this version, immutable)"},
        {"rel": "latest-version", "href": settings.url(UDP_FILE), "type": "application/json",
         "title": "EFAST UDP, latest version"},
    ]
    if predecessor:
        items.append({"rel": "predecessor-version", "href": settings.url(predecessor, UDP_FILE),
                      "type": "application/json", "title": f"EFAST UDP {predecessor}"})
    items += [
        {"rel": "about", "href": settings.url(""), "type": "text/html", "title": "Documentation and all versions"},
        {"rel": "about", "href": settings.source_repository, "type": "text/html",
         "title": "Source repository of the generator"},
    ]
    return items


def build_udp(settings: Settings, version: str, predecessor: str | None = None,
              until: str | None = None) -> dict:
    """The process definition. ``until``: cut the graph at that intermediate (debugging)."""
    parameters = build_parameters(settings.defaults)
    graph = build_graph(ParameterSet(parameters))
    result = graph.result
    if until is not None:
        if until not in graph.pipeline.stages:
            raise UsageError(f"--until {until!r}: unknown intermediate; see --list-intermediates")
        result = graph.pipeline.stages[until].cube
    return {
        "id": PROCESS_ID,
        "summary": SUMMARY,
        "description": render("description.md.j2", version=version, C=C, settings=settings, until=until),
        "categories": CATEGORIES,
        "parameters": [p.to_dict() for p in parameters],
        "returns": RETURNS,
        "examples": [{
            "title": "Senegal rangeland, September 2022",
            "description": "Fused B02, B03, B04, B8A every 2 days from 7 to 25 September 2022 over a "
                           "rangeland site in Senegal, from input data one month either side.",
            "arguments": example_call(),
        }],
        "links": links(settings, version, predecessor),
        "default_job_options": dict(C.DEFAULT_JOB_OPTIONS),
        "process_graph": graph.pipeline.flat_graph(result),
    }


def intermediates() -> list[tuple[str, str]]:
    """(name, description) of every stage, in pipeline order."""
    graph = build_graph(ParameterSet(build_parameters(default_values())))
    return [(s.name, s.description) for s in graph.pipeline.stages.values()]
