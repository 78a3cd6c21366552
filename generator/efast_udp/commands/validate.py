"""``efast-udp validate``: check UDP files or URLs (definitions or listings); print every finding."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from efast_udp.terminal import json_safe

HELP = ("Validate openEO process definitions or process listings (files or URLs; default: udp/efast.json "
        "and udp/releases/*/efast.json); exit 1 with findings, 2 when an input cannot be read")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="*", metavar="PATH_OR_URL",
                        help="process definitions or listings, files or http(s) URLs; default: the files in udp/")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--catalogue", action="store_true",
                        help="also require each definition's id to equal its file name (<id>.json), as catalogues do")
    parser.add_argument("--lint", action="store_true",
                        help="also apply the openEO process linter's documentation rules (summary, descriptions, flags)")


def default_sources() -> list[str]:
    """``udp/efast.json`` and every released ``udp/releases/*/efast.json``."""
    from efast_udp.project import LATEST_UDP, RELEASES_DIR, ROOT  # lazy: 13 ms at ``validate --help`` (importtime)

    paths = [LATEST_UDP] + sorted(RELEASES_DIR.glob("*/efast.json"))
    return [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in paths]


def resolve_source(source: str) -> str | Path:
    """A relative path that does not exist here is looked up in the checkout (``make validate``)."""
    # lazy: efast_udp.document and efast_udp.project cost 14 ms each at ``validate --help`` (python -X importtime)
    from efast_udp.document import is_url
    from efast_udp.project import ROOT

    if is_url(source) or Path(source).is_absolute() or Path(source).exists():
        return source
    return ROOT / source


def run(args: argparse.Namespace) -> int:
    # lazy: efast_udp.document and efast_udp.validation cost 14 ms each at ``validate --help`` (python -X importtime)
    from efast_udp.document import dump_json, load_json
    from efast_udp.validation import validate_document

    sources = args.sources or default_sources()
    documents = [(source, load_json(resolve_source(source))) for source in sources]
    report, invalid = {}, 0
    for source, doc in documents:
        findings = validate_document(doc, require_file_name=source if args.catalogue else None, lint=args.lint)
        report[source] = [f.as_dict() for f in findings]
        invalid += bool(findings)
        if not args.json:
            for finding in findings:
                print(finding.format(source))
            print(f"{source}: {'INVALID, ' + str(len(findings)) + ' finding(s)' if findings else 'valid'}",
                  file=sys.stderr)
    if args.json:
        print(json_safe(dump_json(report)), end="")
    return 1 if invalid else 0
