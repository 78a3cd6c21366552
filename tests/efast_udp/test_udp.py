"""efast_udp.udp: the process definition's metadata, links and examples, where its parameters
are used, the shape of its graph and the graph cut at an intermediate."""

import math

from efast_udp import constants as C
from efast_udp.project import project_version
from efast_udp.settings import Settings
from efast_udp.udp import build_udp
from udp_support import udp, walk_nodes

CALLBACK_PARAMETERS = {"x", "data", "context"}


def references(value, key):
    if isinstance(value, dict):
        if key in value and len(value) == 1:
            yield value[key]
        for v in value.values():
            if not (isinstance(v, dict) and "process_graph" in v):
                yield from references(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from references(v, key)


def test_metadata_returns_examples_links(udp):
    assert udp["id"] == "efast" and udp["summary"] and udp["categories"]
    assert [d["type"] for d in udp["returns"]["schema"]["dimensions"]] == ["spatial", "temporal", "bands"]
    example = udp["examples"][0]["arguments"]
    assert example["spatial_extent"] == {"west": -15.456047, "south": 15.665024, "east": -15.325491, "north": 15.787501}
    assert example["temporal_extent_target"] == ["2022-09-07", "2022-09-27"] and example["interval_days"] == 2
    rels = {link["rel"]: link["href"] for link in udp["links"]}
    assert rels["cite-as"] == "https://doi.org/10.3390/rs16111833"
    assert rels["canonical"].endswith(f"/{project_version()}/efast.json")
    assert rels["latest-version"].endswith("/efast.json")
    assert all(link["href"].startswith("https://") for link in udp["links"])
    assert udp["default_job_options"]
    assert f"Version {project_version()}" in udp["description"]
    # the parameters are documented once, in their own descriptions (no table repeating them)
    assert "## Parameters" not in udp["description"] and "| Name |" not in udp["description"]
    assert "/algorithm.html" in udp["description"] and len(udp["summary"]) < 60


def test_udp_parameters_only_in_top_level_arguments_and_contexts(udp):
    declared = {p["name"] for p in udp["parameters"]}
    for depth, node_id, node in walk_nodes(udp["process_graph"]):
        used = set(references(node["arguments"], "from_parameter"))
        if depth == 0:
            assert used <= declared, node_id
        else:
            assert used <= CALLBACK_PARAMETERS, (node_id, used)
    used_anywhere = {name for _, _, n in walk_nodes(udp["process_graph"]) for name in references(n["arguments"], "from_parameter")}
    assert declared <= used_anywhere, "every parameter is used by the graph"


def test_graph_shape(udp):
    graph = udp["process_graph"]
    assert [n for n, v in graph.items() if v.get("result")] == ["fused"]
    for node_id, node in graph.items():
        for ref in references(node["arguments"], "from_node"):
            assert ref in graph, (node_id, ref)
    s3 = graph["s3_input"]["arguments"]
    assert s3["id"] == "SENTINEL3_SYN_L2_SYN" and s3["featureflags"]["reprojection_type"] == "binning"
    assert graph["s2_input"]["arguments"]["id"] == "SENTINEL2_L2A"
    overlap = graph["s2_distance_score"]["arguments"]["overlap"]
    assert {o["value"] for o in overlap} == {math.ceil(C.MAX_MAX_DISTANCE_TO_CLOUD_M / C.COARSE_PIXEL_SIZE_M) + 1}


def test_until_cuts_the_graph_at_an_intermediate():
    doc = build_udp(Settings.load(), "0.1.0", until="s3_composite")
    graph = doc["process_graph"]
    assert [n for n, v in graph.items() if v.get("result")] == ["s3_composite"]
    assert "fused" not in graph and "lr_series" not in graph and "s2_input" in graph  # coarse grid
