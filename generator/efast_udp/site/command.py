"""``efast-udp site``: render the static site (``public/``) from the committed UDP files (``udp/``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from efast_udp.site import build
from efast_udp.version import PROJECT_ROOT, project_version, pyproject

HELP = "Render public/ (versioned UDP, listings, index.html, SHA256SUMS) from udp/; never rewrites a release"


def _root() -> Path:
    return PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    root = _root()
    parser.add_argument("--udp-dir", type=Path, default=root / "udp", help="the committed UDP files (default: udp/)")
    parser.add_argument("--out", type=Path, default=root / "public", help="output directory (default: public/)")
    parser.add_argument(
        "--changelog", type=Path, default=root / "CHANGELOG.md", help="changelog shown on the page (default: CHANGELOG.md)"
    )
    parser.add_argument(
        "--backend-url",
        default=None,
        help=f"back-end for the Web Editor link and snippets (default: [tool.efast-udp] backend_url or {build.DEFAULT_BACKEND})",
    )
    parser.add_argument(
        "--previous-sums",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="SHA256SUMS of the site as published before; released files listed there must not change (repeatable)",
    )
    parser.add_argument(
        "--version",
        dest="project_version",
        default=None,
        help="the version in development: until its tag v<version> exists its files may still change "
        "(default: [project] version of pyproject.toml)",
    )
    parser.add_argument(
        "--no-git-check",
        dest="git_check",
        action="store_false",
        help="do not compare released files with their content in git before the version bump",
    )


def run(args: argparse.Namespace) -> int:
    settings = build.Settings.from_pyproject(pyproject(), backend_url=args.backend_url)
    unreleased = build.unreleased_versions(args.udp_dir, args.project_version or project_version())
    site = build.build(
        udp_dir=args.udp_dir,
        out_dir=args.out,
        settings=settings,
        changelog=args.changelog,
        previous_sums=args.previous_sums,
        use_git=args.git_check,
        unreleased=unreleased,
    )
    versions = ", ".join(r.version for r in site.releases)
    note = f"; {', '.join(sorted(unreleased))} not released yet (no tag)" if unreleased else ""
    print(f"wrote {args.out} ({len(site.files)} files; versions {versions}; latest {site.latest.version}{note})", file=sys.stderr)
    return 0
