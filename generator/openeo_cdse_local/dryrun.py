"""What the back-end's dry run decides about each ``load_collection`` before anything loads: the
pixel buffer, a resample pushed into the load, and the global extent all layouts start from.

Reproduces openeo-python-driver ``openeo_driver/dry_run.py`` (``DryRunDataCube`` records the
operations of every path from a source to a leaf of the graph; ``PROPAGATION_RULES`` and
``DryRunDataTracer.get_source_constraints`` turn them into constraints) and
``openeo_driver/processgraph/load_params.py`` ``_extract_load_parameters``, with the extent
rules of openeo-geopyspark-driver ``openeogeotrellis/_backend/post_dry_run.py``
(``_extract_spatial_extent_from_constraint_load_collection``, ``determine_global_extent``):

- ``apply_neighborhood`` with an overlap adds ``pixel_buffer`` = the overlap in pixels of the
  cube at that point; per source the largest over its paths counts;
- ``resample_spatial`` and ``resample_cube_spatial`` add a ``resample`` constraint (target CRS
  and resolution), unless a *blocker* (``apply``, ``apply_dimension``, ``apply_neighborhood``, ...)
  comes before it on the path; ``resample_cube_spatial`` also continues the *target's* paths;
  the source takes the resample of its first path;
- each path's extent: the request's bounding box in the target CRS (the resample's, else the
  collection's), buffered by ``resolution x ceil(pixel_buffer)``, snapped outward to the
  resolution when the collection is loaded in its native grid and realigned; the global extent
  is their union.

Only the parts a local run needs are modelled (spatial extents, buffers, resamples); the
graph's other constraints (bands, temporal extent) are the processes' own arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pyproj

from openeo_cdse_local.collections import profile
from openeo_cdse_local.errors import ProcessFailure
from openeo_cdse_local.grids import BBox, best_utm

#: processes after which a resample is no longer pushed into the load (``PROPAGATION_RULES``)
RESAMPLE_BLOCKERS = frozenset({
    "apply_kernel", "reduce_dimension", "apply", "apply_dimension", "apply_neighborhood", "reduce_dimension_binary",
    "mask", "to_scl_dilation_mask", "corsa_compress", "predict_onnx",
})


@dataclass(frozen=True)
class Op:
    name: str
    value: object = None


@dataclass(frozen=True)
class Trace:
    source: str  # the load_collection node id
    ops: tuple[Op, ...] = ()

    def then(self, *ops: Op) -> "Trace":
        return Trace(self.source, self.ops + ops)

    def resample(self) -> dict | None:
        """The resample pushed into the load along this path: before the first blocker."""
        for op in self.ops:
            if op.name in RESAMPLE_BLOCKERS:
                return None
            if op.name == "resample" and op.value is not None:
                return op.value
        return None

    def pixel_buffer(self) -> tuple[float, float] | None:
        """The pixel buffer closest to the source (no blockers)."""
        return next((op.value for op in self.ops if op.name == "pixel_buffer"), None)


@dataclass
class LoadPlan:
    """What the dry run decided for one ``load_collection`` node."""

    node: str
    collection: str
    spatial_extent: object
    #: the largest pixel buffer (x, y) of its paths, in pixels of the cube where it was asked
    pixel_buffer: tuple[float, float] | None = None
    #: the resample pushed into the load (``{"crs", "resolution"}``), from its first path
    resample: dict | None = None
    #: the extents of its paths (buffered, aligned), whose union with every other source's is
    #: the global extent
    extents: list = field(default_factory=list)


@dataclass
class Plan:
    loads: dict[str, LoadPlan]
    global_extent: BBox | None

    def for_collection(self, collection_id: str) -> LoadPlan | None:
        found = [p for p in self.loads.values() if p.collection == collection_id]
        return found[0] if found else None


def _metadata_crs(collection_id: str):
    known = profile(collection_id)
    return known.crs if known else None, known.step if known else None


def _overlap_px(overlap) -> tuple[float, float] | None:
    values = {item.get("dimension"): item.get("value") for item in overlap or [] if isinstance(item, dict)}
    x, y = values.get("x"), values.get("y")
    if not x and not y:
        return None
    return float(x or 0), float(y or 0)


def _from_node(value) -> str | None:
    return value.get("from_node") if isinstance(value, dict) else None


def request_bbox(spatial_extent) -> BBox | None:
    """The request's bounding box: a ``{"west", ...}`` box or a GeoJSON object's bounds."""
    if not isinstance(spatial_extent, dict):
        return None
    if "west" in spatial_extent:
        return _box(spatial_extent)
    points = list(_coordinates(spatial_extent))
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return BBox(min(xs), min(ys), max(xs), max(ys), pyproj.CRS.from_epsg(4326))


def _box(extent: dict) -> BBox:
    """A ``{"west", "south", "east", "north"[, "crs"]}`` box, checked: an EPSG code the CRS
    database knows, numbers, and degrees within the globe for a geographic CRS (projected
    coordinates without ``crs`` read as degrees overflowed deep inside the reprojection)."""
    code = extent.get("crs")
    code = 4326 if code is None else code
    if isinstance(code, bool) or not isinstance(code, (int, str)):
        raise ProcessFailure(f"parameter 'spatial_extent': crs {code!r} is not an EPSG code (a whole number such as "
                             "32628) or a CRS text")
    try:
        crs = pyproj.CRS.from_user_input(code)
    except pyproj.exceptions.CRSError:
        raise ProcessFailure(f"parameter 'spatial_extent': crs {code!r} is not a coordinate reference system the "
                             "EPSG database knows") from None
    try:
        west, south, east, north = (float(extent[k]) for k in ("west", "south", "east", "north"))
    except (KeyError, TypeError, ValueError):
        raise ProcessFailure("parameter 'spatial_extent': west, south, east and north must all be numbers") from None
    if crs.is_geographic and not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90
                                  and -90 <= north <= 90):
        raise ProcessFailure(f"parameter 'spatial_extent': {west:g}, {south:g}, {east:g}, {north:g} are not degrees "
                             f"of {crs.name} (longitudes -180..180, latitudes -90..90); for projected coordinates "
                             "give their crs, e.g. \"crs\": 32628")
    return BBox(west, south, east, north, crs)


def _coordinates(obj):
    if isinstance(obj, dict):
        if obj.get("type") == "FeatureCollection":
            for feature in obj.get("features") or []:
                yield from _coordinates(feature)
        elif obj.get("type") == "Feature":
            yield from _coordinates(obj.get("geometry") or {})
        elif obj.get("type") == "GeometryCollection":
            for geometry in obj.get("geometries") or []:
                yield from _coordinates(geometry)
        else:
            yield from _coordinates(obj.get("coordinates") or [])
    elif isinstance(obj, list):
        if len(obj) >= 2 and all(isinstance(v, (int, float)) for v in obj[:2]):
            yield float(obj[0]), float(obj[1])
        else:
            for part in obj:
                yield from _coordinates(part)


def plan(process_graph: dict, resolve) -> Plan:
    """The dry run of a top-level ``process_graph``; ``resolve(value)`` gives an argument's value
    (parameter references resolved)."""
    nodes = {k: v for k, v in (process_graph or {}).items() if isinstance(v, dict)}
    traces: dict[str, list[Trace]] = {}
    grids: dict[str, tuple] = {}  # node -> (crs, resolution) of its cube, as far as known
    consumed: set[str] = set()
    loads: dict[str, LoadPlan] = {}

    def visit(node_id: str) -> list[Trace]:
        if node_id in traces:
            return traces[node_id]
        traces[node_id] = []  # a cycle ends here (the parser refuses cycles anyway)
        node = nodes[node_id]
        args = node.get("arguments") or {}
        process_id = node.get("process_id")
        inputs = {k: _from_node(v) for k, v in args.items() if _from_node(v) in nodes}
        for name in inputs.values():
            consumed.add(name)
        upstream = {k: visit(v) for k, v in inputs.items()}
        result: list[Trace]
        if process_id == "load_collection":
            collection = resolve(args.get("id"))
            loads[node_id] = LoadPlan(node_id, str(collection), resolve(args.get("spatial_extent")))
            grids[node_id] = _metadata_crs(str(collection))
            result = [Trace(node_id)]
        else:
            data = upstream.get("data", [])
            grids[node_id] = grids.get(inputs.get("data"), (None, None))
            if process_id == "apply_neighborhood":
                buffer = _overlap_px(resolve(args.get("overlap")))
                ops = [Op("apply_neighborhood")] + ([Op("pixel_buffer", buffer)] if buffer else [])
                result = [t.then(*ops) for t in data]
            elif process_id == "resample_spatial":
                resolution = resolve(args.get("resolution"))
                target = {"crs": resolve(args.get("projection")), "resolution": resolution}
                grids[node_id] = (target["crs"] or grids[node_id][0], resolution or grids[node_id][1])
                result = [t.then(Op("resample", target)) for t in data]
            elif process_id == "resample_cube_spatial":
                crs, resolution = grids.get(inputs.get("target"), (None, None))
                grids[node_id] = (crs, resolution)
                target = {"crs": crs, "resolution": resolution} if crs is not None and resolution else None
                result = [t.then(Op("resample", target)) for t in data] + upstream.get("target", [])
            elif process_id == "merge_cubes":
                result = [t.then(Op("merge_cubes")) for t in upstream.get("cube1", []) + upstream.get("cube2", [])]
            elif process_id in RESAMPLE_BLOCKERS:
                result = [t.then(Op(process_id)) for t in data]
            else:
                result = list(data)
        traces[node_id] = result
        return result

    for node_id in nodes:
        visit(node_id)
    leaves = [t for node_id, found in traces.items() if node_id not in consumed for t in found]
    for trace in leaves:
        load = loads[trace.source]
        buffer = trace.pixel_buffer()
        if buffer is not None:
            load.pixel_buffer = buffer if load.pixel_buffer is None else tuple(
                max(a, b) for a, b in zip(load.pixel_buffer, buffer))
        if load.resample is None and not load.extents:
            load.resample = trace.resample()
        extent = _path_extent(load, trace)
        if extent is not None:
            load.extents.append(extent)
    extents = [e for load in loads.values() for e in load.extents]
    global_extent = None
    for extent in extents:
        global_extent = extent if global_extent is None else global_extent.union(extent)
    return Plan(loads, global_extent)


def _path_extent(load: LoadPlan, trace: Trace) -> BBox | None:
    """One path's extent: the request in the target grid, buffered, aligned in the native grid."""
    bbox = request_bbox(load.spatial_extent)
    if bbox is None:
        return None
    known = profile(load.collection)
    native_crs = (best_utm(bbox) if known.is_utm else pyproj.CRS.from_epsg(known.crs)) if known else bbox.crs
    resample = trace.resample()
    target_crs = native_crs
    if resample and resample.get("crs") is not None:
        target_crs = best_utm(bbox) if resample["crs"] == "utm" else pyproj.CRS.from_user_input(resample["crs"])
    resolution = _resolution(resample) or (known.step if known else None)
    extent = bbox.reproject(target_crs)
    buffer = trace.pixel_buffer()
    if buffer is not None and resolution:
        extent = extent.buffer(resolution * math.ceil(buffer[0]), resolution * math.ceil(buffer[1]))
    native = target_crs == native_crs
    if known and known.realign and native and resolution and (not known.is_utm or resolution <= 20):
        extent = extent.snap(resolution)
    return extent


def _resolution(resample: dict | None) -> float | None:
    if not resample or resample.get("resolution") in (None, 0):
        return None
    value = resample["resolution"]
    return float(value[0] if isinstance(value, (list, tuple)) else value)

