"""``efast-udp run``: execute the published UDP JSON on local data (see docs/local.md).

Before anything runs, the UDP is read within the document limits, validated (findings: exit 1,
printed as ``validate`` prints them) and every UDF it embeds is vouched for by ``efast_udp.trust``;
the output directory must be new, empty or written by ``run`` before. The work itself is
``efast_udp.local.runner`` over the executor package ``openeo_cdse_local``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from openeo_cdse_local import allocator
from openeo_cdse_local.errors import ExecutorError
from openeo_cdse_local.session import DEFAULT_CHUNK_PX, MAX_CHUNK_PX, MIN_CHUNK_PX

from efast_udp.arguments import parameter_schemas, parse_assignments, resolve_parameters
from efast_udp.commands import file_path
from efast_udp.document import dump_json, load_json, load_udp, path_or_url
from efast_udp.errors import InvalidDocument, UnreadableInput, UsageError
from efast_udp.project import LATEST_UDP
from efast_udp.trust import OPT_IN, vouch
from efast_udp.validation import validate_udp

#: largest --params file read (a parameter file is a few kB; this stops a wrong path early)
MAX_PARAMS_BYTES = 2**20
#: the longest the quicklooks wait for their imports in the background (then they import them)
WARM_UP_WAIT_S = 60
HELP = "run the UDP JSON (embedded UDFs included) on local data; write NetCDF, GeoTIFFs and quicklooks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--udp", type=path_or_url, default=LATEST_UDP,
                        help="process definition JSON: a file or http(s) URL (default: udp/efast.json)")
    parser.add_argument("--data", type=Path, required=True, help="directory with <collection id>.nc files")
    parser.add_argument("--out", type=Path, required=True,
                        help="output directory: new, empty, or written by efast-udp run before")
    parser.add_argument("--params", type=Path, metavar="FILE", help="UDP arguments as a JSON object (--param wins)")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE", default=[],
                        help="UDP argument: JSON, or comma-separated names for a list parameter, else text; repeatable")
    parser.add_argument("--save-intermediates", action="store_true", help="also write every named stage to OUT/intermediates/")
    parser.add_argument("--no-geotiff", action="store_true", help="skip the per-date GeoTIFFs")
    parser.add_argument("--no-quicklooks", action="store_true", help="skip the per-date RGB and NDVI PNG maps")
    add_scheduler_arguments(parser)
    parser.add_argument("--timings", type=file_path, metavar="FILE",
                        help="write how many seconds each phase took as JSON (a new file): imports, set-up, "
                             "computing and writing, the writers' share, quicklooks")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_trust_argument(parser)


def add_scheduler_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", default="threads", metavar="NAME|ADDRESS",
                        help="threads (default), processes, distributed (a local dask cluster) or a dask scheduler "
                             "address such as tcp://HOST:8786")
    parser.add_argument("--workers", type=int, help="threads, processes or cluster workers (default: CPU count)")
    parser.add_argument("--memory-limit", help="per worker of --scheduler distributed, e.g. 4GiB (default: auto)")
    parser.add_argument("--chunk-px", type=int, default=DEFAULT_CHUNK_PX,
                        help=f"window edge in pixels: the unit of work and memory (default {DEFAULT_CHUNK_PX})")
    parser.add_argument("--neighbourhood", choices=("windows", "backend-tiles"), default="windows",
                        help="apply_neighborhood/apply_dimension tiles: as few as the windows allow (default), or "
                             "exactly the back-end's tiles, every label in each (slower; what CDSE's UDF calls get)")
    parser.add_argument("--dask-report", type=file_path, metavar="FILE",
                        help="write dask's performance report (HTML, a new file; distributed)")


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(OPT_IN, dest="allow_untrusted_udf", action="store_true",
                        help="also run UDF code that efast-udp did not release (it runs with your rights, unsandboxed)")


def checked_udp(source, allow_untrusted: bool) -> dict:
    """The UDP at ``source`` (a file or URL, or the definition itself as a dict), validated, with
    every UDF vouched for; raises or returns the doc."""
    doc = source if isinstance(source, dict) else load_udp(source)
    if isinstance(source, dict):
        source = f"process definition {doc.get('id', '')}".strip()
    findings = validate_udp(doc)
    if findings:
        for finding in findings:
            print(finding.format(str(source)), file=sys.stderr)
        raise InvalidDocument(f"{source} is not a valid UDP ({len(findings)} finding(s) above); nothing was run")
    for warning in vouch(doc, allow_untrusted):
        print(warning, file=sys.stderr)
    return doc


def given_arguments(doc: dict, params_file: Path | None, items: list[str]) -> dict:
    """The UDP arguments of a run: ``--params FILE`` (a JSON object), then each ``--param``."""
    given = {}
    if params_file is not None:
        try:
            given = load_json(params_file, MAX_PARAMS_BYTES)
        except UnreadableInput as exc:
            raise UnreadableInput(f"--params: {exc}") from None
        if not isinstance(given, dict):
            raise UsageError(f"--params {params_file}: expected a JSON object of UDP arguments, "
                             f"got {type(given).__name__}")
    return {**given, **parse_assignments(items, parameter_schemas(doc), "--param")}


def scheduler_options(args: argparse.Namespace) -> dict:
    """The dask options of ``run`` and ``demo``, checked (the report must be a new file)."""
    # lazy: openeo_cdse_local.schedulers (dask) costs 150 ms and efast_udp.outputs (git, subprocess, tempfile)
    # 12 ms at ``run --help`` (python -X importtime)
    from openeo_cdse_local import schedulers

    from efast_udp.outputs import new_file

    report = new_file(args.dask_report, "--dask-report", hint="choose a new file").path if args.dask_report else None
    try:
        schedulers.check(args.scheduler, args.workers, args.memory_limit, report)
    except ExecutorError as exc:
        raise UsageError(str(exc)) from None
    if not MIN_CHUNK_PX <= args.chunk_px <= MAX_CHUNK_PX:
        raise UsageError(f"--chunk-px {args.chunk_px}: expected a window edge of {MIN_CHUNK_PX} to {MAX_CHUNK_PX} pixels")
    return {"scheduler": args.scheduler, "workers": args.workers, "memory_limit": args.memory_limit,
            "chunk_px": args.chunk_px, "report": report, "neighbourhood": args.neighbourhood}


def cap_allocator(options: dict) -> int | None:
    """A command owns its process: on the threaded scheduler, glibc's malloc arenas are capped at
    the worker threads (``openeo_cdse_local.allocator``; about 10 % less peak memory). The
    Python API (``efast_udp.run_local``) leaves its caller's process as it is."""
    from openeo_cdse_local import schedulers  # lazy: see scheduler_options, which has imported it

    if options["scheduler"] != "threads":
        return None
    return allocator.cap_arenas(schedulers.worker_count(options["workers"]))


def checked_values(doc: dict, given: dict, data: Path, option: str = "--data") -> dict:
    """Every parameter value of a run of the checked ``doc`` on ``data`` (defaults filled in),
    or a usage error: a bad value, a process the executor does not run, no data folder. Nothing
    has been touched when it raises."""
    # lazy: the executor's process list costs 0.6 s and the bounds check 12 ms at ``run --help`` (python -X
    # importtime)
    from openeo_cdse_local import check_processes

    from efast_udp.validation import check_bounds

    values = resolve_parameters(doc, given)
    problem = check_bounds.run_problem(doc, values)  # a schema may be wider than what a UDF can afford
    if problem:
        raise UsageError(problem)
    # lazy: the runner (xarray, dask, rasterio) costs 1.1 s at ``run --help`` (python -X importtime); imported
    # once the values are known to be good, so that a bad one is told at once
    from efast_udp.local import runner

    runner.check_band_names(runner.expected_band_names(values))  # before the graph runs
    try:
        check_processes(doc)
    except ExecutorError as exc:
        raise UsageError(str(exc)) from None
    if not Path(data).is_dir():
        raise UsageError(f"{option} {data}: expected a directory with <collection id>.nc files")
    return values


def checked_call(source, given: dict, data: Path, allow_untrusted: bool) -> tuple[dict, dict]:
    """(definition, parameter values) of a run of the UDP ``source`` with arguments ``given`` on
    ``data``, after every check ``run`` makes (for ``efast_udp.run_local``)."""
    doc = checked_udp(source, allow_untrusted)
    return doc, checked_values(doc, given, data, option="data")


def run(args: argparse.Namespace) -> int:
    from efast_udp.outputs import Claim, check_directory, new_file  # lazy: 12 ms at ``run --help``, see above

    doc = checked_udp(args.udp, args.allow_untrusted_udf)
    given = checked_values(doc, given_arguments(doc, args.params, args.param), args.data)
    out = check_directory(args.out, "run")
    options = scheduler_options(args)
    cap_allocator(options)
    timings_file = new_file(args.timings, "--timings", hint="choose a new file") if args.timings else None

    from efast_udp.local import runner  # lazy: 1.1 s at ``run --help``, imported after every check (see above)

    start = time.perf_counter()
    claim = Claim(args.out, "run")
    claim.lock()  # a second run into OUT stops here, whatever stage this one is at
    warming = []

    def prepare(planned: list[Path]) -> None:
        claim.claim(planned)
        if not args.no_quicklooks:  # drawing's imports, beside the computation that starts now
            # lazy: efast_udp.local.quicklooks (xarray, the writers) costs 1.3 s at ``run --help`` (python -X
            # importtime); the runner has imported it by now
            from efast_udp.local import quicklooks

            warming.append(quicklooks.warm_up())

    try:
        # the quicklooks are drawn from the NetCDF while the GeoTIFFs are converted to COGs
        output = runner.run_udp(doc, args.data, given, out, save_intermediates=args.save_intermediates,
                                geotiff=not args.no_geotiff, show_progress=not args.quiet,
                                command=["efast-udp", *args.argv], prepare=prepare, claims=claim.claims,
                                quicklooks=not args.no_quicklooks, in_background=not args.no_quicklooks,
                                **options)
        paths = list(output.paths)
        try:
            if not args.no_quicklooks:
                if not args.quiet:
                    print("efast-udp run: drawing quicklooks", file=sys.stderr)
                drawing = time.perf_counter()
                for thread in warming:
                    thread.join(WARM_UP_WAIT_S)
                paths += runner.quicklooks(output, out / runner.QUICKLOOKS_FOLDER, claim.claims)
                output.timings["quicklooks_s"] = round(time.perf_counter() - drawing, 3)
        finally:
            runner.finish(output)
    except BaseException:  # a failed or interrupted run leaves no partial output that looks like a result
        claim.discard()
        raise
    finally:
        claim.release()
    if timings_file is not None:
        timings_file.write_text(dump_json({"tool": "efast-udp run", "wall_s": round(time.perf_counter() - start, 3),
                                           **output.timings}))
    print(f"efast-udp run: {describe_result(output.result.result)} in {time.perf_counter() - start:.1f} s, "
          f"{len(paths)} file{'' if len(paths) == 1 else 's'}; no data: {runner.describe_nodata(output.nodata)}", file=sys.stderr)
    if output.warning:
        print(f"efast-udp run: warning: {output.warning}", file=sys.stderr)
    for path in paths:  # stdout: one written file a line, as --out was given, for scripts
        print(args.out / path.relative_to(out) if path.is_relative_to(out) else path)
    return 0


def describe_result(cube) -> str:
    """``"12 dates x 60 x 60 px, bands B02, B03, B04, B8A, NDVI"``."""
    sizes = dict(cube.sizes)
    bands = ", ".join(str(b) for b in cube.bands.values) if "bands" in cube.dims else "one band"
    grid = " x ".join(str(sizes[d]) for d in ("y", "x") if d in sizes)
    dates = f"{sizes['t']} dates x " if "t" in sizes else ""
    return f"{dates}{grid} px, bands {bands}"
