"""Running a UDP on local data and writing its outputs: what ``efast-udp run`` and ``demo`` call.

The process definition comes in already read and checked (``commands/run.py`` validates it,
vouches for its UDFs and checks the parameter values); here it is executed lazily by
``openeo_cdse_local``, computed window by window on the chosen dask scheduler and written as it
is computed (``openeo_cdse_local.stream``).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from openeo_cdse_local import (DEFAULT_CHUNK_PX, ExecutorError, Result, Session, geotiff_writer, netcdf_writer,
                               preload, schedulers, stream, writers)
from openeo_cdse_local import run as run_graph
from openeo_cdse_local.cube import cube_dims_order

from efast_udp import constants as C
from efast_udp.document import load_udp
from efast_udp.errors import EfastUdpError, ExecutionError, UsageError
from efast_udp.local import progress
from efast_udp.local import quicklooks as draw


@contextlib.contextmanager
def one_line_errors():
    """Any failure of a process implementation or UDF as one line, never a traceback."""
    try:
        yield
    except EfastUdpError:
        raise
    except ExecutorError as exc:  # the executor's own one-line message
        raise ExecutionError(str(exc)) from exc
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ExecutionError(f"{type(exc).__name__}: {message}") from exc


def session(data_dir: Path, chunk_px: int | None = None, bars: progress.Bars | None = None, **options) -> Session:
    """The executor session of a run (window size, progress bars), its options checked."""
    if not Path(data_dir).is_dir():
        raise UsageError(f"--data {data_dir}: expected a directory with <collection id>.nc files")
    try:
        return Session(Path(data_dir), chunk_px=DEFAULT_CHUNK_PX if chunk_px is None else chunk_px,
                       on_node=bars.node_done if bars is not None else None, **options)
    except ExecutorError as exc:
        raise UsageError(str(exc).replace("chunk size", "--chunk-px")) from None


def execute(udp: dict | Path, data_dir: Path, given: dict, bars: progress.Bars | None = None,
            chunk_px: int | None = None, **options) -> Result:
    """Build the run's lazy result with every failure turned into one line naming what is wrong.
    ``udp``: the process definition, or a file to read it from (trusted code only: the tests).
    ``options``: further ``openeo_cdse_local.Session`` settings (``neighbourhood``)."""
    if not isinstance(udp, dict):
        udp = load_udp(udp)
    run_session = session(data_dir, chunk_px, bars, **options)
    with one_line_errors():
        return run_graph(udp, given, run_session)


#: no-data fraction of the result from which a run ends with a warning that says why
NODATA_WARNING = 0.9
#: where a run's quicklooks go, inside its output folder
QUICKLOOKS_FOLDER = "quicklooks"


class NoDataCounter:
    """A stream writer that counts, per band, the values of the result that are no data."""

    def __init__(self, cube):
        cube = cube_dims_order(cube)
        self.names = [str(b) for b in cube.bands.values] if "bands" in cube.dims else ["data"]
        self.axis = cube.dims.index("bands") if "bands" in cube.dims else None
        self.missing = np.zeros(len(self.names), dtype=np.int64)
        self.total = np.zeros(len(self.names), dtype=np.int64)

    def write(self, region: tuple[slice, ...], block: np.ndarray) -> None:
        if self.axis is None:
            self.missing[0] += int(np.isnan(block).sum())
            self.total[0] += block.size
            return
        bands = range(*region[self.axis].indices(len(self.names)))
        for k, index in enumerate(bands):
            layer = np.take(block, k, axis=self.axis)
            self.missing[index] += int(np.isnan(layer).sum())
            self.total[index] += layer.size

    def close(self) -> None:
        pass

    def fractions(self) -> dict[str, float]:
        return {n: float(m / t) if t else 1.0 for n, m, t in zip(self.names, self.missing, self.total)}


def describe_nodata(fractions: dict[str, float]) -> str:
    """``"2.1 % (B02 0.0 %, NDVI 8.3 %)"``: overall and per band."""
    overall = sum(fractions.values()) / len(fractions) if fractions else 1.0
    return f"{100 * overall:.1f} % (" + ", ".join(f"{b} {100 * f:.1f} %" for b, f in fractions.items()) + ")"


def why_no_data(result: Result) -> str:
    """Why a result is (almost) all no data, from the inputs of the run (computed on demand)."""
    stages = result.intermediates
    scl = stages.get("s2_scl")
    if scl is not None:
        usable = np.isfinite(scl) & ~scl.isin(list(C.S2_INVALID_SCL_CLASSES))
        if not bool(usable.any().compute()):
            return ("no valid Sentinel-2 pixel in spatial_extent during temporal_extent: every acquisition is no data, "
                    "cloud, cloud shadow, cirrus or snow there (SCL); widen temporal_extent or check the data")
    s3 = stages.get("s3_input")
    if s3 is not None:
        data = s3.sel(bands=[b for b in s3.bands.values if str(b) != C.S3_FLAG_BAND])
        if not bool(np.isfinite(data).any().compute()):
            return ("no Sentinel-3 observation in spatial_extent during temporal_extent; without Sentinel-3 only "
                    "Sentinel-2 dates near each target give values")
    return ("the inputs have data, but the target dates lie too far from any usable Sentinel-2 acquisition for its "
            "weight to count (temporal_score_stddev) or outside the Sentinel-3 composites")


def provenance(doc: dict, values: dict, command: list[str] | None) -> dict:
    """Global CF attributes of ``openEO.nc``: what made it, with which parameters, when."""
    canonical = next((link.get("href") for link in doc.get("links", []) if isinstance(link, dict)
                      and link.get("rel") == "canonical"), None)
    version = canonical.rstrip("/").split("/")[-2] if canonical else "unversioned"
    when = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    return {
        "title": f"EFAST fusion of Sentinel-2 and Sentinel-3 (openEO process {doc.get('id')} {version})",
        "source": f"openEO user-defined process {doc.get('id')} {version} ({canonical or 'no canonical URL'}), "
                  f"run locally by efast-udp",
        "history": f"{when}: {shlex.join(command or ['efast-udp', 'run'])}; parameters (defaults included): "
                   f"{json.dumps(values, sort_keys=True)}",
        "references": f"{C.PAPER_CITATION} {C.PAPER_DOI_URL}",
        "comment": "Surface reflectance and NDVI are dimensionless (units 1); NaN marks no data.",
        "Conventions": "CF-1.8",
    }


def band_attributes(values: dict, names: list[str]) -> dict[str, dict]:
    """CF attributes of each output band: units and a long name saying where it comes from."""
    s2, s3 = list(values.get("s2_data_bands") or []), list(values.get("s3_data_bands") or [])
    attrs = {}
    for i, name in enumerate(names):
        if name == C.NDVI_BAND_NAME and values.get("output_ndvi"):
            long_name = (f"normalized difference vegetation index from the fused {C.NDVI_NIR_BAND} and "
                         f"{C.NDVI_RED_BAND}")
        elif i < len(s2):
            pair = f" and Sentinel-3 {s3[i]}" if i < len(s3) else ""
            long_name = f"surface reflectance fused from Sentinel-2 {s2[i]}{pair} (EFAST)"
        else:
            long_name = name
        attrs[name] = {"units": "1", "long_name": long_name}
    return attrs


def check_band_names(names: list[str]) -> list[str]:
    """``names`` when they can name NetCDF variables, else one line naming ``fused_band_names``,
    where the output's band names come from (``a/b``, ``x``, ``crs``, the same name twice)."""
    problem = writers.band_name_problem(names)
    if problem:
        raise UsageError(f"fused_band_names: {problem} (the output bands would be {names})")
    return names


def expected_band_names(values: dict) -> list[str]:
    """The output bands a run with the parameter ``values`` (defaults applied) will have: the
    fused names (or the Sentinel-2 names), then NDVI; checked before the graph runs."""
    fused = list(values.get("fused_band_names") or values.get("s2_data_bands") or [])
    return fused + ([C.NDVI_BAND_NAME] if values.get("output_ndvi") else [])


def band_names(result: Result) -> list[str]:
    """The result's bands, checked (``check_band_names``)."""
    return check_band_names([str(b) for b in result.result.bands.values] if "bands" in result.result.dims
                            else ["data"])


def planned_paths(result: Result, out: Path, save_intermediates: bool, geotiff: bool = True,
                  quicklooks: bool = False) -> list[Path]:
    """Every file ``write_outputs`` (and, with ``quicklooks``, ``quicklooks``) will create in
    ``out``, before anything is computed."""
    paths = [out / writers.NETCDF_NAME]
    if geotiff:
        paths += [out / writers.geotiff_name(t) for t in result.result.coords["t"].values]
    if save_intermediates:
        paths += [out / "intermediates" / f"{name}.nc" for name in result.intermediates]
    if quicklooks:
        paths += draw.planned(out / QUICKLOOKS_FOLDER, result.result.coords["t"].values, band_names(result),
                              result.parameters)
    return paths


def write_outputs(result: Result, out: Path, save_intermediates: bool, geotiff: bool = True,
                  attrs: dict | None = None, extra: list | None = None, chunk_px: int | None = None,
                  bars: progress.Bars | None = None, claims: writers.Claims | None = None,
                  timings: dict | None = None, finishing: list | None = None) -> list[Path]:
    """Compute and write the result (and the named stages) in one pass, window by window; CF
    attributes ``attrs`` on the result; ``extra`` writers see the result's windows too. Every
    file is created through ``claims`` (default: new ones for ``out``), so nothing already
    there is written over or through. ``timings`` gets the seconds the writers took in this
    thread and the computation waited for them (``openeo_cdse_local.stream.write``). With
    ``finishing`` (a list), the GeoTIFFs are converted to COGs in the background and their
    writer is appended to it: the files are complete once its ``wait`` returns."""
    out.mkdir(parents=True, exist_ok=True)
    claims = claims if claims is not None else writers.Claims(out)
    variables = band_attributes(result.parameters, band_names(result))
    makers = [lambda c: netcdf_writer.NetCDFWriter(c, out / writers.NETCDF_NAME, attrs=attrs, variables=variables,
                                             claims=claims)]
    if geotiff:
        def geotiffs(cube):
            writer = geotiff_writer.GeoTIFFWriter(cube, out, claims=claims, in_background=finishing is not None)
            if finishing is not None:
                finishing.append(writer)
            return writer

        makers.append(geotiffs)
    makers += [lambda c, w=w: w for w in extra or []]
    items = [(result.result, makers)]
    if save_intermediates:
        for name, cube in result.intermediates.items():
            stage = {**(attrs or {}), "title": f"{(attrs or {}).get('title', 'EFAST')}: intermediate stage {name}"}
            items.append((cube, [lambda c, name=name, stage=stage: netcdf_writer.NetCDFWriter(
                c, out / "intermediates" / f"{name}.nc", attrs=stage, claims=claims)]))
    with one_line_errors():
        done = stream.write(items, chunk_px or DEFAULT_CHUNK_PX, bars.window_done if bars is not None else None,
                            timings)
    return [path for w in done for path in (w.paths if hasattr(w, "paths") else [getattr(w, "path", None)])
            if path is not None]


@dataclass
class RunOutput:
    """What a run produced: the lazy result (now written), the files, the no-data fraction per
    band, a warning when almost everything is no data, and the seconds its phases took
    (``timings``: imports, set-up, computing and writing, of which the writers kept it waiting);
    ``finishing``: writers still completing their files in the background (``finish``)."""

    result: Result
    paths: list[Path]
    nodata: dict[str, float]
    warning: str | None
    timings: dict = field(default_factory=dict)
    finishing: list = field(default_factory=list)


def finish(output: RunOutput) -> None:
    """Wait for the files still being completed in the background (raising their first error);
    the wait counts as writing in ``output.timings``."""
    start = time.perf_counter()
    try:
        while output.finishing:
            output.finishing.pop(0).wait()
    finally:
        output.finishing.clear()
        output.timings["writing_s"] = round(output.timings.get("writing_s", 0.0) + time.perf_counter() - start, 3)


def run_udp(udp: dict | Path, data_dir: Path, given: dict, out: Path, *, save_intermediates: bool = False,
            geotiff: bool = True, show_progress: bool = False, scheduler: str = "threads", workers: int | None = None,
            memory_limit: str | None = None, chunk_px: int | None = None, report: Path | None = None,
            command: list[str] | None = None, prepare=None, neighbourhood: str = "windows",
            claims: writers.Claims | None = None, quicklooks: bool = False,
            in_background: bool = False) -> RunOutput:
    """Run the UDP on ``data_dir`` and write ``out``, on the chosen dask scheduler. ``prepare``
    is called with the files the run will write once it has started well (scheduler up, graph
    built, band names checked), right before anything is written: the place to claim the output
    folder; ``claims``: where the files are created (``efast_udp.outputs.Claim.claims``);
    ``quicklooks``: the plan includes the quicklooks ``quicklooks`` will draw afterwards;
    ``in_background``: the GeoTIFFs are still being converted when this returns, ``finish``
    waits for them (the quicklooks can be drawn meanwhile)."""
    bars = progress.Bars(show_progress)
    clock = time.perf_counter()
    timings: dict = {}

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    preload()
    lap("imports_s")
    with schedulers.use(scheduler, workers, memory_limit, report), progress.tasks(show_progress), \
            contextlib.closing(bars):
        result = execute(udp, data_dir, given, bars, chunk_px, neighbourhood=neighbourhood)
        band_names(result)
        if prepare is not None:
            prepare(planned_paths(result, out, save_intermediates, geotiff, quicklooks))
        counter = NoDataCounter(result.result)
        doc = udp if isinstance(udp, dict) else {}
        lap("set_up_s")
        waited: dict = {}
        finishing: list = []
        paths = write_outputs(result, out, save_intermediates, geotiff,
                              attrs=provenance(doc, result.parameters, command), extra=[counter],
                              chunk_px=chunk_px, bars=bars, claims=claims, timings=waited,
                              finishing=finishing if in_background else None)
        lap("compute_and_write_s")
        # what the writers added: the computation waiting for them, and finishing the files after it
        timings["writing_s"] = round(waited.get(stream.WAITED, 0.0) + sum(
            v for k, v in waited.items() if k.endswith(".close") and not k.startswith(type(counter).__name__)), 3)
        try:
            nodata = counter.fractions()
            warning = None
            if nodata and sum(nodata.values()) / len(nodata) >= NODATA_WARNING:
                with one_line_errors():
                    warning = f"{describe_nodata(nodata)} of the result is no data: {why_no_data(result)}"
        except BaseException:  # nobody will wait for the files under way: stop them
            for writer in finishing:
                writer.abort()
            raise
    return RunOutput(result, paths, nodata, warning, timings, finishing)


def quicklooks(output: RunOutput, folder: Path, claims: writers.Claims | None = None) -> list[Path]:
    """PNG maps of every output date (RGB, NDVI), drawn from the written ``openEO.nc``."""
    nc = next(p for p in output.paths if p.name == writers.NETCDF_NAME)  # drawn from the file, as a user reads it
    return draw.write_all(nc, folder, output.result.parameters, claims)
