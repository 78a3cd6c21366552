"""The processing chain of a UDP as an inline SVG, drawn from its process graph at build time.

Every top-level node of ``process_graph`` is a box (its id and process); every ``from_node``
reference outside callbacks is an arrow from the node read to the node reading it. The layout is
a small layered drawing: a node's row is the longest path from a node without inputs; an arrow
spanning several rows passes through a narrow slot in each row between (so it never crosses a
box); the order within a row comes from a few sweeps placing each item at the mean position of
its neighbours in the row before (then after). Everything is computed from the graph alone, in
the graph's own order, so the same graph always gives the same bytes. No scripts, no external
files: the page shows it as it is.
"""

from __future__ import annotations

from html import escape

from efast_udp.errors import InvalidDocument

#: sizes in SVG user units (CSS pixels at scale 1)
ROW = 58
BOX_H = 38
DUMMY_W = 14
GAP = 22
MARGIN = 12
FONT = 13
SMALL = 11
CHAR = 0.61  # width of a monospace character, in font sizes
SWEEPS = 4


#: the most top-level nodes, and pass-through slots of long arrows, a drawn chain may have (the
#: EFAST graph has 22 nodes and 27 slots; layout time grows with the square of the slots)
MAX_NODES = 200
MAX_SLOTS = 2000


def references(value) -> list:
    """The ``from_node`` values ``value`` (a node's arguments) holds, in order, callbacks left
    out (iteratively: any depth)."""
    found: list = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "from_node" in item:
                found.append(item["from_node"])
            elif "process_graph" not in item:
                stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def check(graph: object) -> None:
    """``InvalidDocument`` unless ``graph`` is a flat process graph the diagram can draw: nodes
    that are objects with a text ``process_id``, ``from_node`` values that name one of them, at
    most ``MAX_NODES`` nodes."""
    if not isinstance(graph, dict):
        raise InvalidDocument("the process graph is not an object: it has no processing chain to draw")
    if len(graph) > MAX_NODES:
        raise InvalidDocument(f"the process graph has {len(graph)} top-level nodes; the processing chain is drawn "
                              f"for at most {MAX_NODES}")
    for name, node in graph.items():
        if not isinstance(node, dict) or not isinstance(node.get("process_id"), str):
            raise InvalidDocument(f"node {name!r} of the process graph is not an object with a process_id text")
        for source in references(node.get("arguments")):
            if not isinstance(source, str) or source not in graph:
                raise InvalidDocument(f"node {name!r} reads from_node {source!r}, which is not a node of the graph")


def edges(graph: dict) -> list[tuple[str, str]]:
    """(from, to) for every data flow between top-level nodes, each once, in graph order."""
    seen: dict[tuple[str, str], None] = {}
    for name, node in graph.items():
        for source in references(node.get("arguments", {})):
            if isinstance(source, str) and source in graph:
                seen.setdefault((source, name), None)
    return list(seen)


def rows(graph: dict, flows: list[tuple[str, str]]) -> dict[str, int]:
    """Row of each node: the longest path to it from a node without inputs (nodes taken in
    topological order, without recursion: a chain of any length). A cycle is an
    ``InvalidDocument`` naming a node on it."""
    inputs: dict[str, list[str]] = {name: [] for name in graph}
    outputs: dict[str, list[str]] = {name: [] for name in graph}
    for a, b in flows:
        if a in graph and b in graph:
            inputs[b].append(a)
            outputs[a].append(b)
    waiting = {name: len(sources) for name, sources in inputs.items()}
    ready = [name for name in graph if waiting[name] == 0]
    row: dict[str, int] = {}
    while ready:
        name = ready.pop()
        row[name] = max((row[a] + 1 for a in inputs[name]), default=0)
        for target in outputs[name]:
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    if len(row) < len(graph):
        # walk back along inputs that never became ready until a node repeats: it is on a cycle
        node, visited = next(name for name in graph if name not in row), set()
        while node not in visited:
            visited.add(node)
            node = next(a for a in inputs[node] if a not in row)
        raise InvalidDocument(f"the process graph has a cycle through node {node!r}: it has no processing chain "
                              "to draw (and no back-end can run it)")
    return row


def _neighbours(chains: list[list]) -> tuple[dict, dict]:
    """The items just above and just below each item, along the flows."""
    up: dict = {}
    down: dict = {}
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            up.setdefault(b, []).append(a)
            down.setdefault(a, []).append(b)
    return up, down


def _sweeps(layers: list[list], up: dict, down: dict):
    """(row index, the neighbours to follow) for each row of each sweep: down, up, down, ..."""
    for sweep in range(SWEEPS):
        if sweep % 2 == 0:
            yield from ((r, up) for r in range(1, len(layers)))
        else:
            yield from ((r, down) for r in range(len(layers) - 2, -1, -1))


def _layout(graph: dict):
    flows = edges(graph)
    row = rows(graph, flows)
    slots = sum(row[b] - row[a] - 1 for a, b in flows)
    if slots > MAX_SLOTS:
        raise InvalidDocument(f"the process graph's data flows pass {slots} rows of other nodes; the processing "
                              f"chain is drawn for at most {MAX_SLOTS}")
    layers: list[list] = [[] for _ in range(max(row.values(), default=-1) + 1)]
    for name in graph:
        layers[row[name]].append(name)
    chains: list[list] = []  # per flow: the items it passes, node -> dummies -> node
    for a, b in flows:
        chain = [a] + [("via", a, b, r) for r in range(row[a] + 1, row[b])] + [b]
        for item in chain[1:-1]:
            layers[item[3]].append(item)
        chains.append(chain)
    up, down = _neighbours(chains)
    position = {item: k for layer in layers for k, item in enumerate(layer)}
    for i, neighbours in _sweeps(layers, up, down):

        def key(entry, neighbours=neighbours):
            k, item = entry
            near = [position[n] for n in neighbours.get(item, [])]
            return (sum(near) / len(near) if near else k, k)
        layers[i] = [item for _, item in sorted(enumerate(layers[i]), key=key)]
        position.update((item, k) for k, item in enumerate(layers[i]))  # only this row moved
    return layers, chains


def _width(item, box_w: float) -> float:
    return DUMMY_W if isinstance(item, tuple) else box_w


def _columns(layers: list[list], chains: list[list], box_w: float) -> dict:
    """Horizontal centre of every item: rows start centred, then each row in turn (down, then up)
    moves its items towards the mean of their neighbours in the row before, keeping their order
    and a gap between them (the mean of the placement packed from the left and from the right)."""
    up, down = _neighbours(chains)
    x: dict = {}
    for layer in layers:
        start = -(sum(_width(i, box_w) for i in layer) + GAP * (len(layer) - 1)) / 2
        for item in layer:
            x[item] = start + _width(item, box_w) / 2
            start += _width(item, box_w) + GAP
    for r, neighbours in _sweeps(layers, up, down):
        layer = layers[r]
        want = [sum(x[n] for n in neighbours[i]) / len(neighbours[i]) if neighbours.get(i) else x[i] for i in layer]
        half = [_width(i, box_w) / 2 for i in layer]
        packed_left, packed_right = list(want), list(want)
        for k in range(1, len(layer)):
            packed_left[k] = max(want[k], packed_left[k - 1] + half[k - 1] + GAP + half[k])
        for k in range(len(layer) - 2, -1, -1):
            packed_right[k] = min(want[k], packed_right[k + 1] - half[k + 1] - GAP - half[k])
        for k, item in enumerate(layer):
            x[item] = (packed_left[k] + packed_right[k]) / 2
    return x


def render(graph: dict, title: str = "Processing chain") -> str:
    """The SVG element (a string) of ``graph``'s processing chain; ``InvalidDocument`` when it
    cannot be drawn (see ``check``)."""
    check(graph)
    label_chars = max((len(n) for n in graph), default=1)
    kind_chars = max((len(node.get("process_id", "")) for node in graph.values()), default=1)
    box_w = round(max(label_chars * FONT, kind_chars * SMALL) * CHAR + 2 * MARGIN)
    layers, chains = _layout(graph)
    centre_x = _columns(layers, chains, box_w)
    left = min((centre_x[i] - _width(i, box_w) / 2 for layer in layers for i in layer), default=0)
    right = max((centre_x[i] + _width(i, box_w) / 2 for layer in layers for i in layer), default=box_w)
    total_w = right - left + 2 * MARGIN
    total_h = len(layers) * ROW - (ROW - BOX_H) + 2 * MARGIN
    centre = {item: (centre_x[item] - left + MARGIN, MARGIN + r * ROW + BOX_H / 2)
              for r, layer in enumerate(layers) for item in layer}
    result = [name for name, node in graph.items() if node.get("result")]
    n = len(graph)
    label = f"{title}: {n} steps of the process graph, from {', '.join(layers[0]) if layers else ''} to {', '.join(result)}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" aria-labelledby="diagram-title" '
        f'width="{_n(total_w)}" height="{_n(total_h)}" viewBox="0 0 {_n(total_w)} {_n(total_h)}">',
        f'<title id="diagram-title">{escape(label)}</title>',
        '<defs><marker id="diagram-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0 0L8 4L0 8z" fill="#5b6677"/></marker></defs>',
        '<g class="flows" fill="none" stroke="#5b6677" stroke-width="1.3">',
    ]
    for chain in chains:
        points = []
        for k, item in enumerate(chain):
            cx, cy = centre[item]
            if k == 0:
                points.append((cx, cy + BOX_H / 2))
            elif k == len(chain) - 1:
                points.append((cx, cy - BOX_H / 2))
            else:
                points += [(cx, cy - BOX_H / 2), (cx, cy + BOX_H / 2)]
        path = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points)
        out.append(f'<path d="{path}" marker-end="url(#diagram-arrow)" data-from="{escape(chain[0])}" '
                   f'data-to="{escape(chain[-1])}"/>')
    out.append("</g>")
    out.append(f'<g class="stages" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" '
               f'text-anchor="middle">')
    for name, node in graph.items():
        cx, cy = centre[name]
        process = node.get("process_id", "")
        fill = "#fde9c4" if node.get("result") else "#dcebf7" if process == "load_collection" else "#f4f6f9"
        out.append(f'<g class="stage" data-stage="{escape(name)}">'
                   f'<rect x="{_n(cx - box_w / 2)}" y="{_n(cy - BOX_H / 2)}" width="{box_w}" height="{BOX_H}" rx="5" '
                   f'fill="{fill}" stroke="#0d2a4a"/>'
                   f'<text x="{_n(cx)}" y="{_n(cy - 3)}" font-size="{FONT}" fill="#1d2430">{escape(name)}</text>'
                   f'<text x="{_n(cx)}" y="{_n(cy + 12)}" font-size="{SMALL}" fill="#5b6677">{escape(process)}</text>'
                   "</g>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _n(value: float) -> str:
    """A coordinate without a float's noise (at most one decimal)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
