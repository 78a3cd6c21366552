"""``efast-udp bench``: measure the released UDP's kernels and graph (table + JSON)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from efast_udp import bench
from efast_udp.release import UDP_DIR

HELP = "Benchmark every UDF of the released UDP on standard chunks; print a table and JSON."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--udp", type=Path, default=UDP_DIR / "efast.json", help="UDP file to measure")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    parser.add_argument("--runs", type=int, default=bench.RUNS, help="timed rounds of the kernels (median; >= 5; references: 5)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo scene's local run")


def run(args: argparse.Namespace) -> int:
    result = bench.run_benchmark(args.udp, runs=max(5, args.runs), with_demo=not args.no_demo)
    print(bench.format_table(result))
    text = json.dumps(result, indent=2) + "\n"
    if args.json:
        args.json.write_text(text, encoding="utf-8")
        print(f"wrote {args.json}")
    else:
        print(text, end="")
    return 0
