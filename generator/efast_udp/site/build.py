"""Render the static site (``public/``) from the committed UDP files (``udp/``).

Layout, relative to the site's base URL::

    efast.json                  latest release, byte-identical to udp/releases/<latest>/efast.json
    processes.json              latest release as an openEO process listing
    <version>/efast.json        every release, byte-identical to udp/releases/<version>/efast.json
    <version>/processes.json    every release as a listing
    index.html                  documentation page (parameters, Python snippets, versions, changelog)
    record.json                 APEx-style OGC API record
    benchmark_scenario.json     APEx-style benchmark scenario (the UDP's example call)
    SHA256SUMS                  checksums of every other file (``sha256sum -c SHA256SUMS``)
    .nojekyll                   GitHub Pages: serve files as they are

Rendering is deterministic (no clocks, sorted output). Released files never change: before anything
is written, every released file is compared with what was published before (the existing output
directory, an optional previous ``SHA256SUMS`` and, in a git checkout, the file as released before
the version bump).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import Iterable

from efast_udp.errors import EfastUdpError, ReleaseError, SettingsError

UDP_FILE = "efast.json"
LISTING_FILE = "processes.json"
SUMS_FILE = "SHA256SUMS"
DEFAULT_BACKEND = "https://openeo.dataspace.copernicus.eu"
EDITOR_URL = "https://editor.openeo.org/"
APEX_PLATFORM = (
    "https://raw.githubusercontent.com/ESA-APEx/apex_algorithms/refs/heads/main/platform_catalog/cdse_openeo_federation.json"
)
#: Keywords from the APEx record vocabulary (EarthData taxonomy subset) that describe EFAST.
APEX_KEYWORDS = ["Sentinel-2", "Vegetation", "Normalized Difference Vegetation Index (NDVI)", "Data Analysis and Visualization"]

_VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_CHANGELOG_HEADING_RE = re.compile(r"^##\s+\[?v?([^\]\s]+)\]?(?:\s*-\s*(\d{4}-\d{2}-\d{2}))?\s*$")


def version_key(version: str) -> tuple[int, int, int]:
    m = _VERSION_RE.match(version)
    if not m:
        raise EfastUdpError(f"{version!r} is not a release version (expected MAJOR.MINOR.PATCH, e.g. 0.1.0)")
    return tuple(int(x) for x in m.groups())  # type: ignore[return-value]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dump_json(doc) -> bytes:
    """The one JSON serialisation of generated files: 2-space indent, UTF-8, trailing newline."""
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclasses.dataclass(frozen=True)
class Settings:
    base_url: str
    source_repository: str | None = None
    backend_url: str = DEFAULT_BACKEND
    license: str | None = None

    def __post_init__(self):
        for name in ("base_url", "source_repository", "backend_url"):
            value = getattr(self, name)
            if value is not None and not _is_https(value):
                raise SettingsError(f"{name} must be an absolute https URL, got {value!r}")

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    def url(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    @classmethod
    def from_pyproject(cls, pyproject: dict, backend_url: str | None = None) -> "Settings":
        tool = pyproject.get("tool", {}).get("efast-udp", {})
        base_url = os.environ.get("EFAST_UDP_BASE_URL") or tool.get("base_url")  # as efast_udp.settings
        if not base_url:
            raise SettingsError("pyproject.toml has no [tool.efast-udp] base_url (where the site is published)")
        license_ = pyproject.get("project", {}).get("license")
        if isinstance(license_, dict):
            license_ = license_.get("text")
        return cls(
            base_url=base_url,
            source_repository=tool.get("source_repository"),
            backend_url=backend_url or tool.get("backend_url") or DEFAULT_BACKEND,
            license=license_,
        )


def _is_https(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme == "https" and bool(parsed.netloc)


@dataclasses.dataclass(frozen=True)
class Release:
    version: str
    source: Path
    data: bytes
    doc: dict

    @property
    def sha256(self) -> str:
        return sha256(self.data)


def load_releases(udp_dir: Path) -> list[Release]:
    """Every ``udp/releases/<version>/efast.json``, lowest version first."""
    releases_dir = udp_dir / "releases"
    if not releases_dir.is_dir():
        raise EfastUdpError(f"{releases_dir} does not exist; render the UDP first (make build-udp)")
    releases = []
    for entry in sorted(releases_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            raise EfastUdpError(f"unexpected file {entry} (udp/releases holds one folder per version)")
        version_key(entry.name)  # raises for a folder that is not a version
        path = entry / UDP_FILE
        if not path.is_file():
            raise EfastUdpError(f"release folder {entry} has no {UDP_FILE}")
        data = path.read_bytes()
        doc = _parse_udp(path, data)
        releases.append(Release(entry.name, path, data, doc))
    if not releases:
        raise EfastUdpError(f"{releases_dir} holds no release; render the UDP first (make build-udp)")
    releases.sort(key=lambda r: version_key(r.version))
    ids = {r.doc["id"] for r in releases}
    if len(ids) != 1:
        raise EfastUdpError(f"releases define different process ids: {', '.join(sorted(ids))}")
    return releases


def _parse_udp(path: Path, data: bytes) -> dict:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EfastUdpError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not isinstance(doc.get("process_graph"), dict):
        raise EfastUdpError(f"{path} is not an openEO process definition (needs 'id' and 'process_graph')")
    return doc


def check_latest_file(udp_dir: Path, latest: Release) -> None:
    """``udp/efast.json`` must be the highest release, byte for byte."""
    path = udp_dir / UDP_FILE
    if not path.is_file():
        return
    if path.read_bytes() != latest.data:
        raise EfastUdpError(
            f"{path} differs from {latest.source} (the highest release, {latest.version}); "
            "re-render with `make build-udp`"
        )


# --------------------------------------------------------------------------------------------------
# immutability of released files


def released_paths(version: str) -> tuple[str, str]:
    return f"{version}/{UDP_FILE}", f"{version}/{LISTING_FILE}"


def check_against_published(
    out_dir: Path, files: dict[str, bytes], releases: list[Release], unreleased: frozenset[str] = frozenset()
) -> None:
    """Refuse when a released file already in ``out_dir`` would change or a released version vanished.

    Versions in ``unreleased`` (the project version before its tag exists) may still change."""
    if not out_dir.is_dir():
        return
    versions = {r.version for r in releases}
    for entry in sorted(out_dir.iterdir()):
        if entry.is_dir() and _VERSION_RE.match(entry.name) and entry.name not in versions | unreleased:
            raise ReleaseError(
                f"released version {entry.name} is published in {out_dir} but missing from udp/releases; "
                "released versions are never removed"
            )
    for rel, data in sorted(files.items()):
        if not _is_released_path(rel) or rel.partition("/")[0] in unreleased:
            continue
        old = out_dir / rel
        if old.is_file() and old.read_bytes() != data:
            raise ReleaseError(
                f"refusing to rewrite released file {old}: its content would change "
                f"(sha256 {sha256(old.read_bytes())[:12]} -> {sha256(data)[:12]}); "
                "released versions are immutable, release a new version instead"
            )


def check_against_sums(sums_file: Path, files: dict[str, bytes]) -> None:
    """Refuse when a released file listed in a previously published ``SHA256SUMS`` would change."""
    try:
        previous = parse_sums(sums_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EfastUdpError(f"cannot read {sums_file}: {exc.strerror or exc}") from exc
    for rel, digest in sorted(previous.items()):
        if not _is_released_path(rel):
            continue
        if rel not in files:
            raise ReleaseError(f"released file {rel} (listed in {sums_file}) would no longer be published")
        if sha256(files[rel]) != digest:
            raise ReleaseError(
                f"refusing to rewrite released file {rel}: it was published with sha256 {digest[:12]}, "
                f"now {sha256(files[rel])[:12]}; released versions are immutable, release a new version instead"
            )


def check_against_git(releases: list[Release], unreleased: frozenset[str] = frozenset()) -> None:
    """In a git checkout, a released file must equal its content at the release tag ``v<version>``
    or, for a released version without a tag, its content in the last commit before the project
    version moved past it. Versions in
    ``unreleased`` are checked only once their tag exists."""
    for release in releases:
        reference, where = _committed_reference(release, check_untagged=release.version not in unreleased)
        if reference is not None and reference != release.data:
            raise ReleaseError(
                f"refusing to publish {release.source}: it differs from {where} "
                f"(sha256 {sha256(reference)[:12]} -> {release.sha256[:12]}); released versions are immutable, "
                "release a new version instead"
            )


def release_tag_exists(path: Path, version: str) -> bool:
    """Whether the git repository holding ``path`` has the tag ``v<version>``."""
    if shutil.which("git") is None:
        return False
    cwd = path if path.is_dir() else path.parent
    return _git(cwd, "rev-parse", "-q", "--verify", f"refs/tags/v{version}^{{commit}}") is not None


def unreleased_versions(udp_dir: Path, project_version: str | None) -> frozenset[str]:
    """The project version, as long as its release tag does not exist: it may still be re-rendered."""
    if not project_version or release_tag_exists(udp_dir, project_version):
        return frozenset()
    return frozenset({project_version})


def _committed_reference(release: Release, check_untagged: bool) -> tuple[bytes | None, str]:
    """(content, description) of the committed reference for a released file, or (None, "")."""
    if shutil.which("git") is None:
        return None, ""
    path = release.source
    try:
        top = _git(path.parent, "rev-parse", "--show-toplevel")
        if top is None:
            return None, ""
        top_dir = Path(top.decode().strip()).resolve()
        rel = path.resolve().relative_to(top_dir).as_posix()
    except ValueError:
        return None, ""
    tag = f"v{release.version}"
    if _git(top_dir, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}") is not None:
        content = _git(top_dir, "show", f"{tag}:{rel}")
        return (content, f"the version at tag {tag}") if content is not None else (None, "")
    if not check_untagged:
        return None, ""
    # untagged: the release is the file as it was in the last commit before the version bump
    # (drafts committed while the version was still in development do not count)
    bump = _git(top_dir, "log", "-1", "--format=%H", "-S", f'version = "{release.version}"', "--", "pyproject.toml")
    if not bump or not bump.strip():
        return None, ""
    commit = bump.decode().strip()
    content = _git(top_dir, "show", f"{commit}^:{rel}")
    return (content, "the version released before the bump") if content is not None else (None, "")


def _git(cwd: Path, *args: str) -> bytes | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        proc = subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, timeout=30, check=False, env=env
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _is_released_path(rel: str) -> bool:
    head, _, _ = rel.partition("/")
    return bool(_VERSION_RE.match(head))


def parse_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.match(r"^([0-9a-f]{64}) [ *](.+)$", line)
        if not m:
            raise EfastUdpError(f"malformed SHA256SUMS line: {line!r}")
        sums[m.group(2)] = m.group(1)
    return sums


def render_sums(files: dict[str, bytes]) -> bytes:
    lines = [f"{sha256(data)}  {rel}\n" for rel, data in sorted(files.items()) if rel != SUMS_FILE]
    return "".join(lines).encode("utf-8")


# --------------------------------------------------------------------------------------------------
# derived documents


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
        {"rel": "about", "href": settings.base + "/", "type": "text/html", "title": "Documentation"},
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
                "links": [{"rel": "about", "type": "text/html", "href": settings.source_repository or settings.base + "/"}],
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
        {"rel": "about", "type": "text/html", "title": "Documentation, versions and changelog", "href": settings.base + "/"},
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


def example_arguments(doc: dict) -> dict:
    examples = doc.get("examples") or []
    if examples and isinstance(examples[0], dict) and isinstance(examples[0].get("arguments"), dict):
        return examples[0]["arguments"]
    return {}


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


# --------------------------------------------------------------------------------------------------
# the whole site


@dataclasses.dataclass
class Site:
    files: dict[str, bytes]
    releases: list[Release]

    @property
    def latest(self) -> Release:
        return self.releases[-1]


def render_site(udp_dir: Path, settings: Settings, changelog: Path | None = None) -> Site:
    """All files of the site, in memory (path relative to the site root -> content)."""
    from efast_udp.site import page  # jinja2 + markdown only when rendering

    releases = load_releases(udp_dir)
    latest = releases[-1]
    check_latest_file(udp_dir, latest)
    changelog_text = changelog.read_text(encoding="utf-8") if changelog and changelog.is_file() else ""
    dates = changelog_entries(changelog_text)

    files: dict[str, bytes] = {}
    for release in releases:
        files[f"{release.version}/{UDP_FILE}"] = release.data
        files[f"{release.version}/{LISTING_FILE}"] = dump_json(listing(release, settings, latest=False))
    files[UDP_FILE] = latest.data
    files[LISTING_FILE] = dump_json(listing(latest, settings, latest=True))
    files["record.json"] = dump_json(record(releases, settings, dates))
    files["benchmark_scenario.json"] = dump_json(benchmark_scenarios(latest, settings))
    files[".nojekyll"] = b""
    files["index.html"] = page.render_index(
        releases=releases,
        settings=settings,
        changelog_text=changelog_text,
        dates=dates,
        checksums={rel: sha256(data) for rel, data in files.items()},
    ).encode("utf-8")
    files[SUMS_FILE] = render_sums(files)
    return Site(files=files, releases=releases)


def write_site(site: Site, out_dir: Path) -> None:
    """Replace ``out_dir`` by the rendered site (built next to it, then swapped in)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for rel, data in sorted(site.files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
            out_dir.rename(old)
        tmp.rename(out_dir)
        tmp = None  # type: ignore[assignment]
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp)


def build(
    udp_dir: Path,
    out_dir: Path,
    settings: Settings,
    changelog: Path | None = None,
    previous_sums: Iterable[Path] = (),
    use_git: bool = True,
    unreleased: frozenset[str] = frozenset(),
) -> Site:
    """Render, check that no released file changes, then write ``out_dir``.

    ``unreleased``: versions still in development (the project version before its tag ``v<version>``
    exists); their files may change in ``out_dir`` and in git, but not against ``previous_sums``."""
    site = render_site(udp_dir, settings, changelog)
    if use_git:
        check_against_git(site.releases, unreleased)
    for sums in previous_sums:
        check_against_sums(sums, site.files)
    check_against_published(out_dir, site.files, site.releases, unreleased)
    write_site(site, out_dir)
    return site
