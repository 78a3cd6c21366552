"""efast_udp.site.diagram: the processing chain drawn from the graph as an inline SVG, and
graphs it cannot draw refused up front with one clear error."""

from __future__ import annotations

import json
import re

import pytest

from e2e import fixture_udp
from efast_udp.errors import EfastUdpError
from efast_udp.site import diagram
from site_support import VERSIONS, project, run_site


def _diagram(html: str) -> str:
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="diagram"')
    return html[start:html.index("</svg>", start) + len("</svg>")]


def test_landing_page_draws_the_processing_chain_from_the_graph(project, tmp_path):
    """An inline SVG with a box per node of the latest release's graph and an arrow per data flow,
    no script, no external reference, byte-identical on a second build."""
    import xml.etree.ElementTree as ET

    from efast_udp.site import diagram

    assert run_site(project, tmp_path / "a") == 0
    assert run_site(project, tmp_path / "b") == 0
    svg = _diagram((tmp_path / "a" / "index.html").read_text())
    assert svg == _diagram((tmp_path / "b" / "index.html").read_text())
    graph = fixture_udp.process_graph()
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img" and root.get("aria-labelledby") == "diagram-title"
    assert root.find("s:title", ns).text.startswith("Processing chain: 8 steps")
    stages = root.findall(".//s:g[@class='stage']", ns)
    assert [g.get("data-stage") for g in stages] == list(graph)
    for g in stages:
        texts = [t.text for t in g.findall("s:text", ns)]
        assert texts == [g.get("data-stage"), graph[g.get("data-stage")]["process_id"]]
    flows = {(p.get("data-from"), p.get("data-to")) for p in root.findall(".//s:g[@class='flows']/s:path", ns)}
    assert flows == {("s2bands", "loads2"), ("s3bands", "loads3"), ("loads3", "s3composite"), ("s3composite", "resample"),
                     ("loads2", "resample"), ("loads2", "merge"), ("resample", "merge"), ("merge", "fuse")}
    assert "<script" not in svg and "href" not in svg.replace('marker-end="url(#diagram-arrow)"', "")
    assert diagram.render(graph) == diagram.render(json.loads(json.dumps(graph)))


def test_diagram_rows_and_references():
    from efast_udp.site import diagram

    graph = {"a": {"process_id": "load", "arguments": {}},
             "b": {"process_id": "apply", "arguments": {"data": {"from_node": "a"},
                                                        "process": {"process_graph": {"x": {"arguments": {"v": {"from_node": "y"}}}}}}},
             "c": {"process_id": "merge", "arguments": {"cubes": [{"from_node": "a"}, {"from_node": "b"}]}, "result": True}}
    flows = diagram.edges(graph)
    assert flows == [("a", "b"), ("a", "c"), ("b", "c")]  # a callback's own references are not arrows
    assert diagram.rows(graph, flows) == {"a": 0, "b": 1, "c": 2}
    svg = diagram.render(graph)
    assert svg.count('class="stage"') == 3 and svg.count("<path d=") == 4  # 3 flows + the arrow head
    def node(*sources):
        return {"process_id": "p", "arguments": {"x": [{"from_node": s} for s in sources]}}

    with pytest.raises(EfastUdpError, match="cycle through node 'a'"):
        diagram.render({"a": node("b"), "b": node("a")})
    with pytest.raises(EfastUdpError, match="cycle through node '[ab]'"):  # z is only downstream of it
        diagram.render({"z": node("a"), "a": node("b"), "b": node("a")})
    # a chain of any length and order is drawn (no recursion)
    chain = {f"n{i}": {"process_id": "absolute", "arguments": {"x": {"from_node": f"n{i + 1}"} if i < 4999 else 1}}
             for i in range(5000)}
    assert diagram.rows(chain, diagram.edges(chain))["n0"] == 4999


@pytest.mark.parametrize("graph, words", [
    ([], "is not an object"),
    ({"a": [1]}, "node 'a' of the process graph is not an object"),
    ({"a": {"process_id": 5}}, "node 'a' of the process graph is not an object with a process_id"),
    ({"a": {"process_id": "p", "arguments": {"x": {"from_node": {"b": 1}}}}}, "reads from_node {'b': 1}"),
    ({"a": {"process_id": "p", "arguments": {"x": {"from_node": "gone"}}}}, "reads from_node 'gone'"),
    ({f"n{i}": {"process_id": "p"} for i in range(201)}, "201 top-level nodes"),
    # every node also reads the first: a long arrow past every row (quadratic layout work)
    ({f"n{i}": {"process_id": "p", "arguments": {"x": [{"from_node": f"n{i - 1}"}, {"from_node": "n0"}] if i else 1}}
      for i in range(100)}, "pass 4851 rows of other nodes"),
])
def test_graphs_the_diagram_cannot_draw_are_one_clear_error(graph, words):
    import time

    start = time.perf_counter()
    with pytest.raises(EfastUdpError, match=re.escape(words)):
        diagram.render(graph)
    assert time.perf_counter() - start < 5  # refused up front, not after the layout


def test_a_release_graph_with_a_cycle_is_one_line_not_a_crash(project, capsys):
    doc = json.loads((project / "udp" / "efast.json").read_text())
    first, second = list(doc["process_graph"])[:2]
    doc["process_graph"][first]["arguments"]["data"] = {"from_node": second}
    doc["process_graph"][second]["arguments"]["data"] = {"from_node": first}
    latest = project / "udp" / "releases" / VERSIONS[-1] / "efast.json"
    for path in (project / "udp" / "efast.json", latest):  # a draft: not committed yet
        path.write_text(json.dumps(doc))
    assert run_site(project) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cycle through node" in err and str(latest) in err, err
