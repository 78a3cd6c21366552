"""The ``efast-udp`` command line: one entry point, one module per sub-command.

Each sub-command lives in its own module exposing ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``. Only the module of the command being run is imported, so a heavy
command (local execution, benchmarks) never slows down ``build``. Exit codes: 0 success, 1 the
checked thing is invalid/different, 2 bad usage, bad settings or unreadable input (always with
one clear line on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from efast_udp.errors import EfastUdpError

#: sub-command name -> (module implementing it, one-line summary for the command list)
COMMANDS = {
    "build": ("efast_udp.commands.build", "render the UDP into udp/ (offline)"),
    "check": ("efast_udp.commands.check", "check udp/ against a fresh render and the releases"),
    "validate": ("efast_udp.validation.command", "validate UDP files or URLs against the openEO specs"),
    "site": ("efast_udp.site.command", "render the static site public/ from udp/"),
    "serve": ("efast_udp.site.serve", "serve public/ on 127.0.0.1 with CORS"),
    "publish-backend": ("efast_udp.site.publish_backend", "save the UDP on an openEO back-end"),
    "run": ("efast_udp.local.command", "run the UDP JSON on local data"),
    "demo": ("efast_udp.demo.command", "synthetic scene with known truth: run, score, plot"),
    "bench": ("efast_udp.commands.bench", "benchmark the released UDP's kernels and graph"),
    "diff": ("efast_udp.commands.diff", "semantic diff of two UDP versions for release review"),
}


def build_parser(selected: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="efast-udp", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=summary)
        if name == selected:
            module = importlib.import_module(module_name)
            p.description = module.HELP
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    selected = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(selected if selected in COMMANDS else None).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except EfastUdpError as exc:
        print(f"efast-udp {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
