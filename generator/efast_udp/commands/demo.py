"""``efast-udp demo``: synthetic scene with known truth -> released UDP -> metrics and quicklooks.

Writes ``OUT/data/`` (the local collections), ``OUT/parameters.json`` (the UDP arguments the
demo uses; ``efast-udp run --params`` reads it), ``OUT/result/`` (the run's NetCDF and
GeoTIFFs), ``OUT/metrics.json`` and ``OUT/quicklooks/*.png``, and prints the RMSE table. With
``--scene-only`` it stops after the scene and its parameters. The work is ``efast_udp.demo.runner``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from efast_udp.commands import run as run_command
from efast_udp.document import path_or_url
from efast_udp.project import LATEST_UDP

HELP = "synthetic scene with known truth: run the released UDP on it, write metrics.json and quicklooks"
#: defaults of the demo scene (``efast_udp.demo.scene.SceneConfig``), here so --help imports nothing heavy
DEFAULT_SIZE, DEFAULT_SEED = 450, 42


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True,
                        help="output directory: new, empty, or written by efast-udp demo before")
    parser.add_argument("--udp", type=path_or_url, default=LATEST_UDP,
                        help="process definition JSON: a file or http(s) URL (default: udp/efast.json)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE,
                        help=f"scene size in 10 m pixels per side: a multiple of 30 from 30 to 6000 (default {DEFAULT_SIZE})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed of the scene (default {DEFAULT_SEED})")
    parser.add_argument("--scene-only", action="store_true",
                        help="only write OUT/data/ and OUT/parameters.json (the arguments the demo runs with)")
    parser.add_argument("--no-quicklooks", action="store_true", help="skip the PNG maps and time series")
    run_command.add_scheduler_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no step messages")
    run_command.add_trust_argument(parser)


def run(args: argparse.Namespace) -> int:
    # lazy: the demo (xarray, dask, matplotlib) costs 1.6 s and efast_udp.outputs 25 ms at ``demo --help`` (python
    # -X importtime)
    from efast_udp.demo import runner
    from efast_udp.outputs import Claim, check_directory

    runner.check_size(args.size)
    doc = None if args.scene_only else run_command.checked_udp(args.udp, args.allow_untrusted_udf)
    check_directory(args.out, "demo")
    options = run_command.scheduler_options(args)
    run_command.cap_allocator(options)
    claim = Claim(args.out, "demo", scan=True)  # the demo's own files are not all made through claims
    try:
        report = runner.run_demo(claim.claim(), doc, args.size, args.seed, not args.quiet, not args.no_quicklooks,
                                 scene_only=args.scene_only, **options)
    finally:
        claim.release()
    if args.scene_only:
        print(f"efast-udp demo: wrote {args.out / 'data'} and {args.out / 'parameters.json'}")
        return 0
    print(runner.table(report))
    print(f"efast-udp demo: wrote {args.out / 'metrics.json'}")
    return 0
