"""``context``: what every check receives, the document, the file-name rule and the graphs."""

from udp_docs import cube_udp, number_udp

from efast_udp.validation.context import Context


def test_of_builds_every_graph_top_level_first():
    ctx = Context.of(cube_udp(), "tiny_cube.json")
    assert ctx.require_file_name == "tiny_cube.json"
    assert [g.pointer for g in ctx.graphs] == ["/process_graph", "/process_graph/scaled/arguments/process/process_graph"]
    assert ctx.graphs[1].parent is ctx.graphs[0]
    assert ctx.graphs[1].owner.id == "scaled"


def test_nodes_are_those_of_every_graph_top_level_first():
    nodes = list(Context.of(cube_udp(), None).nodes())
    assert [(n.id, n.pointer) for n in nodes] == [
        ("load", "/process_graph/load"), ("scaled", "/process_graph/scaled"),
        ("udf", "/process_graph/scaled/arguments/process/process_graph/udf")]


def test_parameter_list_gives_the_index_of_each_object_parameter():
    doc = number_udp()
    doc["parameters"].insert(1, "not an object")
    assert [(i, p["name"]) for i, p in Context.of(doc, None).parameter_list()] == [(0, "x"), (2, "y")]


def test_parameter_list_is_empty_without_a_list_of_parameters():
    doc = number_udp()
    doc["parameters"] = {"x": {}}
    assert Context.of(doc, None).parameter_list() == []
    del doc["parameters"]
    assert Context.of(doc, None).parameter_list() == []


def test_a_document_without_a_graph_has_one_empty_graph():
    ctx = Context.of({"id": "x"}, None)
    assert [(g.pointer, g.nodes) for g in ctx.graphs] == [("/process_graph", {})]
    assert list(ctx.nodes()) == []
