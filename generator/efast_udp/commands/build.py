"""``efast-udp build``: render the UDP into udp/ (or one graph to a file for debugging)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from efast_udp import release
from efast_udp.settings import Settings
from efast_udp.udp import intermediates

HELP = "Render the EFAST UDP (offline) into udp/efast.json and udp/releases/<version>/efast.json."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_settings_arguments(parser)
    parser.add_argument("-o", "--output", type=Path,
                        help="write the render to this file instead of udp/ (use with --until or --set)")
    parser.add_argument("--until", metavar="NAME", help="end the graph at this intermediate (with -o)")
    parser.add_argument("--list-intermediates", action="store_true", help="list the named stages and exit")


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="public base URL of the site (https); default from pyproject.toml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter default, e.g. --set interval_days=5 --set s2_data_bands=B04,B8A")


def run(args: argparse.Namespace) -> int:
    if args.list_intermediates:
        for name, description in intermediates():
            print(f"{name:22s} {description}")
        return 0
    settings = Settings.load(base_url=args.base_url, overrides=args.overrides)
    custom = args.until or args.overrides or args.base_url
    if args.output is None:
        if custom:
            print("efast-udp build: error: --until, --set and --base-url need -o FILE "
                  "(udp/ holds only the published render)", file=sys.stderr)
            return 2
        changed = release.write(settings)
        for path in changed:
            print(f"wrote {path.relative_to(release.UDP_DIR.parent)}")
        if not changed:
            print("udp/ is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(release.render(settings, until=args.until), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0
