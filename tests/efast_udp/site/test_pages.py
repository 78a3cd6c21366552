"""efast_udp.site.pages: the landing page (parameters, snippets, versions with checksums,
changelog, the Web Editor link, the demo figure), the algorithm page, the navigation bar, and
the helpers that render them."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

from e2e import fixture_udp
from efast_udp.site import pages as page
from site_support import BASE, VERSIONS, project, run_site


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def test_python_literal_is_valid_python():
    args = fixture_udp.EXAMPLE_ARGUMENTS | {"flag": True, "nothing": None, "nested": {"a": [[1, 2], [3, 4]]}}
    source = "dict(\n" + page.call_arguments(args) + "\n)"
    assert eval(source) == args  # noqa: S307 -- our own generated literal


def test_schema_type():
    assert page.schema_type({"type": "object", "subtype": "bounding-box"}) == "bounding-box"
    assert page.schema_type({"type": "array", "items": {"type": "string"}}) == "array<string>"
    assert page.schema_type([{"type": "array", "subtype": "temporal-interval"}, {"type": "null"}]) == "temporal-interval | null"
    assert page.schema_type({}) == "any"


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
