"""What one UDF call costs on the back-end: the ``backend_tiles`` section of ``efast-udp bench``.

On openeo-geopyspark-driver every UDF call gets one tile with *all* labels of its cube, whatever
the area of the job: ``apply_neighborhood`` a tile of ``size + 2 x overlap`` px per side
(``openeogeotrellis/geopysparkdatacube.py`` ``apply_neighborhood``, retiled and buffered),
``apply_dimension`` one tile of the layout (``apply_dimension``, per ``SpaceTimeKey``). So the
memory of a call is set by the tile edges of the graph and by the number of labels, that is by the
length of ``temporal_extent`` and the acquisition rates (``constants.S3_LABELS_PER_DAY``,
``S2_LABELS_PER_DAY``), never by the spatial extent.

Each call runs in a fresh Python child (numpy, scipy, xarray and the openeo client imported, as
in a back-end's Python worker) through ``openeo.udf.run_udf_code`` on a float32 ``(t, bands, y,
x)`` cube of that shape, with values in the units the back-end delivers. The child reports its
peak resident memory (``VmHWM``) and its peak address space (``VmPeak``): PySpark limits a
Python worker's *address space* (``RLIMIT_AS``) to ``spark.executor.pyspark.memory`` divided by
the executor's cores, and the back-end sets that memory from the job option ``python-memory``
(``openeogeotrellis/deploy/batch_job.py`` / ``job_options.py``). ``python_memory_needed`` is then
the largest ``VmPeak`` times the cores, with 20 % to spare.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import scipy.ndimage  # noqa: F401  (imported by the workers' UDFs anyway: part of a call's runtime)
import xarray
from openeo.metadata import CollectionMetadata
from openeo.udf import UdfData, XarrayDataCube
from openeo.udf.run_code import load_module_from_string, run_udf_code

from efast_udp import constants as C

#: the periods measured: the example call's and the longest the UDP accepts
PERIODS = {"example": 81, "max": C.MAX_TEMPORAL_EXTENT_DAYS}
#: executor cores the back-end gives a batch job by default (``executor-cores``): the Python
#: workers of one executor share ``python-memory``
EXECUTOR_CORES = 2
#: margin on the measured peak
SPARE = 1.2
#: a child that takes longer than this is stopped (the largest call takes seconds)
CHILD_TIMEOUT_S = 600
START = np.datetime64("2022-08-01T00:00", "m")
#: acquisition times (UTC) in turn: Sentinel-3 two or three a day (at 2.5 a day), Sentinel-2 one
S3_TIMES = ("09:50", "10:12", "11:41", "10:12", "11:41")
S2_TIMES = ("11:26",)


def _overlap(node: dict) -> int:
    return max(int(o["value"]) for o in node["arguments"].get("overlap") or [{"value": 0}])


def _size(node: dict) -> int:
    return max(int(s["value"]) for s in node["arguments"]["size"])


def tile_edges(udp: dict) -> dict[str, int]:
    """UDF node -> the edge (px) of the tile one of its calls gets on the back-end."""
    graph = udp["process_graph"]
    s2_tile = int(graph["s2_input"]["arguments"].get("featureflags", {}).get("tilesize", 256))
    edges = {}
    for node_id in ("s3_distance_score", "s2_distance_score", "s3_smoothed"):
        edges[node_id] = _size(graph[node_id]) + 2 * _overlap(graph[node_id])
    # apply_dimension: one layout tile; the 300 m layout keeps the S2 tile edge (resample_spatial)
    edges.update(s3_composite=s2_tile, lr_series=s2_tile, fused=s2_tile)
    return edges


def _labels(days: int, per_day: float, times: tuple[str, ...]) -> np.ndarray:
    """``per_day`` labels a day on average over ``days``, at the acquisition times ``times`` (HH:MM)
    in turn: label ``i`` falls on day ``floor(i / per_day)``."""
    n = max(1, int(math.ceil(days * per_day)))
    day = (np.arange(n) / per_day).astype(int)
    clock = np.array([int(t[:2]) * 60 + int(t[3:]) for t in times])[np.arange(n) % len(times)]
    return np.unique(START + (day * 1440 + clock).astype("timedelta64[m]")).astype("datetime64[ns]")


def _every(days: int, step: int) -> np.ndarray:
    return (START.astype("datetime64[D]") + np.arange(0, days, step).astype("timedelta64[D]")).astype("datetime64[ns]")


def tile_spec(node_id: str, days: int, edge: int) -> dict:
    """The input of one call of ``node_id``: labels (ISO strings), bands and how to fill them."""
    s3 = _labels(days, C.S3_LABELS_PER_DAY, S3_TIMES)
    s2 = _labels(days, C.S2_LABELS_PER_DAY, S2_TIMES)
    composites = _every(days, C.DEFAULT_INTERVAL_DAYS)
    s3_bands, s2_bands = list(C.DEFAULT_S3_BANDS), list(C.DEFAULT_S2_BANDS)
    if node_id == "s3_distance_score":
        labels, bands = s3, [C.S3_FLAG_BAND]
    elif node_id == "s2_distance_score":
        labels, bands = s2, [C.S2_SCL_BAND]
    elif node_id == "s3_composite":
        labels, bands = s3, ["score"] + s3_bands
    elif node_id == "s3_smoothed":
        labels, bands = composites, s3_bands
    elif node_id == "lr_series":
        labels, bands = np.union1d(composites, s2), s3_bands + ["score"]
    elif node_id == "fused":
        labels, bands = np.union1d(s2, composites), s2_bands + [C.S2_SCL_BAND] + s3_bands + ["score", "target"]
    else:
        raise KeyError(node_id)
    return {"node": node_id, "labels": [str(t) for t in labels], "bands": bands, "edge": edge,
            "s2_labels": [str(t) for t in s2], "composites": [str(t) for t in composites]}


def _fill(spec: dict, rng) -> np.ndarray:
    """Values in the units the back-end delivers: S2 digital numbers, S3 reflectance, binned
    flags (a mean of bit fields), SCL classes, scores in [0, 1]."""
    n, edge, bands = len(spec["labels"]), spec["edge"], spec["bands"]
    labels = np.array(spec["labels"], dtype="datetime64[ns]")
    s2 = np.isin(labels, np.array(spec["s2_labels"], dtype="datetime64[ns]"))
    values = np.empty((n, len(bands), edge, edge), dtype=np.float32)
    for i, band in enumerate(bands):
        if band == C.S3_FLAG_BAND:
            values[:, i] = np.where(rng.random((n, edge, edge)) < 0.2, 1.0, 0.0)
        elif band == C.S2_SCL_BAND and spec["node"] == "s2_distance_score":
            values[:, i] = np.where(rng.random((n, edge, edge)) < 0.05, 100.0, 0.0)  # invalid percentage
        elif band == C.S2_SCL_BAND:
            values[:, i] = np.where(rng.random((n, edge, edge)) < 0.2, 9.0, 4.0)
        elif band in C.DEFAULT_S2_BANDS:
            values[:, i] = rng.uniform(200, 5000, (n, edge, edge))
        elif band == "target":
            values[:, i] = 1.0
        elif band == "score":
            values[:, i] = rng.random((n, edge, edge))
        else:
            values[:, i] = rng.uniform(0.02, 0.5, (n, edge, edge))
    if spec["node"] == "fused":  # S2 bands only at S2 labels, the series everywhere
        for i, band in enumerate(bands):
            if band in C.DEFAULT_S2_BANDS or band in (C.S2_SCL_BAND, "score"):
                values[~s2, i] = np.nan
    if spec["node"] == "lr_series":  # composites carry the LR bands, S2 labels the score
        composites = np.isin(labels, np.array(spec["composites"], dtype="datetime64[ns]"))
        values[~composites, :-1] = np.nan
        values[~s2, -1] = np.nan
    return values


def _status_kib(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def child() -> None:
    """Run one call as described on stdin (``{"spec", "code", "context"}``), print its figures."""
    job = json.loads(sys.stdin.read(1 << 24))
    spec = job["spec"]
    # VmHWM, not ru_maxrss: a child starts with its parent's ru_maxrss (fork), the bench's or a test's
    before_mib = _status_kib("VmHWM") / 1024
    values = _fill(spec, np.random.default_rng(0))
    edge = spec["edge"]
    cube = xarray.DataArray(values, dims=("t", "bands", "y", "x"), coords={
        "t": np.array(spec["labels"], dtype="datetime64[ns]"), "bands": spec["bands"],
        "y": (1_800_000.0 - 300.0 * np.arange(edge)).astype(np.float32),
        "x": (500_000.0 + 300.0 * np.arange(edge)).astype(np.float32)})
    data = UdfData(datacube_list=[XarrayDataCube(cube)], user_context=job["context"])
    out = run_udf_code(job["code"], data).get_datacube_list()[0].get_array()
    peak_rss = _status_kib("VmHWM") / 1024
    print(json.dumps({
        "output_bands": [str(b) for b in out.coords["bands"].values] if "bands" in out.coords else None,
        "declared_bands": _declared_bands(job["code"], spec["bands"], job["context"]),
        "output_labels": int(out.sizes.get("t", 0)),
        "labels": len(spec["labels"]), "bands": len(spec["bands"]), "edge_px": edge,
        "input_mib": round(values.nbytes / 2 ** 20, 1), "output_shape": list(out.shape),
        "runtime_rss_mib": round(before_mib, 1),
        "peak_rss_mib": round(peak_rss, 1),
        "vm_peak_mib": round(_status_kib("VmPeak") / 1024, 1)}))


def _declared_bands(code: str, bands: list[str], context: dict) -> list[str] | None:
    """The band names the UDF's ``apply_metadata`` declares for ``bands`` (the names the back-end
    gives an ``apply_dimension`` result), or ``None`` without one."""
    if "\ndef apply_metadata(" not in code:
        return None
    metadata = CollectionMetadata({"cube:dimensions": {"bands": {"type": "bands", "values": list(bands)}}})
    return [str(b) for b in load_module_from_string(code)["apply_metadata"](metadata, context).band_names]


def measure_call(code: str, context: dict, spec: dict) -> dict:
    """One call in a fresh child; its figures."""
    job = json.dumps({"spec": spec, "code": code, "context": context})
    done = subprocess.run([sys.executable, "-c", "from efast_udp.perf.backend_tiles import child; child()"],
                          input=job, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail[:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def contexts(udp: dict, days: int) -> dict[str, tuple[str, dict]]:
    """UDF node -> (code, context at the parameters' defaults for a period of ``days``, every
    composite date a target: the most labels a call of that period can get)."""
    # lazy: not imported by the child (``child``), whose runtime RSS is measured: they add 0.7 MiB to it
    from efast_udp.arguments import resolve_references
    from efast_udp.graph_nodes import udf_nodes

    end = str((START.astype("datetime64[D]") + np.timedelta64(days, "D")))
    period = [str(START.astype("datetime64[D]")), end]
    values = {p["name"]: p.get("default") for p in udp["parameters"]}
    values.update(temporal_extent=period, temporal_extent_target=period, target_time_series=None)
    return {u.ref.top.node_id: (u.code, resolve_references(u.context, values, u.ref.top.node_id))
            for u in udf_nodes(udp)}


def backend_tile_figures(udp: dict, periods: dict[str, int] | None = None) -> dict:
    """Per period and UDF node: one back-end call's shape, peak RSS and peak address space; and
    the ``python-memory`` the largest needs."""
    periods = PERIODS if periods is None else periods
    edges = tile_edges(udp)
    result: dict = {"executor_cores": EXECUTOR_CORES, "periods": {}}
    worst = 0.0
    for name, days in periods.items():
        calls = contexts(udp, days)
        figures = {}
        for node_id, edge in edges.items():
            code, context = calls[node_id]
            figures[node_id] = measure_call(code, context, tile_spec(node_id, days, edge))
            worst = max(worst, figures[node_id].get("vm_peak_mib", 0.0))
        result["periods"][name] = {"days": days, "calls": figures}
    needed = worst * EXECUTOR_CORES * SPARE
    result["largest_vm_peak_mib"] = worst
    result["python_memory_needed_mib"] = round(needed)
    granted = _mib(udp.get("default_job_options", {}).get("python-memory", "0"))
    result["python_memory_granted_mib"] = granted
    result["fits"] = bool(granted >= needed)
    return result


def _mib(text: str) -> float:
    text = str(text).strip().upper().rstrip("B")
    units = {"K": 1 / 1024, "M": 1.0, "G": 1024.0, "T": 1024.0 ** 2}
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    try:
        return float(text) / 2 ** 20
    except ValueError:
        return 0.0


def format_table(figures: dict) -> str:
    lines = [f"{'back-end call':18s} {'period':>7s} {'labels':>6s} {'bands':>5s} {'px':>4s} {'in MiB':>7s} "
             f"{'RSS MiB':>8s} {'VmPeak MiB':>10s}"]
    for name, period in figures["periods"].items():
        for node_id, f in period["calls"].items():
            if "error" in f:
                lines.append(f"{node_id:18s} {name:>7s} error: {f['error']}")
                continue
            lines.append(f"{node_id:18s} {name:>7s} {f['labels']:6d} {f['bands']:5d} {f['edge_px']:4d} "
                         f"{f['input_mib']:7.1f} {f['peak_rss_mib']:8.1f} {f['vm_peak_mib']:10.1f}")
    lines.append(f"python-memory needed {figures['python_memory_needed_mib']} MiB "
                 f"({figures['executor_cores']} cores x largest VmPeak x {SPARE}), granted "
                 f"{figures['python_memory_granted_mib']:.0f} MiB: {'fits' if figures['fits'] else 'DOES NOT FIT'}")
    return "\n".join(lines)
