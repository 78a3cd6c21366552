"""``efast-udp build``: render the UDP into udp/ (or one graph to a file for debugging)."""

from __future__ import annotations

import argparse
from pathlib import Path

from efast_udp.commands import file_path

from efast_udp.errors import UsageError

HELP = "Render the EFAST UDP (offline) into udp/efast.json and udp/releases/<version>/efast.json."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="public base URL of the site (https); default from pyproject.toml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter default, e.g. --set interval_days=5 --set s2_data_bands=B04,B8A")
    parser.add_argument("-o", "--output", type=file_path,
                        help="write the render to this new file instead of udp/ (use with --until, --set, --base-url)")
    parser.add_argument("--force", action="store_true", help="with -o: overwrite an existing untracked file")
    parser.add_argument("--until", metavar="NAME", help="end the graph at this intermediate (with -o)")
    parser.add_argument("--list-intermediates", action="store_true", help="list the named stages and exit")


def run(args: argparse.Namespace) -> int:
    # lazy: the renderer (openeo) costs 0.5 s, efast_udp.outputs 43 ms and efast_udp.project 10 ms at ``build
    # --help`` (python -X importtime)
    from efast_udp import release
    from efast_udp.outputs import new_file
    from efast_udp.project import ROOT
    from efast_udp.settings import Settings
    from efast_udp.udp import intermediates

    if args.list_intermediates:
        for name, description in intermediates():
            print(f"{name:22s} {description}")
        return 0
    if args.output is None:
        if args.until or args.overrides or args.base_url or args.force:
            raise UsageError("--until, --set, --base-url and --force need -o FILE (udp/ holds only the published render)")
        settings = Settings.load()
        changed = release.write(settings)
        for path in changed:
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        if not changed:
            print("udp/ is up to date")
        return 0
    output = new_file(args.output, "-o", force=args.force)
    settings = Settings.load(base_url=args.base_url, overrides=args.overrides)
    output.write_text(release.render(settings, until=args.until))
    print(f"wrote {args.output}")
    return 0
