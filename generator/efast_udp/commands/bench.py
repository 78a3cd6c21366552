"""``efast-udp bench``: measure the released UDP's kernels and graph (table + JSON)."""

from __future__ import annotations

import argparse
from pathlib import Path

from efast_udp.commands import file_path
from efast_udp.commands import run as run_command
from efast_udp.document import dump_json, load_json, path_or_url
from efast_udp.errors import EfastUdpError, UsageError
from efast_udp.perf import RUNS
from efast_udp.project import LATEST_UDP

HELP = "Benchmark every UDF of the released UDP on standard chunks; print a table and JSON."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--udp", type=path_or_url, default=LATEST_UDP,
                        help="UDP to measure: a file or http(s) URL (default: udp/efast.json)")
    parser.add_argument("--json", type=file_path,
                        help="also write the JSON result to this file (new, or written by bench before)")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed rounds of the kernels (median; >= 5; references: 5)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo scene's local run")
    run_command.add_trust_argument(parser)


def _written_by_bench(path: Path) -> bool:
    """A file ``bench --json`` wrote before (it may be replaced by the next run)."""
    try:
        data = load_json(path)
    except EfastUdpError:
        return False
    return isinstance(data, dict) and data.get("tool") == "efast-udp bench"


def run(args: argparse.Namespace) -> int:
    # lazy: the benchmarks (xarray, scipy, openeo) cost 1.0 s and efast_udp.outputs 17 ms at ``bench --help``
    # (python -X importtime)
    from efast_udp.outputs import new_file
    from efast_udp.perf import benchmark as bench

    if args.runs < 5:
        raise UsageError(f"--runs {args.runs}: at least 5 rounds are needed for a median and quartiles")
    doc = run_command.checked_udp(args.udp, args.allow_untrusted_udf)
    target = new_file(args.json, "--json", own=_written_by_bench) if args.json else None
    result = {"tool": "efast-udp bench", **bench.run_benchmark(args.udp, runs=args.runs, with_demo=not args.no_demo,
                                                               udp=doc, allow_untrusted=args.allow_untrusted_udf)}
    print(bench.format_table(result))
    text = dump_json(result)
    if target is not None:
        target.write_text(text)
        print(f"wrote {args.json}")
    else:
        print(text, end="")
    return 0
