"""Rendering ``udp/``: the latest file, the immutable per-version files, and their checks.

Layout (all committed):
  udp/efast.json                      the latest version (byte-identical to its release file)
  udp/releases/<version>/efast.json   one file per released version, never changed again
A version is released once its file is committed in ``udp/releases/``; a changed render of a
released version is refused: bump the version in pyproject.toml instead. A release file that
no commit holds yet (the version being prepared) is a draft and is rendered again freely.
Outside a git checkout every existing release file counts as released.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from efast_udp.errors import EfastUdpError, ReleaseError
from efast_udp.settings import Settings
from efast_udp.udp import PROCESS_ID, build_udp
from efast_udp.version import PROJECT_ROOT, project_version

UDP_DIR = PROJECT_ROOT / "udp"
FILE_NAME = f"{PROCESS_ID}.json"


def to_json(document: dict) -> str:
    """The canonical text: 2-space indent, UTF-8 characters as is, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def version_key(version: str) -> tuple:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise EfastUdpError(f"version {version!r} is not of the form X.Y.Z") from None


def released_versions(udp_dir: Path = UDP_DIR) -> list[str]:
    """Versions with a file in ``udp/releases/``, oldest first."""
    releases = udp_dir / "releases"
    if not releases.is_dir():
        return []
    found = [p.parent.name for p in releases.glob(f"*/{FILE_NAME}")]
    return sorted(found, key=version_key)


def predecessor_of(version: str, udp_dir: Path = UDP_DIR) -> str | None:
    older = [v for v in released_versions(udp_dir) if version_key(v) < version_key(version)]
    return older[-1] if older else None


def render(settings: Settings, version: str | None = None, udp_dir: Path = UDP_DIR,
           until: str | None = None) -> str:
    version = version or project_version()
    version_key(version)
    return to_json(build_udp(settings, version, predecessor_of(version, udp_dir), until=until))


def expected_files(settings: Settings, udp_dir: Path = UDP_DIR) -> dict[Path, str]:
    """What ``udp/`` must contain for the current version."""
    version = project_version()
    latest = max(released_versions(udp_dir) + [version], key=version_key)
    if latest != version:
        raise ReleaseError(f"version {version} is older than the released {latest}; bump the version in pyproject.toml")
    text = render(settings, version, udp_dir)
    return {udp_dir / FILE_NAME: text, udp_dir / "releases" / version / FILE_NAME: text}


def is_draft(path: Path) -> bool:
    """True when ``path`` lies in a git work tree whose HEAD commit does not hold it."""
    root = path.parent
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True,
                                text=True, timeout=30)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return False
        committed = subprocess.run(["git", "cat-file", "-e", f"HEAD:./{path.name}"], cwd=root,
                                   capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return committed.returncode != 0


def refuse_released_changes(files: dict[Path, str], udp_dir: Path = UDP_DIR) -> None:
    releases = udp_dir / "releases"
    for path, text in files.items():
        if (path.parent.parent == releases and path.exists() and path.read_text("utf-8") != text
                and not is_draft(path)):
            raise ReleaseError(
                f"{path.relative_to(udp_dir.parent)} is released and would change; released files are "
                "immutable: bump [project] version in pyproject.toml and add a CHANGELOG.md entry"
            )


def refuse_invalid(files: dict[Path, str]) -> None:
    """Nothing is written unless the render passes the validator (schemas, specs, profile, UDFs)."""
    from efast_udp.validation import validate_udp

    for path, text in files.items():
        findings = validate_udp(json.loads(text), str(path))
        if findings:
            details = "; ".join(f.format() for f in findings[:5])
            raise ReleaseError(f"the render is not a valid UDP ({len(findings)} findings), nothing written: {details}")


def write(settings: Settings, udp_dir: Path = UDP_DIR) -> list[Path]:
    """Render, validate and write ``udp/``; returns the files that changed. Never rewrites a release."""
    files = expected_files(settings, udp_dir)
    refuse_released_changes(files, udp_dir)
    refuse_invalid(files)
    changed = []
    for path, text in files.items():
        if not path.exists() or path.read_text("utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def check(settings: Settings, udp_dir: Path = UDP_DIR) -> list[str]:
    """Differences between the committed ``udp/`` and a fresh render (empty: up to date)."""
    files = expected_files(settings, udp_dir)
    refuse_released_changes(files, udp_dir)
    problems = []
    for path, text in files.items():
        rel = path.relative_to(udp_dir.parent)
        if not path.exists():
            problems.append(f"{rel} is missing; run `make build-udp`")
        elif path.read_text("utf-8") != text:
            problems.append(f"{rel} differs from a fresh render; run `make build-udp` (never edit it by hand)")
    return problems
