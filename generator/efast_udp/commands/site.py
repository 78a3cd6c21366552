"""``efast-udp site``: render the static site (``public/``) from the committed UDP files (``udp/``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from efast_udp.project import CHANGELOG, PUBLIC_DIR, UDP_DIR

HELP = ("Render public/ (versioned UDP, listings, index.html, SHA256SUMS) from udp/; never rewrites a release "
        "and replaces only a directory it wrote itself")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--udp-dir", type=Path, default=UDP_DIR, help="the committed UDP files (default: udp/)")
    parser.add_argument("--out", type=Path, default=PUBLIC_DIR,
                        help="output directory: new, empty, or written by efast-udp site before (default: public/)")
    parser.add_argument("--changelog", type=Path, default=CHANGELOG,
                        help="changelog shown on the page (default: CHANGELOG.md)")
    parser.add_argument("--backend-url", default=None,
                        help="back-end for the Web Editor link and snippets (default: [tool.efast-udp] backend_url)")
    parser.add_argument("--previous-sums", type=Path, action="append", default=[], metavar="FILE",
                        help="SHA256SUMS of the site as published before; released files listed there must not "
                             "change (repeatable)")


def run(args: argparse.Namespace) -> int:
    # lazy: the settings (openeo) cost 0.4 s and the site's renderer 0.5 s at ``site --help`` (python -X importtime)
    from efast_udp.settings import Settings
    from efast_udp.site import build

    settings = Settings.load(backend_url=args.backend_url)
    site = build.build(udp_dir=args.udp_dir, out_dir=args.out, settings=settings, changelog=args.changelog,
                       previous_sums=args.previous_sums)
    versions = ", ".join(r.version for r in site.releases)
    note = f"; draft (not committed yet): {', '.join(sorted(site.drafts))}" if site.drafts else ""
    print(f"wrote {args.out} ({len(site.files)} files; versions {versions}; latest {site.latest.version}{note})",
          file=sys.stderr)
    return 0
