"""efast_udp.site.apex: the ESA APEx catalogue folder written by ``efast-udp site``
(``public/apex/<provider>/``), checked as the catalogue checks its entries: the vendored APEx
schemas (schemas/apex/) and the catalogue's lint rules for benchmark scenarios; its index pages,
the notebook link, and the changelog dates it needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from cli_support import one_line_error
from e2e import fixture_udp
from efast_udp.cli import main
from efast_udp.project import ROOT
from efast_udp.site import apex
from site_support import BASE, project, run_site

SCHEMAS = ROOT / "schemas" / "apex"
#: The back-ends the catalogue's scenario lint accepts.
BACKENDS = [r"^(https://)?openeo\.dataspace\.copernicus\.eu(/.*)?$", r"^(https://)?openeofed\.dataspace\.copernicus\.eu(/.*)?$",
            r"^(https://)?openeo\.cloud(/.*)?$", r"^(https://)?openeo\.vito\.be(/.*)?$",
            r"^(https://)?openeo\.terrascope\.be(/.*)?$", r"^(https://)?openeo\.eodc\.eu(/.*)?$"]
ID = re.compile(r"^[a-zA-Z0-9_-]+$")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from e2e.servers import site_for_tests

    tmp = tmp_path_factory.mktemp("apex")
    site_for_tests(tmp)
    return tmp / "public"


def validate(instance: object, schema_name: str) -> list[str]:
    schema = json.loads((SCHEMAS / schema_name).read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cls(schema).iter_errors(instance)]


def test_the_schemas_are_vendored_with_their_licence():
    assert "Apache License" in (SCHEMAS / "LICENSE").read_text("utf-8")
    for name in ("record.json", "provider.json", "platform.json", "benchmark_scenario.json"):
        assert json.loads((SCHEMAS / name).read_text("utf-8"))["$schema"].endswith("2020-12/schema")


def test_the_folder_has_the_catalogue_layout(site):
    folder = site / "apex" / apex.PROVIDER_ID
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    # the catalogue's files, plus an index page per folder so that its URLs answer on a static host
    assert [f for f in files if not f.endswith("index.html")] == [
        "efast/benchmark_scenarios/efast.json", "efast/records/efast.json", "record.json"]
    assert [f for f in files if f.endswith("index.html")] == ["efast/index.html", "index.html"]


def test_provider_record_is_valid(site):
    record = json.loads((site / "apex" / apex.PROVIDER_ID / "record.json").read_text())
    assert validate(record, "provider.json") == []
    assert record["id"] == apex.PROVIDER_ID
    for link in record["links"]:  # the logos exist on the site
        if link["rel"].startswith("logo"):
            assert (site / link["href"].rsplit("/", 1)[1]).read_text().startswith("<svg")


def test_service_record_is_valid_and_links_what_users_need(site):
    record = json.loads((site / "apex" / apex.PROVIDER_ID / "efast" / "records" / "efast.json").read_text())
    assert validate(record, "record.json") == []
    assert record["id"] == "efast"  # the catalogue wants <id>/records/<id>.json
    rels = {}
    for link in record["links"]:
        rels.setdefault(link["rel"], []).append(link["href"])
    latest = json.loads((site / "efast.json").read_text())
    version = next(l["href"] for l in latest["links"] if l["rel"] == "canonical").split("/")[-2]
    assert rels["application"] == [f"https://efast-udp.github.io/efast-udp/{version}/efast.json"]
    assert rels["provider"] == ["../../record.json"] and rels["platform"] == ["../../../../platform_catalog/cdse_openeo_federation.json"]
    assert rels["cite-as"] == ["https://doi.org/10.3390/rs16111833"]
    assert rels["webapp"][0].startswith("https://editor.openeo.org/?wizard=UDP")
    assert "https://efast-udp.github.io/efast-udp/algorithm.html" in rels["about"]
    assert rels["code"] == ["https://github.com/efast-udp/efast-udp"]
    assert rels["thumbnail"] == ["https://efast-udp.github.io/efast-udp/thumbnail.png"]
    assert (site / "thumbnail.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # published where it points
    contact = record["properties"]["contacts"][0]
    assert contact["organization"] and contact["contactInstructions"] and all(l["title"] for l in contact["links"])
    for link in record["links"]:
        assert link["href"].startswith(("https://", "../")), link


def test_benchmark_scenario_is_valid_and_passes_the_catalogue_lint(site):
    scenarios = json.loads((site / "apex" / apex.PROVIDER_ID / "efast" / "benchmark_scenarios" / "efast.json").read_text())
    assert isinstance(scenarios, list) and scenarios
    for scenario in scenarios:
        assert validate(scenario, "benchmark_scenario.json") == []
        assert ID.match(scenario["id"]) and scenario["type"] == "openeo"
        assert any(re.fullmatch(p, scenario["backend"]) for p in BACKENDS), scenario["backend"]
        for node_id, node in scenario["process_graph"].items():
            assert isinstance(node, dict) and ID.match(node["process_id"]) and isinstance(node["arguments"], dict)
            namespace = node.get("namespace")
            if namespace:
                assert namespace.startswith("https://")
                assert not re.match(r"https://github\.com/.*/blob/.*", namespace)
                assert not re.search(r"//raw\.githubusercontent\.com/.*/refs/heads/(?!main/|master/)", namespace)
                # what the catalogue fetches: the published file's id is the node's process id
                published = site / namespace.removeprefix("https://efast-udp.github.io/efast-udp/")
                assert json.loads(published.read_text())["id"] == node["process_id"]
        assert [n for n in scenario["process_graph"].values() if n.get("result")]


def test_a_broken_record_is_caught_by_the_schemas():
    """The schemas really bite: the old record shape (http conformance class, absolute platform link,
    no provider link, contact link without title) is rejected."""
    record = {"id": "efast", "type": "Feature", "geometry": None, "linkTemplates": [],
              "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core",
                             "https://apex.esa.int/core/openeo-udp"],
              "properties": {"created": "x", "updated": "x", "type": "service", "title": "t", "description": "d",
                             "themes": [{"concepts": [{"id": "x"}], "scheme": "s"}], "formats": [],
                             "contacts": [{"name": "n", "roles": ["r"], "links": [{"rel": "about", "type": "text/html",
                                                                                  "href": "https://x.org"}]}]},
              "links": [{"rel": "application", "type": "a", "title": "t", "href": "https://x.org/p.json"},
                        {"rel": "service", "type": "a", "title": "t", "href": "https://x.org"},
                        {"rel": "platform", "type": "a", "title": "t", "href": "https://x.org/platform.json"}]}
    errors = " | ".join(validate(record, "record.json"))
    assert "conformsTo" in errors and "links/2/href" in errors and "title" in errors


def test_a_missing_date_names_the_changelog_given(tmp_path, capsys):
    project = fixture_udp.make_project(tmp_path / "proj")
    mine = tmp_path / "NOTES.md"
    mine.write_text("# Changes\n\n## [0.1.0]\n\n- undated\n", encoding="utf-8")
    assert main(["site", "--udp-dir", str(project / "udp"), "--out", str(tmp_path / "site"),
                 "--changelog", str(mine)]) == 2
    assert f"{mine} has no dated entry for 0.1.0" in one_line_error(capsys, "site")


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
