"""``efast-udp check``: fail when udp/ is not what the generator renders or a release changed."""

from __future__ import annotations

import argparse
import sys

HELP = ("Check that udp/ equals a fresh render, and every release file its released content "
        "(git history, SHA256SUMS); exit 1 if not.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", action="store_true", help="also say how each older release was verified")


def run(args: argparse.Namespace) -> int:
    # lazy: the releases and settings (openeo) cost 0.5 s at ``check --help`` (python -X importtime)
    from efast_udp import release
    from efast_udp.settings import Settings

    report = release.check(Settings.load(), verbose=args.verbose)
    for warning in report.warnings:
        print(f"efast-udp check: warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(f"efast-udp check: {problem}", file=sys.stderr)
    if args.verbose:
        for note in report.notes:
            print(note)
    if not report.problems:
        print("udp/ is up to date with the generator; every release file is unchanged")
    return 1 if report.problems else 0
