"""The catalogue documents of the site: process listings, the Web Editor link, and the release
dates from the changelog (the ESA APEx catalogue folder is ``site/apex.py``)."""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

from efast_udp.project import UDP_FILE
from efast_udp.release import Release, is_version
from efast_udp.settings import Settings

LISTING_FILE = "processes.json"
EDITOR_URL = "https://editor.openeo.org/"
_CHANGELOG_HEADING_RE = re.compile(r"^##\s+\[?v?([^\]\s]+)\]?(?:\s*-\s*(\d{4}-\d{2}-\d{2}))?\s*$")


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
        if m and is_version(m.group(1)):
            entries[m.group(1)] = ChangelogEntry(m.group(1), m.group(2))
    return entries
