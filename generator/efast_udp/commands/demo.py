"""``efast-udp demo``: synthetic scene with known truth -> released UDP -> metrics and quicklooks."""

from __future__ import annotations

import argparse

HELP = "synthetic scene with known truth: run the released UDP on it, write metrics.json and quicklooks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from efast_udp.commands.run import add_trust_argument
    from efast_udp.demo import command as impl

    impl.add_arguments(parser)
    add_trust_argument(parser)


def run(args: argparse.Namespace) -> int:
    from efast_udp.commands.run import checked_udp
    from efast_udp.demo import command as impl
    from efast_udp.outputs import check_directory

    checked_udp(args.udp, args.allow_untrusted_udf)
    check_directory(args.out, "demo")
    return impl.run(args)
