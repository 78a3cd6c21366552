"""The ``efast-udp`` command line: one entry point, one module per sub-command.

Each sub-command lives in its own module exposing ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``. Exit codes: 0 success, 1 the checked thing is invalid/different,
2 bad usage, bad settings or unreadable input (always with one clear line on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from efast_udp.errors import EfastUdpError

#: sub-command name -> module implementing it
COMMANDS = {
    "build": "efast_udp.commands.build",
    "check": "efast_udp.commands.check",
    "validate": "efast_udp.validation.command",
    "site": "efast_udp.site.command",
    "serve": "efast_udp.site.serve",
    "publish-backend": "efast_udp.site.publish_backend",
}


def _available_commands() -> dict:
    modules = {}
    for name, module_name in COMMANDS.items():
        try:
            modules[name] = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # not part of this installation (yet)
            raise
    return modules


def build_parser(modules: dict) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="efast-udp", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in modules.items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(_available_commands())
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except EfastUdpError as exc:
        print(f"efast-udp {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
