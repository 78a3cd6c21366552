"""Render the static site (``public/``) from the committed UDP files (``udp/``).

Layout, relative to the site's base URL::

    efast.json                  latest release, byte-identical to udp/releases/<latest>/efast.json
    processes.json              latest release as an openEO process listing
    <version>/efast.json        every release, byte-identical to udp/releases/<version>/efast.json
    <version>/processes.json    every release as a listing
    index.html                  documentation page (parameters, Python snippets, versions, changelog)
    algorithm.html              docs/algorithm.md: the algorithm as this UDP implements it
    apex/<provider>/...         the folder the ESA APEx catalogue takes as it is (site/apex.py)
    logo-light.svg, logo-dark.svg   the logos the APEx provider record links
    efast-demo.png              the landing page's demo figure (committed, redrawn by `make site-figures`)
    thumbnail.png               the APEx service record's thumbnail (the same)
    SHA256SUMS                  checksums of every other file (``sha256sum -c SHA256SUMS``)
    .nojekyll                   GitHub Pages: serve files as they are

Rendering is deterministic (no clocks, sorted output). Which versions are released is decided by
``efast_udp.release`` (the first commit holding a release file releases it). Before anything is
written, every release file is verified there, and released files are compared with what was
published before: the existing output directory and any previously published ``SHA256SUMS``.
The output directory is replaced only when it is new, empty or written by ``efast-udp site``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable

from efast_udp import release
from efast_udp.checksums import SUMS_NAME, render_sums, sha256
from efast_udp.document import dump_json, read_bytes
from efast_udp.errors import InvalidDocument, ReleaseError, UnreadableInput
from efast_udp.outputs import check_directory, replace_directory
from efast_udp.project import ROOT, UDP_FILE
from efast_udp.release import Release
from efast_udp.settings import Settings
from efast_udp.site import apex, catalogue, pages
from efast_udp.site.catalogue import LISTING_FILE

ALGORITHM_DOC = ROOT / "docs" / "algorithm.md"
#: the executed example notebook, published as it is (``notebooks/efast.ipynb``) and linked from
#: the APEx service record (``rel: notebook``)
NOTEBOOK = ROOT / "docs" / "notebooks" / "efast.ipynb"
NOTEBOOK_PATH = "notebooks/efast.ipynb"


@dataclasses.dataclass
class Site:
    files: dict[str, bytes]
    releases: list[Release]
    drafts: frozenset[str]

    @property
    def latest(self) -> Release:
        return self.releases[-1]


def verified_releases(udp_dir: Path) -> tuple[list[Release], frozenset[str]]:
    """The release files, each verified against its released content; and the drafts (files
    no commit holds yet), which may still change."""
    report = release.verify(udp_dir, current=None)
    releases = report.releases
    if not releases:
        raise UnreadableInput(f"{release.release_dir(udp_dir)} holds no release; render the UDP first (make build-udp)")
    if report.problems:
        raise ReleaseError(f"refusing to publish: {report.problems[0]}")
    ids = {r.doc.get("id") for r in releases}
    if len(ids) != 1:
        raise ReleaseError(f"releases define different process ids: {', '.join(sorted(map(str, ids)))}")
    latest_file = udp_dir / UDP_FILE
    if latest_file.is_file() and latest_file.read_bytes() != releases[-1].data:
        raise ReleaseError(f"{latest_file} differs from {releases[-1].path} (the highest release, "
                           f"{releases[-1].version}); re-render with `make build-udp`")
    return releases, report.drafts


def render_site(udp_dir: Path, settings: Settings, changelog_text: str = "", algorithm_text: str = "",
                changelog_name: str = "CHANGELOG.md", notebook: bytes | None = None) -> Site:
    """All files of the site, in memory (path relative to the site root -> content);
    ``changelog_name`` names the changelog in errors; ``notebook``: the example notebook's bytes."""
    releases, drafts = verified_releases(udp_dir)
    latest = releases[-1]
    dates = catalogue.changelog_entries(changelog_text, changelog_name)
    files: dict[str, bytes] = {}
    for r in releases:
        files[f"{r.version}/{UDP_FILE}"] = r.data
        files[f"{r.version}/{LISTING_FILE}"] = _json(catalogue.listing(r, settings, latest=False))
    files[UDP_FILE] = latest.data
    files[LISTING_FILE] = _json(catalogue.listing(latest, settings, latest=True))
    notebook_url = settings.url(NOTEBOOK_PATH) if notebook else None
    if notebook:
        files[NOTEBOOK_PATH] = notebook
    for rel, doc in apex.catalogue_files(releases, settings, dates, notebook_url).items():
        files[rel] = _json(doc)
    nav = pages.navigation(apex.INDEX, NOTEBOOK_PATH if notebook else None)
    for rel, text in apex.folder_pages(latest.doc["id"], nav).items():  # every folder URL the docs give answers
        files[rel] = text.encode("utf-8")
    for name in (*apex.LOGOS.values(), pages.DEMO_FIGURE, apex.THUMBNAIL):
        files[name] = pages.static_file(name)
    files["algorithm.html"] = pages.render_document(
        algorithm_text, "EFAST as this process implements it", latest.doc["id"], latest.version,
        f"{settings.source_repository}/blob/main/docs/algorithm.md", formulas=True, nav=nav).encode("utf-8")
    files[".nojekyll"] = b""
    try:
        files["index.html"] = pages.render_index(
            releases=releases, settings=settings, changelog_text=changelog_text, dates=dates,
            checksums={rel: sha256(data) for rel, data in files.items()}, apex=apex.folder(latest.doc["id"]), nav=nav,
        ).encode("utf-8")
    except InvalidDocument as exc:  # the landing page draws the newest release's graph
        raise InvalidDocument(f"{latest.path}: {exc}") from None
    files[SUMS_NAME] = render_sums(files).encode("utf-8")
    return Site(files=files, releases=releases, drafts=drafts)


def _json(doc) -> bytes:
    return dump_json(doc).encode("utf-8")


def build(udp_dir: Path, out_dir: Path, settings: Settings, changelog: Path | None = None,
          previous_sums: Iterable[Path] = (), algorithm: Path | None = ALGORITHM_DOC,
          notebook: Path | None = NOTEBOOK) -> Site:
    """Render, check that no released file changes, then replace ``out_dir``."""
    out = check_directory(out_dir, "site")
    texts = [read_bytes(path).decode("utf-8", "replace") if path is not None else "" for path in (changelog, algorithm)]
    notebook_bytes = read_bytes(notebook) if notebook is not None and Path(notebook).is_file() else None
    site = render_site(udp_dir, settings, *texts, changelog_name=str(changelog) if changelog else "CHANGELOG.md",
                       notebook=notebook_bytes)
    for sums in previous_sums:
        release.verify_against_sums(Path(sums), site.files)
    release.verify_published(out, site.files, {r.version for r in site.releases}, site.drafts)
    replace_directory(out_dir, "site", site.files)
    return site
