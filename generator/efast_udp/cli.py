"""The ``efast-udp`` command line: one entry point, one module per sub-command in ``commands/``.

Each command module exposes ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``
and only parses, calls the package and reports. Only the module of the command being run is
imported, so ``--help`` and light commands stay fast.

Exit codes, for every command: 0 success; 1 the checked or run thing is wrong (an invalid
document, a changed release, differing documents); 2 the request is (bad usage or parameters,
unreadable input, a refused write); 3 an internal error (a bug: please report it). Failures are
one line on stderr, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
import traceback
import warnings

from openeo_cdse_local.errors import ExecutorError

import efast_udp
from efast_udp.errors import EfastUdpError, InvalidDocument, did_you_mean
from efast_udp.terminal import label

#: sub-command -> one-line summary; the implementation is ``efast_udp.commands.<name with _>``.
COMMANDS = {
    "build": "render the UDP into udp/ (offline)",
    "check": "check udp/ against a fresh render and every release against its history",
    "validate": "validate UDP files or URLs against the openEO specs",
    "diff": "show what changed between two UDP versions (parameters, nodes, UDF code)",
    "site": "render the static site public/ from udp/",
    "serve": "serve public/ on 127.0.0.1 with CORS",
    "publish-backend": "save the UDP on an openEO back-end",
    "run": "run the UDP JSON on local data",
    "demo": "synthetic scene with known truth: run, score, plot",
    "bench": "benchmark the released UDP's kernels and graph",
}
INTERNAL_ERROR = 3


def module_of(command: str):
    return importlib.import_module(f"efast_udp.commands.{command.replace('-', '_')}")


#: errors of the file system about a path the user chose (no permission, no space, name too long,
#: read-only, not a folder, ...): the request cannot be met, it is not a bug
REFUSED_BY_THE_SYSTEM = {errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENAMETOOLONG, errno.ENOSPC, errno.EROFS,
                         errno.ENOTDIR, errno.EISDIR, errno.EDQUOT, errno.EXDEV, errno.ELOOP, errno.EBUSY}


#: the longest error line printed (characters)
MAX_MESSAGE = 1000


def exit_code(exc: BaseException) -> int:
    """The exit code of a failure, decided here for every command."""
    if isinstance(exc, InvalidDocument):
        return 1
    if isinstance(exc, (EfastUdpError, ExecutorError)):  # a bad request, or a run it could not make
        return 2
    if isinstance(exc, OSError) and exc.errno in REFUSED_BY_THE_SYSTEM:  # a path the system will not give
        return 2
    return INTERNAL_ERROR


class OneLineParser(argparse.ArgumentParser):
    """argparse with its usage errors as one line (``--help`` still shows the usage)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


#: what ``efast-udp --help`` says, in plain text (the module docstring is for developers)
DESCRIPTION = ("Render, check, publish and run the EFAST openEO user-defined process "
               "(Sentinel-2/Sentinel-3 fusion).")
EPILOG = ("Run 'efast-udp COMMAND --help' for the options of a command. Exit codes: 0 success, 1 the checked "
          "or run thing is wrong, 2 bad usage or unreadable input, 3 an internal error.")


class VersionAction(argparse.Action):
    """``--version``: the package's version (the version of the UDP it renders), looked up only when asked."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"efast-udp {efast_udp.__version__}")
        parser.exit(0)


def build_parser(selected: str | None) -> argparse.ArgumentParser:
    parser = OneLineParser(prog="efast-udp", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action=VersionAction,
                        help="print the version of efast-udp (and of the UDP it renders) and exit")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of a failure and the libraries' warnings")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for name, summary in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=summary)
        if name == selected:
            module = module_of(name)
            p.description = module.HELP
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    selected = next((a for a in argv if not a.startswith("-")), None)
    if selected is not None and selected not in COMMANDS:
        print(f"efast-udp: error: unknown command {selected!r}{did_you_mean(selected, COMMANDS)}; the commands are "
              f"{', '.join(COMMANDS)} (see efast-udp --help)", file=sys.stderr)
        return 2
    try:
        args = build_parser(selected).parse_args(argv)
    except SystemExit as exc:  # usage errors (one line, exit 2) and --help (exit 0)
        return exc.code if isinstance(exc.code, int) else 2
    args.argv = list(argv)
    try:
        with warnings.catch_warnings():
            if not args.debug:  # the libraries' warnings (numpy on odd values, xarray decoding) are not
                warnings.simplefilter("ignore")  # the tool's one line; --debug shows them
            return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print(f"efast-udp {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # every failure: one line (the traceback only with --debug)
        code = exit_code(exc)
        if args.debug:
            traceback.print_exc()
        # names from files and documents may hold escapes
        message = label(" ".join(str(exc).split())) or type(exc).__name__
        if isinstance(exc, OSError) and code != INTERNAL_ERROR and exc.strerror:
            message = label(f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror)
        if len(message) > MAX_MESSAGE:  # a value echoed from the input may be megabytes long
            message = message[:MAX_MESSAGE - 1] + "…"
        if code == INTERNAL_ERROR:
            message = (f"internal error: {type(exc).__name__}: {message[:300]} (a bug in efast-udp: please report "
                       "it with the command you ran; --debug shows the traceback)")
        print(f"efast-udp {args.command}: error: {message}", file=sys.stderr)
        return code
