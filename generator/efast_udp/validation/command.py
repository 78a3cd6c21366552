"""``efast-udp validate``: check rendered UDP files (or URLs) and print every finding."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from efast_udp.errors import EfastUdpError
from efast_udp.version import PROJECT_ROOT

HELP = "Validate UDP JSON files or URLs (default: udp/efast.json and udp/releases/*/efast.json)"

#: Seconds to wait for a UDP given by URL.
URL_TIMEOUT = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="*", metavar="PATH_OR_URL",
                        help="UDP JSON files or http(s) URLs; default: the rendered files in udp/")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")


def default_sources(root: Path = PROJECT_ROOT) -> list[str]:
    """``udp/efast.json`` and every released ``udp/releases/*/efast.json``."""
    udp = root / "udp"
    sources = [udp / "efast.json"] + sorted((udp / "releases").glob("*/efast.json"))
    return [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in sources]


def load_source(source: str) -> object:
    """The parsed JSON of a file or http(s) URL; unreadable input is a usage error (exit 2)."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=URL_TIMEOUT) as response:
                data = response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise EfastUdpError(f"cannot fetch {source}: {getattr(exc, 'reason', exc)}") from exc
    else:
        path = Path(source)
        if not path.is_absolute() and not path.exists():
            path = PROJECT_ROOT / source
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise EfastUdpError(f"cannot read {source}: {exc.strerror or exc}") from exc
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EfastUdpError(f"{source} is not valid JSON: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    from efast_udp.validation import validate_udp

    sources = args.sources or default_sources()
    documents = [(source, load_source(source)) for source in sources]
    report, invalid = {}, 0
    for source, doc in documents:
        findings = validate_udp(doc, source)
        report[source] = [f.as_dict() for f in findings]
        invalid += bool(findings)
        if not args.json:
            for finding in findings:
                print(finding.format(source))
            print(f"{source}: {'INVALID, ' + str(len(findings)) + ' finding(s)' if findings else 'valid'}",
                  file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if invalid else 0
