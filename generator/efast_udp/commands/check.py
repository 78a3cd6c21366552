"""``efast-udp check``: fail when udp/ is not exactly what the generator renders."""

from __future__ import annotations

import argparse
import sys

from efast_udp import release
from efast_udp.settings import Settings

HELP = "Check that udp/ equals a fresh render and that no released file changed (exit 1 if not)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    problems = release.check(Settings.load())
    for problem in problems:
        print(f"efast-udp check: {problem}", file=sys.stderr)
    if not problems:
        print("udp/ is up to date with the generator")
    return 1 if problems else 0
