"""The catalogue documents of the site: process listings, the Web Editor link, and the release
dates from the changelog (the ESA APEx catalogue folder is ``site/apex.py``)."""

from __future__ import annotations

import dataclasses
import datetime
import re
import urllib.parse

from efast_udp.errors import UsageError
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


class Changelog(dict):
    """version -> :class:`ChangelogEntry`, and the name of the file they come from (``source``)."""

    source = "CHANGELOG.md"


def changelog_entries(text: str, source: str = "CHANGELOG.md") -> Changelog:
    """The dated version headings of a changelog (``## [0.3.0] - 2026-05-01``); a date that is not
    a calendar date (``2026-13-45``) is refused, naming ``source`` and the line."""
    entries = Changelog()
    entries.source = source
    for number, line in enumerate(text.splitlines(), 1):
        m = _CHANGELOG_HEADING_RE.match(line.strip())
        if m and is_version(m.group(1)):
            if m.group(2):
                try:
                    datetime.date.fromisoformat(m.group(2))
                except ValueError:
                    raise UsageError(f"{source} line {number}: {m.group(2)!r} (for {m.group(1)}) is not a calendar "
                                     "date; expected YYYY-MM-DD") from None
            entries[m.group(1)] = ChangelogEntry(m.group(1), m.group(2))
    return entries
