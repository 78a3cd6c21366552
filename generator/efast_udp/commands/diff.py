"""``efast-udp diff OLD NEW``: what changed between two UDP versions, for release review."""

from __future__ import annotations

import argparse
import os
import sys

from efast_udp.errors import UsageError
from efast_udp.terminal import json_safe

HELP = ("Semantic diff of two UDP process definitions (files or http(s) URLs): metadata, parameters, "
        "graph nodes and embedded UDF code as a patch. Exit 0 if the same, 1 if different, "
        "2 if an input cannot be read.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the earlier version: a file or http(s) URL")
    parser.add_argument("new", metavar="NEW", help="the later version: a file or http(s) URL")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the structured diff as JSON")
    output.add_argument("--stat", action="store_true", help="print one line per section with counts")
    parser.add_argument("--no-udf-code", dest="udf_code", action="store_false",
                        help="list changed UDFs with line counts but not their code")
    parser.add_argument("--context", type=_context_lines, default=3, metavar="N",
                        help="lines of context around each change in unified diffs (default 3)")
    parser.add_argument("--process", metavar="ID",
                        help="the process to take from a listing {\"processes\": [...]} holding several")


def run(args: argparse.Namespace) -> int:
    # lazy: the review package costs 33 ms and efast_udp.document 14 ms at ``diff --help`` (python -X importtime)
    from efast_udp.document import dump_json, load_json  # load_json: the document limits (exit 2)
    from efast_udp.review import diff_documents, format_stat, format_text, to_json

    old = process_definition(load_json(args.old), args.old, args.process)
    new = process_definition(load_json(args.new), args.new, args.process)
    diff = diff_documents(old, new)
    if args.json:
        text = json_safe(dump_json(to_json(diff, args.context, args.udf_code)))
    elif args.stat:
        text = format_stat(diff)
    else:
        text = format_text(diff, args.old, args.new, args.context, args.udf_code)
    _write(text)
    return 0 if diff.identical else 1


def _write(text: str) -> None:
    """Print ``text``; a reader that stops early (``| head``) is not an error of the diff."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush is quiet


def process_definition(doc: object, source: str, process_id: str | None = None) -> dict:
    """The process definition in ``doc``: the document itself, or the one process of a listing
    (``process_id`` chooses among several). Anything else is a usage error (exit 2), so the
    diff never compares half a document."""
    from efast_udp.document import select_process  # lazy: 14 ms at ``diff --help``, as in run

    doc = select_process(doc, source, process_id, choose="choose one with --process ID")
    parameters = doc.get("parameters")
    _check_parameters([] if parameters is None else parameters, source)  # {}, false, 0, "" are refused
    return doc


def _check_parameters(parameters: object, source: str) -> None:
    """Parameters are compared by name, so each needs a name of its own."""
    names = [p.get("name") for p in parameters if isinstance(p, dict)] if isinstance(parameters, list) else []
    if (not isinstance(parameters, list) or len(names) != len(parameters)
            or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names)):
        raise UsageError(f"{source} is not a process definition (parameters must be a list "
                         "of objects with unique string names)")


def _context_lines(text: str) -> int:
    """``--context N``: a count of lines, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of lines: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value
