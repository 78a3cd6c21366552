"""``efast-udp run``: execute the published UDP JSON on local data (see docs/local.md)."""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from efast_udp.errors import EfastUdpError
from efast_udp.local import io, progress, schedulers, stream
from efast_udp.local.chunks import DEFAULT_CHUNK_PX
from efast_udp.local.executor import RunResult, load_udp, run_process
from efast_udp.local.parameters import load_params_file, parse_assignments

HELP = "run the UDP JSON (embedded UDFs included) on local data; write NetCDF + GeoTIFFs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--udp", type=Path, default=Path("udp/efast.json"), help="process definition JSON (default: udp/efast.json)")
    parser.add_argument("--data", type=Path, required=True, help="directory with <collection id>.nc files")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--params", type=Path, metavar="FILE", help="UDP arguments as a JSON object (--param wins)")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE", default=[],
                        help="UDP parameter (VALUE as JSON, else a string); repeatable")
    parser.add_argument("--save-intermediates", action="store_true", help="also write every named stage to OUT/intermediates/")
    parser.add_argument("--no-geotiff", action="store_true", help="skip the per-date GeoTIFFs")
    add_scheduler_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_scheduler_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", default="threads", metavar="NAME|ADDRESS",
                        help="threads (default), processes, distributed (a local dask cluster) or a dask scheduler "
                             "address such as tcp://HOST:8786")
    parser.add_argument("--workers", type=int, help="threads, processes or cluster workers (default: CPU count)")
    parser.add_argument("--memory-limit", help="per worker of --scheduler distributed, e.g. 4GiB (default: auto)")
    parser.add_argument("--chunk-px", type=int, default=DEFAULT_CHUNK_PX,
                        help=f"window edge in pixels: the unit of work and memory (default {DEFAULT_CHUNK_PX})")
    parser.add_argument("--dask-report", type=Path, metavar="FILE", help="write dask's performance report (HTML; distributed)")


@contextlib.contextmanager
def one_line_errors():
    """Any failure of a process implementation or UDF as one line, never a traceback."""
    try:
        yield
    except EfastUdpError:
        raise
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise EfastUdpError(f"{type(exc).__name__}: {message}") from exc


def execute(udp_path: Path, data_dir: Path, given: dict, show_progress: bool, chunk_px: int | None = None) -> RunResult:
    """Build the run's lazy result with every failure turned into one line naming what is wrong."""
    udp = load_udp(udp_path)
    if not Path(data_dir).is_dir():
        raise EfastUdpError(f"--data: no such directory {data_dir}")
    with one_line_errors():
        return run_process(udp, data_dir, given, show_progress=show_progress, chunk_px=chunk_px)


def write_outputs(result: RunResult, out: Path, save_intermediates: bool, geotiff: bool = True) -> list[Path]:
    """Compute and write the result (and the named stages) in one pass, window by window."""
    out.mkdir(parents=True, exist_ok=True)
    makers = [lambda c: io.NetCDFWriter(c, out / "efast.nc")]
    if geotiff:
        makers.append(lambda c: io.GeoTIFFWriter(c, out / "geotiff"))
    items = [(result.result, makers)]
    if save_intermediates:
        for name, cube in result.intermediates.items():
            items.append((cube, [lambda c, name=name: io.NetCDFWriter(c, out / "intermediates" / f"{name}.nc")]))
    with one_line_errors():
        writers = stream.write(items)
    return [path for w in writers for path in (w.paths if hasattr(w, "paths") else [w.path])]


def run_udp(udp_path: Path, data_dir: Path, given: dict, out: Path, *, save_intermediates: bool = False,
            geotiff: bool = True, show_progress: bool = False, scheduler: str = "threads", workers: int | None = None,
            memory_limit: str | None = None, chunk_px: int | None = None, report: Path | None = None
            ) -> tuple[RunResult, list[Path]]:
    """Run the UDP on ``data_dir`` and write ``out``, on the chosen dask scheduler."""
    progress.enable(show_progress)
    with schedulers.use(scheduler, workers, memory_limit, report), progress.tasks():
        result = execute(udp_path, data_dir, given, show_progress, chunk_px)
        return result, write_outputs(result, out, save_intermediates, geotiff)


def run(args: argparse.Namespace) -> int:
    given = {**load_params_file(args.params), **parse_assignments(args.param)}
    start = time.perf_counter()
    result, paths = run_udp(args.udp, args.data, given, args.out, save_intermediates=args.save_intermediates,
                            geotiff=not args.no_geotiff, show_progress=not args.quiet, scheduler=args.scheduler,
                            workers=args.workers, memory_limit=args.memory_limit, chunk_px=args.chunk_px,
                            report=args.dask_report)
    cube = result.result
    print(f"efast-udp run: {dict(cube.sizes)} bands {[str(b) for b in cube.bands.values]} "
          f"in {time.perf_counter() - start:.1f} s -> {args.out / 'efast.nc'} (+{len(paths) - 1} files)")
    return 0
