"""Check 6c (issue 20): every number that sizes the work of a run lies in a documented range.

The released UDF code is trusted, but what it computes on comes from the graph: a context with
``max_distance_to_cloud_m`` 1e7 makes the distance transform run for hours, a ``kernel_size`` of
30001 or an ``apply_neighborhood`` overlap of 10^6 exhausts memory, and the trust list cannot see
any of it (it vouches for code, not for the numbers handed to it). So ``validate`` (and ``run``,
which validates first) checks, wherever such a number sits:

- the keys of ``CONTEXT_BOUNDS`` in any node's literal ``context`` (the contexts the UDFs read),
  and in the ``default`` of a UDP parameter that a whole context comes from;
- a context value taken ``from_parameter`` of the UDP: the parameter's ``default``, and the end
  of every alternative of its ``schema`` towards which the work grows (``Bound.grows``: a
  ``maximum`` for a distance, a ``minimum`` for a pixel size), so that what the parameter
  documents keeps a run bounded. ``run`` checks each given value against its schema and then
  against the range itself (``run_problem``: one line, exit 2);
- the distance in pixels, ``max_distance_to_cloud_m`` (or the largest its parameter admits) over
  ``pixel_size_m``, at most ``MAX_DISTANCE_PX``;
- ``apply_neighborhood`` ``size`` and ``overlap`` (``NEIGHBORHOOD_BOUNDS``).

``load_collection`` ``featureflags`` (``tilesize`` 16..4096, ``super_sampling`` 1..4) are bounded
by the back-end profile's schema of that argument (``schemas/backend-profile.json``, check 3).

A range is ``Bound(low, high, ...)``: both ends included unless ``low_open``; ``integer`` and
``odd`` restrict further. The ranges are those the parameters document (``parameters.py``) and
the constants the UDP is built with; every release from 0.1.0 on lies inside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from efast_udp import constants
from efast_udp.graph_nodes import ref_kind
from efast_udp.validation.context import Context
from efast_udp.pointers import join, pointer
from efast_udp.validation.findings import Finding, show
from efast_udp.validation.graph import Node, resolve_parameter


@dataclass(frozen=True)
class Bound:
    low: float
    high: float
    low_open: bool = False
    integer: bool = False
    odd: bool = False
    #: what the number is, for the message
    what: str = ""
    #: "up" when the work grows with the value, "down" when it grows as the value shrinks: the
    #: end a parameter's schema must close (``None``: the value does not size work by itself)
    grows: str | None = None

    def expected(self) -> str:
        kind = "an odd integer" if self.odd else "an integer" if self.integer else "a number"
        if self.low_open:
            return f"{kind} above {self.low:g} and at most {self.high:g}"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def problem(self, value: object) -> str | None:
        """Why ``value`` is outside the range, or ``None``."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "is not a number"
        if not math.isfinite(value):
            return "is not a finite number"
        if value > self.high:
            return f"is above the largest {self.high:g}"
        if value < self.low or (self.low_open and value == self.low):
            return f"is below the smallest {self.low:g}" if value < self.low else f"must be above {self.low:g}"
        if self.integer and value != int(value):
            return "is not an integer"
        if self.odd and int(value) % 2 != 1:
            return "is not odd"
        return None


#: context key -> range, for every context value a UDF reads that sizes its work (or, for
#: cloud_tolerance, that a UDF refuses outside it anyway).
CONTEXT_BOUNDS: dict[str, Bound] = {
    # distance transform: radius = max_distance_to_cloud_m / pixel_size_m passes over the chunk
    "max_distance_to_cloud_m": Bound(0, constants.MAX_MAX_DISTANCE_TO_CLOUD_M, low_open=True,
                                     what="distance (m) at which the score saturates", grows="up"),
    "pixel_size_m": Bound(constants.S2_PIXEL_SIZE_M, 1000, what="coarse grid pixel size (m)", grows="down"),
    "cloud_tolerance": Bound(0, 1, low_open=True, what="invalid fraction of a cloudy cell"),
    "fraction_scale": Bound(0, 10000, low_open=True, what="mask value of a fully invalid cell"),
    "cloudy_above": Bound(0, 255, what="binned CLOUD_flags threshold"),
    # smoothing: a kernel_size² kernel convolved with every tile
    "kernel_size": Bound(1, 31, integer=True, odd=True, what="smoothing kernel edge (px)", grows="up"),
    "sigma_px": Bound(0, 31, low_open=True, what="smoothing sigma (px)"),
    # temporal weights and steps: the number of composites and target dates
    "sigma_days": Bound(0, 366, low_open=True, what="temporal weight sigma (days)", grows="up"),
    "interval_days": Bound(1, 366, integer=True, what="days between composites", grows="down"),
    "max_temporal_extent_days": Bound(1, 366, integer=True, what="longest temporal_extent (days)", grows="up"),
    "units_limit": Bound(0, 10000, low_open=True, what="units check median limit"),
}

#: apply_neighborhood: the edge of a chunk and its overlap (px), per spatial dimension; a chunk of
#: 4096² px with every label is already far beyond a back-end worker's memory.
MAX_NEIGHBORHOOD_PX = 4096
NEIGHBORHOOD_BOUNDS = {
    "size": Bound(1, MAX_NEIGHBORHOOD_PX, integer=True, what="chunk edge (px)"),
    "overlap": Bound(0, MAX_NEIGHBORHOOD_PX, integer=True, what="chunk overlap (px)"),
}

#: The distance transform makes one pass over the chunk per pixel of
#: max_distance_to_cloud_m / pixel_size_m (10 labels of 198² px: 0.01 s at 33 px, 1.75 s at
#: 1000 px): the ratio may not exceed what the largest distance gives on the 300 m grid.
MAX_DISTANCE_PX = constants.MAX_MAX_DISTANCE_TO_CLOUD_M / constants.COARSE_PIXEL_SIZE_M

CODE = "work-bound"


def distance_px_problem(distance: object, pixel: object) -> str | None:
    """Why a distance (m) on pixels of ``pixel`` m is too many pixels, or ``None`` (also when
    either is not a number in its own range: that has its own finding)."""
    if CONTEXT_BOUNDS["max_distance_to_cloud_m"].problem(distance) or CONTEXT_BOUNDS["pixel_size_m"].problem(pixel):
        return None
    if distance / pixel > MAX_DISTANCE_PX + 1e-9:
        return (f"max_distance_to_cloud_m {distance:g} over pixel_size_m {pixel:g} is a distance of "
                f"{distance / pixel:g} px; at most {MAX_DISTANCE_PX:g} px (the distance transform makes one pass "
                "over the chunk per pixel)")
    return None


def _finding(where: str, value: object, bound: Bound, name: str, problem: str, context: str = "") -> Finding:
    return Finding(CODE, where, show(value), bound.expected(),
                   f"{name} {show(value)} {problem}{context} ({bound.what}: it sizes the work of a run)")


def _check(where: str, value: object, bound: Bound, name: str, context: str = "") -> Iterator[Finding]:
    problem = bound.problem(value)
    if problem:
        yield _finding(where, value, bound, name, problem, context)


def _schema_alternatives(schema: object) -> list:
    if isinstance(schema, list):
        return schema
    if isinstance(schema, dict) and isinstance(schema.get("anyOf") or schema.get("oneOf"), list):
        return schema.get("anyOf") or schema.get("oneOf")
    return [schema]


def _schema_problem(schema: object, bound: Bound) -> str | None:
    """Why a value that passes ``schema`` could make more work than ``bound`` allows, or ``None``:
    the schema must admit numbers only and close the end towards which the work grows."""
    if bound.grows is None:
        return None
    for alt in _schema_alternatives(schema):
        if not isinstance(alt, dict) or alt.get("type") not in ("number", "integer"):
            return f"allows values that are not numbers ({show(alt)})"
        ends = ("maximum", "exclusiveMaximum") if bound.grows == "up" else ("minimum", "exclusiveMinimum")
        limits = [alt[k] for k in ends if isinstance(alt.get(k), (int, float)) and not isinstance(alt.get(k), bool)]
        if bound.grows == "up":
            high = min(limits, default=None)
            if high is None or high > bound.high:
                return f"allows values up to {'any number' if high is None else f'{high:g}'}"
        else:
            low = max(limits, default=None)
            if low is None or low < bound.low:
                return f"allows values down to {'any number' if low is None else f'{low:g}'}"
    return None


def _parameter(ctx: Context, name: str) -> tuple[int, dict] | None:
    return next(((i, p) for i, p in ctx.parameter_list() if p.get("name") == name), None)


def _context_value(ctx: Context, node: Node, where: str, key: str, value: object, seen: set) -> Iterator[Finding]:
    bound = CONTEXT_BOUNDS[key]
    if ref_kind(value) != "from_parameter":
        yield from _check(where, value, bound, key)
        return
    name = value["from_parameter"]
    graph = resolve_parameter(node.graph, name)[0] if isinstance(name, str) else None
    found = _parameter(ctx, name) if graph is not None and not graph.is_callback else None
    if found is None:
        yield Finding(CODE, where, show(value), f"{bound.expected()}, or a UDP parameter",
                      f"{key} comes from {show(value)}, which is not a parameter of the UDP: its range cannot be "
                      "checked")
        return
    index, param = found
    name = param["name"]
    if (index, key) in seen:  # one finding per parameter, however many contexts use it
        return
    seen.add((index, key))
    if "default" in param and param["default"] is not None:
        yield from _check(pointer("parameters", index, "default"), param["default"], bound,
                          f"the default of parameter {name!r}", f" (it is {key} at {where})")
    problem = _schema_problem(param.get("schema"), bound)
    if problem:
        yield Finding(CODE, pointer("parameters", index, "schema"), show(param.get("schema")), bound.expected(),
                      f"the schema of parameter {name!r} {problem}, and the parameter is {key} at {where} "
                      f"({bound.what}: it sizes the work of a run)")


def _context(ctx: Context, node: Node, base: str, context: dict, seen: set) -> Iterator[Finding]:
    for key, value in context.items():
        if key in CONTEXT_BOUNDS:
            yield from _context_value(ctx, node, join(base, key), key, value, seen)
    # the largest distance and the smallest pixel the graph admits (a parameter: its schema's end)
    distance = _schema_end(ctx, context.get("max_distance_to_cloud_m"), "maximum", max)
    pixel = _schema_end(ctx, context.get("pixel_size_m"), "minimum", min)
    problem = distance_px_problem(distance, pixel)
    if problem:
        bound = CONTEXT_BOUNDS["pixel_size_m"]
        yield Finding(CODE, join(base, "pixel_size_m"), show(context["pixel_size_m"]),
                      f"at least {distance / MAX_DISTANCE_PX:g} m for a distance of {distance:g} m",
                      f"{problem} ({bound.what}: it sizes the work of a run)")


def _schema_end(ctx: Context, value: object, keyword: str, pick) -> object:
    """``value``, or for a ``from_parameter`` reference the ``keyword`` (``maximum``/``minimum``)
    end of the parameter's schema, ``pick`` of its alternatives' (``None`` when one has none)."""
    if ref_kind(value) != "from_parameter":
        return value
    found = _parameter(ctx, value["from_parameter"])
    ends = [alt.get(keyword) for alt in _schema_alternatives(found[1].get("schema"))
            if isinstance(alt, dict)] if found else []
    return pick(ends) if ends and all(isinstance(e, (int, float)) for e in ends) else None


def check_contexts(ctx: Context) -> Iterator[Finding]:
    seen: set = set()
    for node in ctx.nodes():
        context = node.arguments.get("context")
        if isinstance(context, dict) and not ref_kind(context):
            yield from _context(ctx, node, node.argument_pointer("context"), context, seen)
        elif ref_kind(context) == "from_parameter" and not node.graph.is_callback:
            found = _parameter(ctx, context["from_parameter"])
            if found and isinstance(found[1].get("default"), dict):
                yield from _context(ctx, node, pointer("parameters", found[0], "default"), found[1]["default"], seen)


def _argument(value: object, values: dict) -> object:
    """A context value of a run: a ``from_parameter`` reference replaced by the run's argument."""
    if ref_kind(value) == "from_parameter":
        return values.get(value["from_parameter"])
    return value


def run_problem(doc: dict, values: dict) -> str | None:
    """One line naming the first UDP argument of a run (``values``: every parameter, defaults
    filled in) that a context of ``doc`` reads and that lies outside its range, or ``None``.
    ``run`` asks this after the schemas: a schema may be wider than what a UDF can afford."""
    for node in Context.of(doc, None).nodes():
        context, whole = node.arguments.get("context"), None
        if ref_kind(context) == "from_parameter" and not node.graph.is_callback \
                and isinstance(context["from_parameter"], str) and isinstance(values.get(context["from_parameter"]), dict):
            whole = context["from_parameter"]
            context = values[whole]  # the whole context is a UDP argument
        if not isinstance(context, dict) or ref_kind(context):
            continue
        for key, value in context.items():
            bound, name = CONTEXT_BOUNDS.get(key), value.get("from_parameter") if ref_kind(value) else None
            if bound is None:
                continue
            if isinstance(name, str) and name in values:
                graph = resolve_parameter(node.graph, name)[0]
                if graph is None or graph.is_callback:
                    continue
                label, value = f"parameter {name!r}", values[name]
            elif whole is not None:
                label = f"parameter {whole!r} key {key!r}"
            else:
                continue  # a literal: validate has checked it
            problem = bound.problem(value)
            if problem is None and key in ("max_distance_to_cloud_m", "pixel_size_m"):
                distance, pixel = (_argument(context.get(k), values) for k in ("max_distance_to_cloud_m", "pixel_size_m"))
                problem = distance_px_problem(distance, pixel)
                if problem:
                    return f"{label}: {show(value)} is too far for node {node.id!r}: {problem}" \
                        if key == "max_distance_to_cloud_m" else f"{label}: {show(value)} is too small for node " \
                        f"{node.id!r}: {problem}"
            if problem:
                return (f"{label}: {show(value)} {problem} (expected {bound.expected()}; it is {key}, the "
                        f"{bound.what}, of node {node.id!r})")
    return None


def _neighborhood(node: Node) -> Iterator[Finding]:
    sizes: dict[str, object] = {}
    for argument in ("size", "overlap"):
        items = node.arguments.get(argument)
        if not isinstance(items, list):
            continue
        bound = NEIGHBORHOOD_BOUNDS[argument]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            dim, value = item.get("dimension"), item.get("value")
            where = node.argument_pointer(argument, i, "value")
            name = f"apply_neighborhood {argument} of dimension {show(dim)}"
            if value is None and dim not in ("x", "y"):
                continue  # the whole non-spatial dimension (t, bands): as many labels as the data has
            if item.get("unit", "px") not in ("px", None):
                yield Finding(CODE, node.argument_pointer(argument, i, "unit"), show(item.get("unit")), '"px"',
                              f"{name} is given in {show(item.get('unit'))}: only pixels can be range-checked "
                              f"({bound.what}: it sizes the work of a run)")
                continue
            problem = bound.problem(value)
            if problem is None and argument == "overlap" and isinstance(sizes.get(show(dim)), (int, float)) \
                    and value > sizes[show(dim)]:
                problem = f"is larger than the size {sizes[show(dim)]:g} of that dimension"
            if problem:
                yield _finding(where, value, bound, name, problem)
            elif argument == "size":
                sizes[show(dim)] = value


def check_neighborhoods(ctx: Context) -> Iterator[Finding]:
    for node in ctx.nodes():
        if node.process_id == "apply_neighborhood":
            yield from _neighborhood(node)


CHECKS = [check_contexts, check_neighborhoods]
