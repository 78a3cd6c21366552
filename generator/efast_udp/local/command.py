"""``efast-udp run``: execute the published UDP JSON on local data (see docs/local.md)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from efast_udp.errors import EfastUdpError
from efast_udp.local import io
from efast_udp.local.executor import RunResult, load_udp, run_process
from efast_udp.local.parameters import parse_assignments

HELP = "run the UDP JSON (embedded UDFs included) on local data; write NetCDF + GeoTIFFs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--udp", type=Path, default=Path("udp/efast.json"), help="process definition JSON (default: udp/efast.json)")
    parser.add_argument("--data", type=Path, required=True, help="directory with <collection id>.nc files")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE", default=[],
                        help="UDP parameter (VALUE as JSON, else a string); repeatable")
    parser.add_argument("--save-intermediates", action="store_true", help="also write every named stage to OUT/intermediates/")
    parser.add_argument("--no-geotiff", action="store_true", help="skip the per-date GeoTIFFs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def execute(udp_path: Path, data_dir: Path, given: dict, show_progress: bool) -> RunResult:
    """Run with every failure turned into one line naming what is wrong."""
    udp = load_udp(udp_path)
    if not Path(data_dir).is_dir():
        raise EfastUdpError(f"--data: no such directory {data_dir}")
    try:
        return run_process(udp, data_dir, given, show_progress=show_progress)
    except EfastUdpError:
        raise
    except Exception as exc:  # a process implementation failed: one line, never a traceback
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise EfastUdpError(f"{type(exc).__name__}: {message}") from exc


def write_outputs(result: RunResult, out: Path, save_intermediates: bool, geotiff: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [io.write_netcdf(result.result, out / "efast.nc")]
    if geotiff:
        paths += io.write_geotiffs(result.result, out / "geotiff")
    if save_intermediates:
        for name, cube in result.intermediates.items():
            paths.append(io.write_netcdf(cube, out / "intermediates" / f"{name}.nc"))
    return paths


def run(args: argparse.Namespace) -> int:
    given = parse_assignments(args.param)
    start = time.perf_counter()
    result = execute(args.udp, args.data, given, show_progress=not args.quiet)
    paths = write_outputs(result, args.out, args.save_intermediates, geotiff=not args.no_geotiff)
    cube = result.result
    print(f"efast-udp run: {dict(cube.sizes)} bands {[str(b) for b in cube.bands.values]} "
          f"in {time.perf_counter() - start:.1f} s -> {args.out / 'efast.nc'} (+{len(paths) - 1} files)")
    return 0
