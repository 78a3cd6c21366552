"""Releases: what ``udp/`` holds, when a version is released, and the checks that keep it so.

Layout (all committed):
  udp/efast.json                      the latest version (byte-identical to its release file)
  udp/releases/<version>/efast.json   one file per version
  udp/releases/SHA256SUMS             the SHA-256 of every release file (``sha256sum -c``)
  generator/efast_udp/released_udfs.json
                                      the SHA-256 of every UDF in the release files: the code
                                      ``efast-udp run`` vouches for (see ``efast_udp.trust``)

**A version is released by the first commit that holds its file** ``udp/releases/<version>/efast.json``;
from then on that file never changes: ``efast-udp check`` compares every release file with its
content in that commit and with ``SHA256SUMS``, and ``build`` and ``site`` refuse to change it.
Until that commit the file is a draft of the version in development (``[project] version``),
rendered again freely. 0.1.0 predates this rule: it counts from the commit that moved the
project to 0.2.0 (``LEGACY_RELEASE_COMMITS``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from efast_udp import checksums, trust, udp
from efast_udp.checksums import SUMS_NAME, parse_sums, sha256
from efast_udp.document import dump_json, parse_json, read_bytes
from efast_udp.errors import ReleaseError
from efast_udp.git import git, in_repo
from efast_udp.project import UDP_DIR, UDP_FILE, is_version, project_version, version_key
from efast_udp.settings import Settings
from efast_udp.validation import validate_udp

#: Versions released before "the first commit releases": version -> the commit that released it.
LEGACY_RELEASE_COMMITS = {"0.1.0": "442220005064ebd35343834de299b3c057691d1b"}


# --- release files ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Release:
    """One file of ``udp/releases``."""

    version: str
    path: Path
    data: bytes

    @functools.cached_property
    def doc(self) -> dict:
        return parse_json(self.data, self.path)

    @property
    def sha256(self) -> str:
        return sha256(self.data)


def release_dir(udp_dir: Path) -> Path:
    return udp_dir / "releases"


def load_releases(udp_dir: Path = UDP_DIR) -> list[Release]:
    """Every ``udp/releases/<version>/efast.json``, lowest version first."""
    found = []
    folder = release_dir(udp_dir)
    if not folder.is_dir():
        return []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == SUMS_NAME:
            continue
        if not entry.is_dir() or not is_version(entry.name):
            raise ReleaseError(f"unexpected {entry} (udp/releases holds one folder per version and {SUMS_NAME})")
        path = entry / UDP_FILE
        if not path.is_file():
            raise ReleaseError(f"release folder {entry} has no {UDP_FILE}")
        found.append(Release(entry.name, path, read_bytes(path)))
    return sorted(found, key=lambda r: version_key(r.version))


def predecessor_of(version: str, releases: list[Release]) -> str | None:
    older = [r.version for r in releases if version_key(r.version) < version_key(version)]
    return older[-1] if older else None


def render_sums(entries: dict[str, bytes]) -> str:
    """``SHA256SUMS`` text for ``{"<version>/efast.json": bytes}``, in version order."""
    return checksums.render_sums(entries, order=lambda rel: version_key(rel.split("/")[0]))


# --- git -------------------------------------------------------------------------------------

def released_content(release: Release, repo: tuple[Path, str]) -> tuple[bytes, str] | None:
    """(content, "commit abc1234") of the file as its version was released, or ``None`` while it
    is a draft (no commit holds it). ``repo``: (repository top, path of udp/ in it)."""
    top = repo[0]
    rel = PurePosixPath(repo[1], "releases", release.version, UDP_FILE).as_posix()
    commit = LEGACY_RELEASE_COMMITS.get(release.version)
    if commit is None or git(top, "cat-file", "-e", f"{commit}^{{commit}}") is None:
        log = git(top, "log", "--format=%H", "--reverse", "--", rel)
        commit = log.decode().split()[0] if log and log.split() else None
    if commit is None:
        return None
    content = git(top, "show", f"{commit}:{rel}")
    return (content, f"commit {commit[:10]}") if content is not None else None


# --- rendering and checking ------------------------------------------------------------------

def render(settings: Settings, version: str | None = None, udp_dir: Path = UDP_DIR,
           until: str | None = None, releases: list[Release] | None = None) -> str:
    """The text of ``version`` (default: the project version) as the generator renders it now;
    ``releases``: those of ``udp_dir`` when the caller has them loaded."""
    version = version or project_version()
    version_key(version)
    releases = load_releases(udp_dir) if releases is None else releases
    return dump_json(udp.build_udp(settings, version, predecessor_of(version, releases), until=until))


def _difference(old: bytes, new: bytes) -> str:
    """How two versions of a file differ, in a few words: the first differing line, shown around
    the first character that differs."""
    old_lines, new_lines = old.decode("utf-8", "replace").splitlines(), new.decode("utf-8", "replace").splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines), 1):
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            start = max(0, at - 25)
            return f"first difference at line {number}: {a[start:at + 35]!r} -> {b[start:at + 35]!r}"
    return f"{len(old_lines)} lines -> {len(new_lines)} lines"


@dataclass
class Report:
    problems: list[str]
    notes: list[str]
    warnings: list[str] = field(default_factory=list)
    #: The release files, lowest version first; the versions no commit holds yet (in a git
    #: checkout); and for the others, the content and commit that released them.
    releases: list[Release] = field(default_factory=list)
    drafts: frozenset[str] = frozenset()
    references: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def _committed_versions(repo: tuple[Path, str]) -> set[str]:
    """Versions whose release file some commit of the history holds (``repo``: top, udp path)."""
    top, rel = repo
    names = git(top, "log", "--format=", "--name-only", "--", f"{rel}/releases")
    found = set()
    for name in (names or b"").decode("utf-8", "replace").splitlines():
        parts = name.strip().split("/")
        if len(parts) >= 2 and parts[-1] == UDP_FILE and is_version(parts[-2]):
            found.add(parts[-2])
    return found


_CURRENT = object()


def verify(udp_dir: Path = UDP_DIR, settings: Settings | None = None, current=_CURRENT) -> Report:
    """Every release file against its released content (git), ``SHA256SUMS`` and, with
    ``settings``, where the current generator still renders it identically, a fresh render.
    ``current``: the version in development (default: the project version; ``None``: any
    draft may be the one)."""
    releases = load_releases(udp_dir)
    report = Report([], [], releases=releases)
    current = project_version() if current is _CURRENT else current
    sums_path = release_dir(udp_dir) / SUMS_NAME
    sums = parse_sums(sums_path.read_text("utf-8"), str(sums_path)) if sums_path.is_file() else {}
    base = udp_dir.parent
    repo = in_repo(udp_dir)
    in_git = repo is not None
    if not in_git:
        report.notes.append("not a git checkout: release files verified against SHA256SUMS only")
    else:
        if (git(repo[0], "rev-parse", "--is-shallow-repository") or b"").strip() == b"true":
            report.warnings.append("a shallow clone: the history that released each file may be cut off, so a "
                                   "changed release can pass; run `git fetch --unshallow` for a full check")
        present = {r.version for r in releases}
        for version in sorted(_committed_versions(repo) - present, key=version_key):
            report.problems.append(f"udp/releases/{version}/{UDP_FILE} was released (committed) and is gone; "
                                   "released versions are never removed")
    for release in releases:
        name = release.path.relative_to(base)
        if current is not None and version_key(release.version) > version_key(current):
            report.problems.append(f"{name}: version {release.version} is newer than the project version {current}")
        reference = released_content(release, repo) if in_git else None
        if reference is not None:
            report.references[release.version] = reference
        if in_git and reference is None and current is not None and release.version != current:
            report.problems.append(f"{name}: no commit holds it and it is not the version in development "
                                   f"({current}); commit it with its version or remove it")
        elif reference is not None and reference[0] != release.data:
            report.problems.append(
                f"{name} differs from its release ({reference[1]}): sha256 {sha256(reference[0])[:12]} -> "
                f"{release.sha256[:12]}, {_difference(reference[0], release.data)}; released files never change")
        listed = sums.get(f"{release.version}/{UDP_FILE}")
        draft = in_git and reference is None
        if draft:
            report.drafts |= {release.version}
        if listed is not None and listed != release.sha256 and not draft:
            report.problems.append(f"{name}: sha256 {release.sha256[:12]} differs from {SUMS_NAME} ({listed[:12]})")
        if settings is not None and release.version != current:
            same = render(settings, release.version, udp_dir, releases=releases).encode("utf-8") == release.data
            report.notes.append(f"{release.version}: " + ("re-rendered identically" if same else
                                                          "frozen (the generator has changed since)"))
    return report


def expected_files(settings: Settings, udp_dir: Path, releases: list[Release]) -> dict[Path, str]:
    """What ``udp/`` and the trust list must contain for the current version (``releases``:
    those of ``udp_dir``)."""
    version = project_version()
    newer = [r.version for r in releases if version_key(r.version) > version_key(version)]
    if newer:
        raise ReleaseError(f"version {version} is older than the released {newer[-1]}; bump [project] version "
                           "in pyproject.toml")
    text = render(settings, version, udp_dir, releases=releases)
    current = release_dir(udp_dir) / version / UDP_FILE
    files = {udp_dir / UDP_FILE: text, current: text}
    older = [r for r in releases if r.version != version]
    contents = {f"{r.version}/{UDP_FILE}": r.data for r in older}
    contents[f"{version}/{UDP_FILE}"] = text.encode("utf-8")
    files[release_dir(udp_dir) / SUMS_NAME] = render_sums(contents)
    documents = {r.version: r.doc for r in older}
    documents[version] = parse_json(text, current)
    files[trust.list_path(udp_dir)] = trust.render_list(documents)
    return files


def refuse_released_changes(files: dict[Path, str], udp_dir: Path, report: Report) -> None:
    """A render must never change a released file (outside a git checkout: any existing one);
    ``report``: what :func:`verify` found."""
    version = project_version()
    path = release_dir(udp_dir) / version / UDP_FILE
    if path in files and path.is_file() and path.read_text("utf-8") != files[path]:
        if version not in report.drafts:
            reference = report.references.get(version)
            where = f" ({reference[1]})" if reference else ""
            raise ReleaseError(
                f"{path.relative_to(udp_dir.parent)} is released{where} and would change; released files never "
                "change: bump [project] version in pyproject.toml and add a CHANGELOG.md entry")


def refuse_invalid(files: dict[Path, str]) -> None:
    """Nothing is written unless the render passes the validator (schemas, specs, profile, UDFs)."""
    path = next(p for p in files if p.name == UDP_FILE)
    findings = validate_udp(parse_json(files[path], path), require_file_name=str(path), lint=True)
    if findings:
        details = "; ".join(f.format() for f in findings[:5])
        raise ReleaseError(f"the render is not a valid UDP ({len(findings)} findings), nothing written: {details}")


def write(settings: Settings, udp_dir: Path = UDP_DIR) -> list[Path]:
    """Check the releases, render, validate and write ``udp/`` and the trust list; returns the
    files that changed. Never changes a released file."""
    report = verify(udp_dir)
    if report.problems:
        raise ReleaseError(report.problems[0])
    files = expected_files(settings, udp_dir, report.releases)
    refuse_released_changes(files, udp_dir, report)
    refuse_invalid(files)
    changed = []
    for path, text in files.items():
        if not path.exists() or path.read_text("utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def check(settings: Settings, udp_dir: Path = UDP_DIR, verbose: bool = False) -> Report:
    """Everything ``efast-udp check`` reports: every release verified, and ``udp/`` (plus the
    trust list) equal to a fresh render. ``verbose`` adds a note per older release saying
    whether the generator still renders it identically (it renders each of them)."""
    report = verify(udp_dir, settings if verbose else None)
    files = expected_files(settings, udp_dir, report.releases)
    for path, text in files.items():
        rel = path.relative_to(udp_dir.parent) if path.is_relative_to(udp_dir.parent) else path
        if not path.exists():
            report.problems.append(f"{rel} is missing; run `make build-udp`")
        elif path.read_text("utf-8") != text:
            report.problems.append(f"{rel} differs from a fresh render; run `make build-udp` (never edit it by hand)")
    return report


# --- what was published ----------------------------------------------------------------------

def _is_released_path(rel: str, drafts: frozenset[str] = frozenset()) -> bool:
    head = rel.partition("/")[0]
    if head in drafts:
        return False
    return is_version(head)


def verify_published(out_dir: Path, files: dict[str, bytes], versions: set[str], drafts: frozenset[str]) -> None:
    """Refuse when a released file already published in ``out_dir`` (a site) would change to
    ``files`` (site path -> bytes), or a released version published there vanished."""
    if not out_dir.is_dir():
        return
    for entry in sorted(out_dir.iterdir()):
        if entry.is_dir() and _is_released_path(entry.name) and entry.name not in versions:
            raise ReleaseError(f"released version {entry.name} is published in {out_dir} but missing from "
                               "udp/releases; released versions are never removed")
    for rel, data in sorted(files.items()):
        old = out_dir / rel
        if _is_released_path(rel, drafts) and old.is_file() and old.read_bytes() != data:
            raise ReleaseError(
                f"refusing to rewrite released file {old}: its content would change (sha256 "
                f"{sha256(old.read_bytes())[:12]} -> {sha256(data)[:12]}); release a new version instead")


def verify_against_sums(sums_file: Path, files: dict[str, bytes]) -> None:
    """Refuse when a released file listed in a previously published ``SHA256SUMS`` would change."""
    previous = parse_sums(read_bytes(sums_file).decode("utf-8", "replace"), str(sums_file))
    for rel, digest in sorted(previous.items()):
        if not _is_released_path(rel):
            continue
        if rel not in files:
            raise ReleaseError(f"released file {rel} (listed in {sums_file}) would no longer be published")
        if sha256(files[rel]) != digest:
            raise ReleaseError(
                f"refusing to rewrite released file {rel}: it was published with sha256 {digest[:12]}, now "
                f"{sha256(files[rel])[:12]}; released versions are immutable, release a new version instead")
