"""The catalogue documents of the site: process listings, the APEx-style service record and
benchmark scenario, the Web Editor link, and the release dates from the changelog."""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

from efast_udp.document import example_arguments
from efast_udp.release import Release
from efast_udp.settings import Settings

UDP_FILE = "efast.json"
LISTING_FILE = "processes.json"
EDITOR_URL = "https://editor.openeo.org/"
APEX_PLATFORM = (
    "https://raw.githubusercontent.com/ESA-APEx/apex_algorithms/refs/heads/main/platform_catalog/cdse_openeo_federation.json"
)
#: Keywords from the APEx record vocabulary (EarthData taxonomy subset) that describe EFAST.
APEX_KEYWORDS = ["Sentinel-2", "Vegetation", "Normalized Difference Vegetation Index (NDVI)", "Data Analysis and Visualization"]
_CHANGELOG_HEADING_RE = re.compile(r"^##\s+\[?v?([^\]\s]+)\]?(?:\s*-\s*(\d{4}-\d{2}-\d{2}))?\s*$")
_VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def _is_https(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme == "https" and bool(parsed.netloc)


def listing(release: Release, settings: Settings, latest: bool) -> dict:
    """An openEO process listing (``GET /processes`` shape) holding one release."""
    v = release.version
    if latest:
        self_href, title = settings.url(LISTING_FILE), f"Latest EFAST process (currently {v})"
        links = [
            {"rel": "self", "href": self_href, "type": "application/json", "title": title},
            {"rel": "alternate", "href": settings.url(v, LISTING_FILE), "type": "application/json",
             "title": f"This version, pinned ({v})"},
        ]
    else:
        links = [
            {"rel": "self", "href": settings.url(v, LISTING_FILE), "type": "application/json",
             "title": f"EFAST process {v}"},
            {"rel": "latest-version", "href": settings.url(LISTING_FILE), "type": "application/json",
             "title": "Latest version"},
        ]
    links += [
        {"rel": "alternate", "href": settings.url(v, UDP_FILE), "type": "application/json",
         "title": f"Process definition {v}"},
        {"rel": "about", "href": settings.base_url + "/", "type": "text/html", "title": "Documentation"},
    ]
    return {"processes": [release.doc], "links": links}


def editor_url(process_id: str, process_url: str, backend_url: str) -> str:
    query = urllib.parse.urlencode(
        {"wizard": "UDP", "wizard~process": process_id, "wizard~processUrl": process_url, "server": backend_url},
        quote_via=urllib.parse.quote,
        safe="",
    )
    return f"{EDITOR_URL}?{query}"


@dataclasses.dataclass(frozen=True)
class ChangelogEntry:
    version: str
    date: str | None


def changelog_entries(text: str) -> dict[str, ChangelogEntry]:
    entries = {}
    for line in text.splitlines():
        m = _CHANGELOG_HEADING_RE.match(line.strip())
        if m and _VERSION_RE.match(m.group(1)):
            entries[m.group(1)] = ChangelogEntry(m.group(1), m.group(2))
    return entries


def record(releases: list[Release], settings: Settings, dates: dict[str, ChangelogEntry]) -> dict:
    """APEx-style OGC API record of the latest release."""
    latest = releases[-1]
    doc = latest.doc
    created = next((dates[r.version].date for r in releases if r.version in dates and dates[r.version].date), None)
    updated = dates.get(latest.version).date if latest.version in dates else None
    process_url = settings.url(latest.version, UDP_FILE)
    backend_host = urllib.parse.urlsplit(settings.backend_url).netloc
    properties = {
        "created": f"{created}T00:00:00Z" if created else None,
        "updated": f"{updated}T00:00:00Z" if updated else None,
        "type": "service",
        "title": doc.get("summary") or doc["id"],
        "description": doc.get("description", ""),
        "keywords": APEX_KEYWORDS,
        "language": {"code": "en-US", "name": "English (United States)"},
        "languages": [{"code": "en-US", "name": "English (United States)"}],
        "contacts": [
            {
                "name": "efast-udp maintainers",
                "roles": ["principal investigator", "service provider"],
                "links": [{"rel": "about", "type": "text/html", "href": settings.source_repository or settings.base_url + "/"}],
            }
        ],
        "themes": [
            {
                "concepts": [{"id": k} for k in APEX_KEYWORDS],
                "scheme": "https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/sciencekeywords",
            }
        ],
        "formats": [{"name": "netCDF"}, {"name": "GTiff"}],
        "license": settings.license,
        "version": latest.version,
    }
    links = [
        {"rel": "application", "type": "application/json", "title": f"openEO process definition {latest.version}", "href": process_url},
        {"rel": "service", "type": "application/json", "title": "openEO back-end", "href": settings.backend_url},
        {"rel": "platform", "type": "application/json", "title": f"openEO platform ({backend_host})", "href": APEX_PLATFORM},
        {"rel": "about", "type": "text/html", "title": "Documentation, versions and changelog", "href": settings.base_url + "/"},
        {"rel": "webapp", "type": "text/html", "title": "Open in openEO Web Editor",
         "href": editor_url(doc["id"], process_url, settings.backend_url)},
    ]
    if settings.source_repository:
        links.append({"rel": "code", "type": "text/html", "title": "Source repository", "href": settings.source_repository})
    for link in doc.get("links", []):
        if isinstance(link, dict) and link.get("rel") == "cite-as" and _is_https(str(link.get("href", ""))):
            links.append({"rel": "cite-as", "type": "text/html", "title": link.get("title") or "Cite as", "href": link["href"]})
    return {
        "id": doc["id"],
        "type": "Feature",
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core",
            "https://apex.esa.int/core/openeo-udp",
        ],
        "geometry": None,
        "properties": {k: v for k, v in properties.items() if v is not None},
        "linkTemplates": [],
        "links": links,
    }


def benchmark_scenarios(latest: Release, settings: Settings) -> list[dict]:
    """APEx-style benchmark scenario: the UDP's example call on the default back-end."""
    doc = latest.doc
    examples = doc.get("examples") or [{}]
    title = examples[0].get("title") or examples[0].get("description") or "example call"
    return [
        {
            "id": doc["id"],
            "type": "openeo",
            "description": f"{doc['id']} {latest.version}: {title}",
            "backend": urllib.parse.urlsplit(settings.backend_url).netloc,
            "process_graph": {
                f"{doc['id']}1": {
                    "process_id": doc["id"],
                    "namespace": settings.url(latest.version, UDP_FILE),
                    "arguments": example_arguments(doc),
                },
                "saveresult1": {
                    "process_id": "save_result",
                    "arguments": {"data": {"from_node": f"{doc['id']}1"}, "format": "netCDF"},
                    "result": True,
                },
            },
            "reference_data": {},
        }
    ]
