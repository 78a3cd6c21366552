"""``efast-udp run``: execute the published UDP JSON on local data (see docs/local.md).

Before anything runs, the UDP is read within the document limits, validated (findings: exit 1,
printed as ``validate`` prints them) and every UDF it embeds is vouched for by ``efast_udp.trust``;
the output directory must be new, empty or written by ``run`` before.
"""

from __future__ import annotations

import argparse
import sys

from efast_udp.trust import OPT_IN

HELP = "run the UDP JSON (embedded UDFs included) on local data; write NetCDF + GeoTIFFs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from efast_udp.local import command as impl

    impl.add_arguments(parser)
    add_trust_argument(parser)


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(OPT_IN, dest="allow_untrusted_udf", action="store_true",
                        help="also run UDF code that efast-udp did not release (it runs with your rights, unsandboxed)")


def checked_udp(source, allow_untrusted: bool) -> dict:
    """The UDP at ``source``, validated, with every UDF vouched for; raises or returns the doc."""
    from efast_udp.document import load_udp
    from efast_udp.errors import InvalidDocument
    from efast_udp.trust import vouch
    from efast_udp.validation import validate_udp

    doc = load_udp(source)
    findings = validate_udp(doc)
    if findings:
        for finding in findings:
            print(finding.format(str(source)), file=sys.stderr)
        raise InvalidDocument(f"{source} is not a valid UDP ({len(findings)} finding(s) above); nothing was run")
    for warning in vouch(doc, allow_untrusted):
        print(warning, file=sys.stderr)
    return doc


def run(args: argparse.Namespace) -> int:
    from efast_udp.errors import UsageError
    from efast_udp.local import command as impl
    from efast_udp.outputs import check_directory

    checked_udp(args.udp, args.allow_untrusted_udf)
    if not args.data.is_dir():
        raise UsageError(f"--data {args.data}: expected a directory with <collection id>.nc files")
    check_directory(args.out, "run")
    return impl.run(args)
