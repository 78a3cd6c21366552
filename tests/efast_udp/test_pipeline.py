"""efast_udp.pipeline: the flattener matches the openeo client's graph and refuses what it does
not know."""

import json

import pytest


def test_the_flattener_matches_the_clients_graph_and_refuses_what_it_does_not_know():
    """The build flattens with the client's public node API; an argument it does not know stops
    the build with a message naming the client version, instead of changing the render."""
    import openeo
    from openeo.internal.graph_building import PGNode

    from efast_udp.cli import exit_code
    from efast_udp.errors import IncompatibleClient
    from efast_udp.pipeline import flatten

    load = PGNode("load_collection", id="S2", bands=["B04"], spatial_extent=None, temporal_extent=None)
    masked = PGNode("apply", data={"from_node": load},
                    process={"process_graph": PGNode("absolute", x={"from_parameter": "x"})})
    result = PGNode("save_result", data={"from_node": masked}, format="GTiff")
    names = {id(load): "load", id(masked): "masked", id(result): "saved"}
    ours, theirs = flatten(result, names), result.flat_graph()
    renamed = {"loadcollection1": "load", "apply1": "masked", "saveresult1": "saved"}

    def rename(value):
        if isinstance(value, dict):
            if set(value) == {"from_node"}:
                return {"from_node": renamed[value["from_node"]]}
            return {k: rename(v) for k, v in value.items()}
        return [rename(v) for v in value] if isinstance(value, list) else value

    assert json.dumps(ours) == json.dumps({renamed[k]: rename(v) for k, v in theirs.items()})
    odd = PGNode("save_result", data={"from_node": load}, options=object())
    with pytest.raises(IncompatibleClient, match=f"openeo {openeo.__version__} put a object") as raised:
        flatten(odd, {id(load): "load", id(odd): "odd"})
    assert exit_code(raised.value) == 2  # the set-up is at fault: one line, not "internal error"
    with pytest.raises(ValueError, match="has no name"):
        flatten(result, {id(load): "load"})
