"""``efast-udp diff OLD NEW``: what changed between two UDP versions, for release review."""

from __future__ import annotations

import argparse
import json
import os
import sys

from efast_udp.errors import EfastUdpError

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
    from efast_udp.review import diff_documents, format_stat, format_text, to_json

    old = process_definition(load(args.old), args.old, args.process)
    new = process_definition(load(args.new), args.new, args.process)
    diff = diff_documents(old, new)
    if args.json:
        text = json.dumps(to_json(diff, args.context, args.udf_code), indent=2, ensure_ascii=False) + "\n"
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


def load(source: str) -> object:
    """The parsed JSON of a file or http(s) URL; :class:`EfastUdpError` (exit 2) if unreadable.

    The only place this command reads input, so that a loader with limits can replace it.
    """
    from efast_udp.validation.command import load_source

    return load_source(source)


def process_definition(doc: object, source: str, process_id: str | None = None) -> dict:
    """The process definition in ``doc``: the document itself, or the one process of a listing
    ``{"processes": [...]}`` (``process_id`` chooses among several). Anything that is not a
    process definition is a usage error (exit 2), so the diff never compares half a document."""
    if isinstance(doc, dict) and "process_graph" not in doc and "processes" in doc:
        doc = _from_listing(doc["processes"], source, process_id)
    elif process_id is not None and isinstance(doc, dict) and doc.get("id") != process_id:
        raise EfastUdpError(f"{source} defines process {doc.get('id')!r}, not {process_id!r}")
    if not isinstance(doc, dict) or not isinstance(doc.get("process_graph"), dict):
        raise EfastUdpError(f"{source} is not a process definition (an object with a process_graph object)")
    _check_parameters(doc.get("parameters") or [], source)
    return doc


def _from_listing(processes: object, source: str, process_id: str | None) -> object:
    """The process of a listing: the only one, or the one with id ``process_id``."""
    if not isinstance(processes, list) or not processes:
        raise EfastUdpError(f"{source} is a process listing without processes")
    if process_id is not None:
        chosen = [p for p in processes if isinstance(p, dict) and p.get("id") == process_id]
        if not chosen:
            raise EfastUdpError(f"{source} lists no process {process_id!r} (it has: {_ids(processes)})")
        return chosen[0]
    if len(processes) > 1:
        raise EfastUdpError(f"{source} lists {len(processes)} processes ({_ids(processes)}); "
                            "choose one with --process ID")
    return processes[0]


def _check_parameters(parameters: object, source: str) -> None:
    """Parameters are compared by name, so each needs a name of its own."""
    names = [p.get("name") for p in parameters if isinstance(p, dict)] if isinstance(parameters, list) else []
    if (not isinstance(parameters, list) or len(names) != len(parameters)
            or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names)):
        raise EfastUdpError(f"{source} is not a process definition (parameters must be a list "
                            "of objects with unique string names)")


def _ids(processes: list) -> str:
    return ", ".join(str(p.get("id")) for p in processes if isinstance(p, dict))


def _context_lines(text: str) -> int:
    """``--context N``: a count of lines, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of lines: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value
