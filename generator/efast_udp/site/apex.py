"""The folder the ESA APEx algorithm catalogue takes as it is (``public/apex/<provider>/``).

Dropped into the catalogue's ``algorithm_catalog/`` it holds what the catalogue's own checks ask
for (schemas vendored in ``schemas/apex/``): the provider record ``record.json``, the service record
``efast/records/efast.json`` and the benchmark scenario ``efast/benchmark_scenarios/efast.json``.
Links between catalogue files are relative, as the catalogue requires (provider ``../../record.json``,
platform ``../../../../platform_catalog/<platform>.json``); everything else points at the published
site with https.

No cost estimate is given: the project has not measured what a run costs in CDSE credits, and the
catalogue makes it optional.
"""

from __future__ import annotations

import urllib.parse

from efast_udp import constants as C
from efast_udp.document import example_arguments
from efast_udp.errors import UsageError
from efast_udp.project import UDP_FILE
from efast_udp.release import Release
from efast_udp.settings import Settings
from efast_udp.site import pages
from efast_udp.site.catalogue import ChangelogEntry, editor_url

PROVIDER_ID = "efast-udp"
#: The catalogue's platform record of the CDSE openEO federation.
PLATFORM = "cdse_openeo_federation"
CONFORMS_TO_RECORD = "https://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"
CONFORMS_TO_UDP = "https://apex.esa.int/core/openeo-udp"
#: Keywords of the catalogue's vocabulary that describe EFAST.
KEYWORDS = ["Sentinel-2", "Sentinel-3", "Vegetation", "Normalized Difference Vegetation Index (NDVI)",
            "Data Analysis and Visualization"]
LANGUAGE = {"code": "en-US", "name": "English (United States)"}
LOGOS = {"logo-light": "logo-light.svg", "logo-dark": "logo-dark.svg"}
#: the service record's picture: EFAST's NDVI map of the demo scene, a PNG committed beside the
#: logos (``make site-figures`` redraws it)
THUMBNAIL = "thumbnail.png"


#: the catalogue folder's index page (site path)
INDEX = f"apex/{PROVIDER_ID}/index.html"


def folder(process_id: str) -> dict[str, str]:
    """Site paths of the three catalogue files."""
    base = f"apex/{PROVIDER_ID}"
    return {"provider": f"{base}/record.json", "record": f"{base}/{process_id}/records/{process_id}.json",
            "scenarios": f"{base}/{process_id}/benchmark_scenarios/{process_id}.json"}


def _stamp(entry: ChangelogEntry | None, version: str, source: str) -> str:
    if entry is None or not entry.date:
        raise UsageError(f"{source} has no dated entry for {version} (## [{version}] - YYYY-MM-DD); the "
                         "catalogue records need the release dates")
    return f"{entry.date}T00:00:00Z"


def _dates(releases: list[Release], dates: dict[str, ChangelogEntry]) -> tuple[str, str]:
    """(created, updated): the first and the latest release's changelog dates."""
    dated = [r for r in releases if r.version in dates and dates[r.version].date]
    first = dated[0] if dated else releases[0]
    source = getattr(dates, "source", "CHANGELOG.md")
    return (_stamp(dates.get(first.version), first.version, source),
            _stamp(dates.get(releases[-1].version), releases[-1].version, source))


def _contact(settings: Settings, rel: str) -> dict:
    """The maintainers; ``rel`` of their link: the two record schemas allow different ones."""
    return {
        "name": "efast-udp maintainers",
        "organization": "efast-udp project",
        "roles": ["implementor", "service provider"],
        "contactInstructions": f"Questions, problems and requests: open an issue at {settings.source_repository}/issues",
        "links": [{"rel": rel, "type": "text/html", "title": "Source repository and issue tracker",
                   "href": settings.source_repository}],
    }


def provider_record(releases: list[Release], settings: Settings, dates: dict[str, ChangelogEntry]) -> dict:
    created, updated = _dates(releases, dates)
    links = [{"rel": "website", "type": "text/html", "title": "efast-udp", "href": settings.base_url + "/"}]
    links += [{"rel": rel, "type": "image/svg+xml", "title": "efast-udp logo", "href": settings.url(name)}
              for rel, name in LOGOS.items()]
    return {
        "id": PROVIDER_ID,
        "type": "Feature",
        "conformsTo": [CONFORMS_TO_RECORD],
        "properties": {
            "created": created, "updated": updated, "type": "algorithm_provider", "title": "efast-udp",
            "description": "The efast-udp project generates, validates and publishes the EFAST openEO user-defined "
                           "process as versioned, immutable JSON.",
            "language": LANGUAGE, "languages": [LANGUAGE],
            "contacts": [_contact(settings, "website")],
            "themes": [],
            "license": settings.license or "other",
            "acl": {"admin": []},
        },
        "linkTemplates": [],
        "links": links,
    }


def service_record(releases: list[Release], settings: Settings, dates: dict[str, ChangelogEntry],
                   notebook_url: str | None = None) -> dict:
    """The service record of the latest release (``notebook_url``: the published example notebook)."""
    latest = releases[-1]
    doc = latest.doc
    created, updated = _dates(releases, dates)
    process_url = settings.url(latest.version, UDP_FILE)
    links = [
        {"rel": "application", "type": "application/vnd.openeo+json;type=process",
         "title": f"openEO process definition {latest.version}", "href": process_url},
        {"rel": "service", "type": "application/json", "title": "openEO back-end", "href": settings.backend_url},
        {"rel": "platform", "type": "application/json", "title": "CDSE openEO federation",
         "href": f"../../../../platform_catalog/{PLATFORM}.json"},
        {"rel": "provider", "type": "application/json", "title": "efast-udp", "href": "../../record.json"},
        {"rel": "about", "type": "text/html", "title": "Documentation, versions and changelog",
         "href": settings.base_url + "/"},
        {"rel": "about", "type": "text/html", "title": "The algorithm as this process implements it",
         "href": settings.url("algorithm.html")},
        {"rel": "webapp", "type": "text/html", "title": "Open in the openEO Web Editor",
         "href": editor_url(doc["id"], process_url, settings.backend_url)},
        {"rel": "code", "type": "text/html", "title": "Source repository of the generator",
         "href": settings.source_repository},
        {"rel": "cite-as", "type": "text/html", "title": "Scientific publication", "href": C.PAPER_DOI_URL},
        {"rel": "thumbnail", "type": "image/png", "title": "EFAST NDVI map of the synthetic demo scene",
         "href": settings.url(THUMBNAIL)},
    ]
    if notebook_url:
        links.append({"rel": "notebook", "type": "application/x-ipynb+json",
                      "title": "Example notebook: create, call and check the process", "href": notebook_url})
    return {
        "id": doc["id"],
        "type": "Feature",
        "conformsTo": [CONFORMS_TO_RECORD, CONFORMS_TO_UDP],
        "geometry": None,
        "properties": {
            "created": created, "updated": updated, "type": "service",
            "title": doc.get("summary") or doc["id"],
            "description": doc.get("description", ""),
            "keywords": KEYWORDS,
            "language": LANGUAGE, "languages": [LANGUAGE],
            "contacts": [_contact(settings, "about")],
            "themes": [{"concepts": [{"id": "Sentinel-2 MSI"}, {"id": "Sentinel-3"}],
                        "scheme": "https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/sciencekeywords"}],
            "formats": [{"name": "netCDF"}, {"name": "GeoTIFF"}],
            "license": settings.license or "other",
            "version": latest.version,
        },
        "linkTemplates": [],
        "links": links,
    }


def benchmark_scenarios(latest: Release, settings: Settings) -> list[dict]:
    """The UDP's example call on the default back-end, saved as netCDF."""
    doc = latest.doc
    examples = doc.get("examples") or [{}]
    title = examples[0].get("title") or examples[0].get("description") or "example call"
    node = f"{doc['id']}1"
    return [{
        "id": doc["id"],
        "type": "openeo",
        "description": f"{doc['id']} {latest.version}: {title}",
        "backend": urllib.parse.urlsplit(settings.backend_url).netloc,
        "process_graph": {
            node: {"process_id": doc["id"], "namespace": settings.url(latest.version, UDP_FILE),
                   "arguments": example_arguments(doc)},
            "saveresult1": {"process_id": "save_result",
                            "arguments": {"data": {"from_node": node}, "format": "netCDF"}, "result": True},
        },
        "reference_data": {},
    }]


def catalogue_files(releases: list[Release], settings: Settings, dates: dict[str, ChangelogEntry],
                    notebook_url: str | None = None) -> dict[str, object]:
    """Site path -> document of the catalogue folder."""
    paths = folder(releases[-1].doc["id"])
    return {
        paths["provider"]: provider_record(releases, settings, dates),
        paths["record"]: service_record(releases, settings, dates, notebook_url),
        paths["scenarios"]: benchmark_scenarios(releases[-1], settings),
    }


def folder_pages(process_id: str, nav=None) -> dict[str, str]:
    """Site path -> HTML of an index page for each folder of the catalogue layout, so that every
    folder URL answers on a static host (relative links to what the folder holds)."""
    paths = folder(process_id)
    base = f"apex/{PROVIDER_ID}"
    listing = {
        f"{base}/index.html": [("record.json", "provider record"),
                               (f"{process_id}/index.html", f"the {process_id} service")],
        f"{base}/{process_id}/index.html": [
            (paths["record"][len(base) + len(process_id) + 2:], "service record"),
            (paths["scenarios"][len(base) + len(process_id) + 2:], "benchmark scenario")],
    }
    home = {f"{base}/index.html": "../../index.html", f"{base}/{process_id}/index.html": "../../../index.html"}
    return {path: pages.render_folder(f"ESA APEx catalogue folder: {path[:-len('index.html')]}", entries, home[path],
                                      nav, path)
            for path, entries in listing.items()}
