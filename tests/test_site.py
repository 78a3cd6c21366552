"""``efast-udp site`` / ``serve`` on a hand-made fixture project (no network, no back-end)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from e2e import fixture_udp
from efast_udp.cli import main
from efast_udp.errors import EfastUdpError
from efast_udp.publish import backend as publish_backend
from efast_udp.publish.serve import BackgroundServer, make_server
from efast_udp.settings import Settings
from efast_udp.site import diagram
from efast_udp.site import pages as page

BASE = fixture_udp.BASE_URL
#: The only relative links: between files of the APEx catalogue folder, as the catalogue requires.
CATALOGUE_RELATIVE = re.compile(r"^(\.\./\.\./record\.json|\.\./\.\./\.\./\.\./platform_catalog/[\w-]+\.json)$")
VERSIONS = ("0.1.0", "0.2.0", "0.10.0")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_udp.make_project(tmp_path / "proj", VERSIONS)


def run_site(project: Path, out: Path | None = None, *extra: str) -> int:
    """``efast-udp site`` on the fixture project."""
    out = out or project / "public"
    return main(["site", "--udp-dir", str(project / "udp"), "--out", str(out), "--changelog",
                 str(project / "CHANGELOG.md"), *extra])


def git_in(project: Path):
    if shutil.which("git") is None:
        pytest.skip("git not installed")  # pragma: no cover (conftest fails such skips under CI)

    def git(*args):
        subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True, timeout=60)
    return git


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_site_layout_and_released_files_are_byte_identical(project):
    assert run_site(project) == 0
    public = project / "public"
    for v in VERSIONS:
        assert (public / v / "efast.json").read_bytes() == (project / "udp/releases" / v / "efast.json").read_bytes()
        listing = json.loads((public / v / "processes.json").read_text())
        assert listing["processes"] == [json.loads((public / v / "efast.json").read_text())]
        assert {"rel": "self", "href": f"{BASE}/{v}/processes.json", "type": "application/json",
                "title": f"EFAST process {v}"} in listing["links"]
    # latest is the highest version by version order, not by string order
    assert (public / "efast.json").read_bytes() == (project / "udp/releases/0.10.0/efast.json").read_bytes()
    latest_listing = json.loads((public / "processes.json").read_text())
    assert latest_listing["processes"][0]["summary"] == "EFAST fusion, release 3"
    assert latest_listing["links"][0]["href"] == f"{BASE}/processes.json"
    for name in ("index.html", "algorithm.html", "logo-light.svg", "logo-dark.svg", "SHA256SUMS", ".nojekyll",
                 "apex/efast-udp/record.json", "apex/efast-udp/efast/records/efast.json",
                 "apex/efast-udp/efast/benchmark_scenarios/efast.json"):
        assert (public / name).is_file(), name
    assert not (public / "record.json").exists() and not (public / "benchmark_scenario.json").exists()


def test_every_catalogue_folder_has_an_index_page_and_the_notebook_is_published(project):
    """The folder URLs docs/publishing.md gives answer on a static host; the record links the notebook."""
    assert run_site(project) == 0
    public = project / "public"
    top = (public / "apex/efast-udp/index.html").read_text()
    assert 'href="record.json"' in top and 'href="efast/index.html"' in top and 'href="../../index.html"' in top
    service = (public / "apex/efast-udp/efast/index.html").read_text()
    assert 'href="records/efast.json"' in service and 'href="benchmark_scenarios/efast.json"' in service
    for page, folder in ((top, public / "apex/efast-udp"), (service, public / "apex/efast-udp/efast")):
        for href in re.findall(r'href="([^"#:]+)"', page):
            assert (folder / href).resolve().is_file(), href  # every relative link resolves
    notebook = public / "notebooks" / "efast.ipynb"
    assert json.loads(notebook.read_text())["cells"]
    record = json.loads((public / "apex/efast-udp/efast/records/efast.json").read_text())
    links = [link for link in record["links"] if link["rel"] == "notebook"]
    assert links == [{"rel": "notebook", "type": "application/x-ipynb+json",
                      "title": "Example notebook: create, call and check the process",
                      "href": f"{BASE}/notebooks/efast.ipynb"}]


def test_site_is_deterministic(project, tmp_path):
    assert run_site(project, tmp_path / "a") == 0
    assert run_site(project, tmp_path / "b") == 0
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b
    # re-rendering over an existing site is allowed when nothing released changes
    assert run_site(project, tmp_path / "a") == 0


def test_sha256sums_verifies_with_sha256sum(project):
    assert run_site(project) == 0
    public = project / "public"
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) not installed")
    proc = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=public, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = {line.split("  ", 1)[1] for line in (public / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()} - {"SHA256SUMS", ".efast-udp"}
    assert listed == on_disk
    (public / "0.1.0" / "efast.json").write_text("{}")
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=public, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def test_tampered_release_is_refused_against_published_site(project, capsys):
    assert run_site(project) == 0
    published = (project / "public/0.1.0/efast.json").read_bytes()
    release = project / "udp/releases/0.1.0/efast.json"
    release.write_text(release.read_text().replace("release 1", "release one"))
    capsys.readouterr()
    assert run_site(project) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("efast-udp site: error: refusing to rewrite released file") and "0.1.0/efast.json" in err
    assert len(err.splitlines()) == 1
    assert (project / "public/0.1.0/efast.json").read_bytes() == published  # nothing was written


def test_tampered_release_is_refused_against_previous_sums(project, tmp_path, capsys):
    assert run_site(project) == 0
    sums = tmp_path / "published-SHA256SUMS"
    shutil.copy(project / "public/SHA256SUMS", sums)
    shutil.rmtree(project / "public")
    release = project / "udp/releases/0.2.0/efast.json"
    release.write_bytes(release.read_bytes().replace(b'"B8A"', b'"B08"'))
    assert run_site(project, None, "--previous-sums", str(sums)) == 1
    assert "0.2.0/efast.json" in capsys.readouterr().err
    assert not (project / "public").exists()


def test_tampered_release_is_refused_against_git_history(project, capsys):
    """The first commit holding a release file releases it; a later edit, even committed, is refused."""
    git = git_in(project)
    git("init", "-q")
    git("add", "udp", "CHANGELOG.md")
    git("commit", "-q", "-m", "releases")
    assert run_site(project) == 0
    release = project / "udp/releases/0.1.0/efast.json"
    release.write_bytes(release.read_bytes() + b" ")
    git("commit", "-q", "-am", "sneaky edit")
    capsys.readouterr()
    assert run_site(project, project / "elsewhere") == 1
    err = capsys.readouterr().err.strip()
    assert "udp/releases/0.1.0/efast.json differs from its release (commit " in err and len(err.splitlines()) == 1
    assert not (project / "elsewhere").exists()


def test_a_draft_may_change_until_committed_but_never_against_what_was_published(project, tmp_path, capsys):
    git = git_in(project)

    def edit(text):
        for path in (project / "udp/releases/0.10.0/efast.json", project / "udp/efast.json"):
            doc = json.loads(path.read_text())
            path.write_text(fixture_udp.dump(dict(doc, summary=f"EFAST fusion, {text}")))

    git("init", "-q")
    git("add", "udp", "CHANGELOG.md")
    git("reset", "-q", "--", "udp/releases/0.10.0/efast.json")
    git("commit", "-q", "-m", "0.10.0 in development")
    assert run_site(project) == 0
    assert "draft (not committed yet): 0.10.0" in capsys.readouterr().err
    sums = tmp_path / "published-SHA256SUMS"
    shutil.copy(project / "public/SHA256SUMS", sums)
    edit("release three")  # still a draft: re-rendered, also in public/
    assert run_site(project) == 0
    assert "release three" in (project / "public/0.10.0/efast.json").read_text()
    # ... but never against what was published
    assert run_site(project, None, "--previous-sums", str(sums)) == 1
    assert "0.10.0/efast.json" in capsys.readouterr().err
    # once committed it is released
    git("add", "udp")
    git("commit", "-q", "-m", "0.10.0")
    edit("release 3 bis")
    assert run_site(project) == 1
    err = capsys.readouterr().err
    assert "0.10.0/efast.json differs from its release (commit" in err and len(err.strip().splitlines()) == 1


def test_removed_release_is_refused(project, capsys):
    assert run_site(project) == 0
    shutil.rmtree(project / "udp/releases/0.1.0")
    assert run_site(project) == 1
    assert "released version 0.1.0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "breakage, message, code",
    [
        (lambda p: (p / "udp/efast.json").write_bytes((p / "udp/releases/0.1.0/efast.json").read_bytes()), "differs from", 1),
        (lambda p: (p / "udp/releases/latest").mkdir(), "holds one folder per version", 1),
        (lambda p: (p / "udp/releases/0.2.0/efast.json").write_text("{"), "is not valid JSON", 2),
        (lambda p: shutil.rmtree(p / "udp/releases"), "make build-udp", 2),
    ],
)
def test_broken_input_gives_one_clear_line(project, capsys, breakage, message, code):
    breakage(project)
    assert run_site(project) == code
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_settings_require_https():
    with pytest.raises(EfastUdpError, match="base_url.*https"):
        Settings.load(base_url="http://example.org/efast")
    with pytest.raises(EfastUdpError, match="backend_url.*https"):
        Settings.load(project={"tool": {"efast-udp": {"backend_url": "ftp://x"}}})


class _Page(HTMLParser):
    """Collects what the tests look at in index.html."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self.params: list[str] = []
        self.text: list[str] = []
        self.scripts = 0
        self._stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self.links.append(a)
        if tag == "tr" and "data-parameter" in a:
            self.params.append(a["data-parameter"])
        if tag == "script":
            self.scripts += 1

    def handle_data(self, data):
        self.text.append(data)


def test_index_html(project):
    assert run_site(project) == 0
    public = project / "public"
    html = (public / "index.html").read_text()
    parsed = _Page()
    parsed.feed(html)
    text = "".join(parsed.text)
    doc = json.loads((public / "efast.json").read_text())
    assert parsed.params == [p["name"] for p in doc["parameters"]]
    # description rendered from CommonMark, raw HTML in it escaped (only the page's own script runs)
    assert "<strong>Sentinel-2</strong>" in html and "<h3>Steps</h3>" in html
    assert "<script>alert" not in html and parsed.scripts == 1
    # python snippets with the pinned URL and the example arguments
    assert 'datacube_from_process(\n    "efast",\n    namespace="https://efast-udp.github.io/efast-udp/0.10.0/efast.json",' in text
    assert 'temporal_extent=["2022-09-07", "2022-09-27"],' in text
    for call in ('cube.download("efast.nc")', "cube.execute_batch(", "cube.create_job(", "job.start()", "job.status()", "job.get_results()"):
        assert call in text, call
    # every version with its checksum, newest first
    rows = [a for a in parsed.links if a.get("class") == "udp-url"]
    assert [a["href"] for a in rows] == ["0.10.0/efast.json", "0.2.0/efast.json", "0.1.0/efast.json"]
    for v in VERSIONS:
        assert sha(public / v / "efast.json") in text
        assert sha(public / v / "processes.json") in text
    # changelog with dates
    assert "2025-09-15" in text and "Change number 1" in text
    # the Web Editor link
    editor = next(a["href"] for a in parsed.links if a.get("id") == "editor-link")
    parts = urllib.parse.urlsplit(editor)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "editor.openeo.org", "/")
    query = urllib.parse.parse_qs(parts.query, strict_parsing=True)
    assert query == {
        "wizard": ["UDP"],
        "wizard~process": ["efast"],
        "wizard~processUrl": [f"{BASE}/0.10.0/efast.json"],
        "server": ["https://openeo.dataspace.copernicus.eu"],
    }


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


def test_landing_page_shows_the_demo_figure(project):
    assert run_site(project) == 0
    public = project / "public"
    html = (public / "index.html").read_text()
    img = re.search(r'<img id="demo-figure" src="([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]+)">', html)
    assert img, "no demo figure"
    src, width, height, alt = img.groups()
    assert src == page.DEMO_FIGURE and "EFAST" in alt and "truth" in alt and "cloud gap" in alt
    data = (public / src).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (int(width), int(height))
    assert b"tEXt" not in data and b"matplotlib" not in data  # no version or date that a redraw would change
    assert "make site-figures" in html


def test_every_page_has_the_navigation_bar(project):
    assert run_site(project) == 0
    public = project / "public"
    pages_found = sorted(public.rglob("*.html"))
    assert len(pages_found) == 4
    for path in pages_found:
        html = path.read_text()
        bar = re.search(r'<nav class="site" aria-label="Site">(.*?)</nav>', html, re.S)
        assert bar, path
        links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', bar.group(1))
        assert [label for _, label in links] == ["Home", "Algorithm", "Versions", "APEx catalogue", "Notebook"]
        for href, _ in links:
            assert (path.parent / href.split("#")[0]).resolve().is_file(), (path, href)
        # the page itself is the link's target ("page"), or lies below it (a catalogue sub-folder: "location")
        marked = re.findall(r'<a href="([^"]+)" aria-current="(page|location)"', bar.group(1))
        assert len(marked) == 1, path
        target = (path.parent / marked[0][0]).resolve()
        assert (target == path.resolve()) == (marked[0][1] == "page"), (path, marked)


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


def test_apex_record_and_benchmark_scenario(project):
    assert run_site(project) == 0
    apex = project / "public" / "apex" / "efast-udp" / "efast"
    record = json.loads((apex / "records" / "efast.json").read_text())
    assert record["id"] == "efast" and record["type"] == "Feature" and record["geometry"] is None
    assert "https://apex.esa.int/core/openeo-udp" in record["conformsTo"]
    rels = {link["rel"]: link["href"] for link in record["links"]}
    assert rels["application"] == f"{BASE}/0.10.0/efast.json"
    assert {"service", "platform", "provider", "cite-as", "code", "about", "webapp"} <= set(rels)
    assert all(link["type"] and link["title"] for link in record["links"])
    assert record["properties"]["created"] == "2025-07-15T00:00:00Z"  # the first release's changelog date
    assert record["properties"]["updated"] == "2025-09-15T00:00:00Z"  # the latest one's
    thumbnail = [link for link in record["links"] if link["rel"] == "thumbnail"]
    assert [(t["type"], t["href"]) for t in thumbnail] == [("image/png", f"{BASE}/thumbnail.png")]
    data = (project / "public" / "thumbnail.png").read_bytes()  # published where the link points
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert 64 <= int.from_bytes(data[16:20], "big") <= 1024 and b"matplotlib" not in data
    scenarios = json.loads((apex / "benchmark_scenarios" / "efast.json").read_text())
    node = scenarios[0]["process_graph"]["efast1"]
    assert node["namespace"] == f"{BASE}/0.10.0/efast.json"
    assert node["arguments"] == fixture_udp.EXAMPLE_ARGUMENTS
    assert scenarios[0]["backend"] == "openeo.dataspace.copernicus.eu"


def test_algorithm_page_renders_the_document(project):
    assert run_site(project) == 0
    html = (project / "public" / "algorithm.html").read_text()
    assert "<h1 id=" in html and "Distance-to-cloud score" in html and "<table>" in html
    assert "<script" not in html
    # the formulas (text code blocks of docs/algorithm.md) are MathML, each keeping its source line
    from efast_udp.site.build import ALGORITHM_DOC

    source = ALGORITHM_DOC.read_text()
    blocks = re.findall(r"^```text\n(.*?)^```$", source, re.S | re.M)
    lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert len(lines) >= 15
    assert html.count('<div class="formula"><math displaystyle="true">') == len(lines)
    assert 'class="language-text"' not in html
    import html as html_module
    annotations = re.findall(r'<annotation encoding="text/plain">(.*?)</annotation>', html)
    assert [html_module.unescape(a) for a in annotations] == lines


def test_formulas_as_mathml():
    import xml.etree.ElementTree as ET

    from efast_udp.site import formulas

    math = formulas.line_to_mathml("w(t, T) = score(t) · exp(−(t − T)² / (2σ²))")
    ET.fromstring(math)  # well-formed
    assert ('<msup><mrow><mo stretchy="false">(</mo><mi>t</mi><mo>−</mo><mi>T</mi><mo stretchy="false">)</mo></mrow>'
            '<mn>2</mn></msup>') in math
    assert "<msup><mi>σ</mi><mn>2</mn></msup>" in math and "<mi>exp</mi>" in math
    math = formulas.line_to_mathml("HR_m(T) = Σ_{t∈J} w(t, T) · S2(t) / Σ_{t∈J} w(t, T)")
    assert math.startswith('<div class="formula"><math displaystyle="true"><semantics><mrow><msub><mi>HR</mi><mi>m</mi></msub>')
    assert '<msub><mo largeop="true">Σ</mo><mrow><mi>t</mi><mo>∈</mo><mi>J</mi></mrow></msub>' in math
    math = formulas.line_to_mathml("score(c) = 0      if c is cloudy")
    assert '<mn>0</mn><mspace width="1.5em"/><mtext>if\u00a0</mtext><mi>c</mi><mtext>\u00a0is\u00a0cloudy</mtext>' in math
    math = formulas.line_to_mathml("cloudy_S2(c, t) = P(c, t) ≥ 100 · cloud_tolerance < 1")
    assert "<mi>cloudy_S2</mi>" in math and '<mi mathvariant="normal" class="parameter">cloud_tolerance</mi>' in math
    assert "<mo>&lt;</mo>" in math and ET.fromstring(math) is not None
    ET.fromstring(formulas.line_to_mathml("f(x = (unclosed"))  # still well-formed
    assert formulas.block_to_html("a = b\n\nc = d\n").count("<math") == 2


@pytest.mark.parametrize("line", ["(a_) + b = c", "x_² + a__b", "a_ b", "x ²", "a_", "_", "²"])
def test_odd_formulas_stay_well_formed_mathml(line):
    import xml.etree.ElementTree as ET

    from efast_udp.site import formulas

    math = formulas.line_to_mathml(line)
    root = ET.fromstring(math)
    assert "<sub>" not in math  # the parser's own marker never reaches the page (it closes <math> in HTML)
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        if tag in ("msub", "msup"):
            assert len(element) == 2 and all(child.tag != "mspace" for child in element), (line, math)


def test_prose_around_formulas_is_text_and_long_lines_are_bounded():
    import time

    from efast_udp.site import formulas

    assert "<mtext>\u00a0has\u00a0a\u00a0value</mtext>" in formulas.line_to_mathml("S2(t) has a value")
    assert "<mn>300</mn><mtext>\u00a0m</mtext>" in formulas.line_to_mathml("D = max_distance_to_cloud_m / 300 m")
    assert "<mi>p</mi>" in formulas.line_to_mathml("mean over the pixels p of cell c")  # a variable stays one
    start = time.perf_counter()
    for line in ("(" * 20_000 + "x", "w a" * 50_000):
        assert formulas.line_to_mathml(line).count("<mtext>") == 1  # set as text, as it is
    assert time.perf_counter() - start < 2


def _hrefs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "href":
                yield v
            else:
                yield from _hrefs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _hrefs(v)


def test_real_site(tmp_path):
    """The repository's own udp/ renders, its releases are copied byte for byte, all links are https."""
    from e2e.servers import site_for_tests, site_sources

    udp_dir, _, real = site_sources(tmp_path)
    site = site_for_tests(tmp_path)
    public = tmp_path / "public"
    for release in site.releases:
        assert (public / release.version / "efast.json").read_bytes() == (udp_dir / "releases" / release.version / "efast.json").read_bytes()
    assert (public / "efast.json").read_bytes() == (udp_dir / "efast.json").read_bytes()
    for path in public.rglob("*.json"):
        for href in _hrefs(json.loads(path.read_text())):
            assert href.startswith("https://") or (CATALOGUE_RELATIVE.match(href) and "apex" in path.parts), (path, href)
    if real:
        links = {link["rel"]: link["href"] for link in site.latest.doc["links"] if link["rel"] != "about"}
        assert links["canonical"] == f"{BASE}/{site.latest.version}/efast.json"
        assert links["latest-version"] == f"{BASE}/efast.json"


def test_generated_json_links_are_https(project):
    assert run_site(project) == 0
    public = project / "public"

    def hrefs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "href":
                    yield v
                else:
                    yield from hrefs(v)
        elif isinstance(node, list):
            for v in node:
                yield from hrefs(v)

    for path in public.rglob("*.json"):
        for href in hrefs(json.loads(path.read_text())):
            assert href.startswith("https://") or (CATALOGUE_RELATIVE.match(href) and "apex" in path.parts), (path, href)


def test_serve_headers(project):
    assert run_site(project) == 0
    with BackgroundServer(project / "public") as server:
        for rel, ctype in [("efast.json", "application/json"), ("0.1.0/processes.json", "application/json"),
                           ("index.html", "text/html"), ("SHA256SUMS", "text/plain")]:
            with urllib.request.urlopen(f"{server.url}/{rel}", timeout=10) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].split(";")[0] == ctype
                assert resp.headers["Access-Control-Allow-Origin"] == "*"
                assert resp.read() == (project / "public" / rel).read_bytes()
        req = urllib.request.Request(f"{server.url}/efast.json", method="OPTIONS",
                                     headers={"Origin": "https://editor.openeo.org", "Access-Control-Request-Method": "GET"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204 and resp.headers["Access-Control-Allow-Origin"] == "*"


def test_serve_refuses_non_loopback_and_missing_site(project, tmp_path):
    assert run_site(project) == 0
    with pytest.raises(EfastUdpError, match="loopback"):
        make_server(project / "public", host="0.0.0.0")
    with pytest.raises(EfastUdpError, match="efast-udp site"):
        make_server(tmp_path / "nothing")


def test_python_literal_is_valid_python():
    args = fixture_udp.EXAMPLE_ARGUMENTS | {"flag": True, "nothing": None, "nested": {"a": [[1, 2], [3, 4]]}}
    source = "dict(\n" + page.call_arguments(args) + "\n)"
    assert eval(source) == args  # noqa: S307 -- our own generated literal


def test_schema_type():
    assert page.schema_type({"type": "object", "subtype": "bounding-box"}) == "bounding-box"
    assert page.schema_type({"type": "array", "items": {"type": "string"}}) == "array<string>"
    assert page.schema_type([{"type": "array", "subtype": "temporal-interval"}, {"type": "null"}]) == "temporal-interval | null"
    assert page.schema_type({}) == "any"


def test_publish_backend_compare():
    sent = {"id": "efast", "process_graph": {"a": 1}, "links": [{"rel": "about", "href": "https://x"}], "examples": []}
    stored = {"id": "efast", "process_graph": {"a": 1},
              "links": [{"rel": "about", "href": "https://x"}, {"rel": "canonical", "href": "https://y"}]}
    assert publish_backend.compare(sent, stored) == ([], ["examples"])
    assert publish_backend.compare(sent, dict(stored, process_graph={}))[0] == ["process_graph"]


def test_publish_backend_unreachable_is_one_line(project, capsys):
    from e2e.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/openeo/1.2"
    assert main(["publish-backend", "--url", url, "--udp", str(project / "udp/efast.json"), "--auth", "basic",
                 "--retries", "0", "--timeout", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("efast-udp publish-backend: error:") and len(err.splitlines()) == 1


def test_contents_links_of_the_algorithm_page_reach_their_headings(project):
    assert run_site(project) == 0
    html = (project / "public" / "algorithm.html").read_text("utf-8")
    ids = set(re.findall(r'<h\d id="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= ids, sorted(links - ids)
    assert page.heading_anchor("Eq. 2: the weights (S3)", set()) == "eq-2-the-weights-s3"
    seen: set = set()
    assert [page.heading_anchor(t, seen) for t in ("Foo", "Foo", "Foo 1", "Foo")] == ["foo", "foo-1", "foo-1-1", "foo-2"]
    html = page.markdown_to_html("# Document\n\n## See [the paper](https://example.org/x) &amp; `code`\n\n## ???\n",
                                 anchors=True)
    assert re.findall(r'id="([^"]+)"', html) == ["document-1", "see-the-paper--code", "section"]
