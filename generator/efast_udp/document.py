"""UDP documents: reading them safely, writing them, and walking their nodes.

This is the one place where a process definition (or a process listing) is read from a file or
URL, written as text and walked node by node; the values of its parameters are in
:mod:`efast_udp.arguments`. Every command and the tests use it.

Reading is bounded: at most ``MAX_BYTES`` per document (a URL body is streamed, never read whole),
``MAX_DEPTH`` levels of JSON nesting, ``URL_TIMEOUT_S`` per network operation and
``URL_DEADLINE_S`` in all. Anything else is an :class:`UnreadableInput` with one line.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from efast_udp.errors import NestedTooDeep, UnreadableInput

#: Largest document read (bytes). The EFAST UDP is ~90 kB; a listing of all releases < 1 MB.
MAX_BYTES = 10 * 2**20
#: Deepest JSON nesting accepted. The EFAST UDP nests 12 levels; openEO graphs rarely pass 30.
MAX_DEPTH = 64
#: Seconds to wait for each network operation, and for a whole URL body.
URL_TIMEOUT_S = 10
URL_DEADLINE_S = 60
_CHUNK = 64 * 1024


# --- reading and writing ---------------------------------------------------------------------

def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


def path_or_url(text: str) -> str | Path:
    """A command-line source: an http(s) URL stays text (``Path`` would turn ``http://`` into
    ``http:/``), anything else is a path."""
    return text if is_url(text) else Path(text)


def read_bytes(source: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file or an http(s) URL, at most ``max_bytes`` (default ``MAX_BYTES``)."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if is_url(source):
        return _read_url(str(source), max_bytes)
    path = Path(source)
    try:
        if not path.exists():
            raise UnreadableInput(f"cannot read {source}: no such file")
        if not path.is_file():
            raise UnreadableInput(f"cannot read {source}: not a regular file")
        if path.stat().st_size > max_bytes:
            raise UnreadableInput(f"{source} is larger than {_size(max_bytes)}; refusing to read it")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableInput(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise UnreadableInput(f"{source} is larger than {_size(max_bytes)}; refusing to read it")
    return data


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n} bytes"


def _read_url(url: str, max_bytes: int) -> bytes:
    import urllib.error
    import urllib.request  # only when a URL is read (keeps the start-up of every command small)

    deadline = time.monotonic() + URL_DEADLINE_S
    too_large = f"{url}: the response is larger than {_size(max_bytes)}; refusing to read it"
    parts, size = [], 0
    try:
        with urllib.request.urlopen(url, timeout=URL_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise UnreadableInput(too_large)
            while chunk := response.read1(_CHUNK):  # what has arrived: the deadline is checked as bytes come
                size += len(chunk)
                if size > max_bytes:
                    raise UnreadableInput(too_large)
                if time.monotonic() > deadline:
                    raise UnreadableInput(f"cannot fetch {url}: no complete answer within {URL_DEADLINE_S} s")
                parts.append(chunk)
    except UnreadableInput:
        raise
    except urllib.error.HTTPError as exc:
        raise UnreadableInput(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UnreadableInput(f"cannot fetch {url}: {getattr(exc, 'reason', None) or exc}") from None
    return b"".join(parts)


def parse_json(data: bytes | str, source: str | Path) -> object:
    """Parsed JSON, no deeper than ``MAX_DEPTH`` levels."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_not_json)
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"{source} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") \
            from None
    except RecursionError:
        raise _too_deep(source) from None
    except ValueError as exc:  # a number that is not JSON (NaN, Infinity) or too long to convert
        raise UnreadableInput(f"{source} is not valid JSON: {exc}") from None
    if nesting_depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise _too_deep(source)
    if _has_lone_surrogate(value):
        raise UnreadableInput(f"{source} is not valid JSON: it escapes an unpaired UTF-16 surrogate (\\ud800-\\udfff)")
    return value


def _too_deep(source: str | Path) -> NestedTooDeep:
    return NestedTooDeep(f"{source} is nested deeper than {MAX_DEPTH} levels; refusing to read it")


def _not_json(token: str):
    raise ValueError(f"{token} is not a JSON number")


def _has_lone_surrogate(value: object) -> bool:
    """True when a string (or key) holds a lone surrogate, which no UTF-8 text can carry."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def nesting_depth(value: object, stop_after: int | None = None) -> int:
    """Levels of arrays/objects in ``value`` (a scalar is 0), counted without recursion; stops
    counting once ``stop_after`` is exceeded."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, depth)
        if stop_after is not None and deepest > stop_after:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def load_json(source: str | Path, max_bytes: int | None = None) -> object:
    """The parsed JSON of a file or URL, within the limits above."""
    return parse_json(read_bytes(source, max_bytes), source)


def dump_json(document: object) -> str:
    """The canonical text of every JSON file the project writes: 2-space indent, UTF-8 characters
    as they are, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- process definitions and listings --------------------------------------------------------

def is_definition(doc: object) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("process_graph"), dict)


def is_listing(doc: object) -> bool:
    return isinstance(doc, dict) and "process_graph" not in doc and isinstance(doc.get("processes"), list)


def select_process(doc: object, source: str | Path, process_id: str | None = None,
                   choose: str = "name the process id") -> dict:
    """The process definition in ``doc``: the document itself, or the one entry of a listing
    (the entry ``process_id`` when the listing has several; ``choose`` says how to name it)."""
    if is_definition(doc):
        if process_id is not None and doc.get("id") != process_id:
            raise UnreadableInput(f"{source} defines {doc.get('id')!r}, not {process_id!r}")
        return doc
    if is_listing(doc):
        entries = [p for p in doc["processes"] if is_definition(p)]
        if process_id is not None:
            entries = [p for p in entries if p.get("id") == process_id]
        if len(entries) == 1:
            return entries[0]
        ids = ", ".join(str(p.get("id")) for p in doc["processes"] if isinstance(p, dict))
        if not entries and process_id is None:
            raise UnreadableInput(f"{source} is a process listing without process definitions")
        if not entries:
            raise UnreadableInput(f"{source} lists no process {process_id!r} (it has: {ids})")
        raise UnreadableInput(f"{source} lists {len(entries)} processes ({ids}); {choose}")
    raise UnreadableInput(f"{source} is not an openEO process definition (an object with 'process_graph') "
                          "or a process listing (an object with 'processes')")


def load_udp(source: str | Path, process_id: str | None = None) -> dict:
    """The process definition in a file or URL (a single definition or a listing)."""
    return select_process(load_json(source), source, process_id)


def example_arguments(doc: dict) -> dict:
    """The arguments of the definition's first example (``{}`` when it has none)."""
    examples = doc.get("examples") or []
    if examples and isinstance(examples[0], dict) and isinstance(examples[0].get("arguments"), dict):
        return examples[0]["arguments"]
    return {}


# --- nodes -----------------------------------------------------------------------------------

class NodeFields:
    """``process_id`` and ``arguments`` of a node's JSON object (``self.data``), whatever it holds."""

    data: dict

    @property
    def process_id(self) -> str | None:
        pid = self.data.get("process_id")
        return pid if isinstance(pid, str) else None

    @property
    def arguments(self) -> dict:
        args = self.data.get("arguments")
        return args if isinstance(args, dict) else {}


@dataclass(frozen=True)
class NodeRef(NodeFields):
    """A node of the process graph or of a callback inside it.

    ``path`` names it for people: ``fused`` for a top-level node, ``fused/process/runudf1`` for
    the node ``runudf1`` of the callback in argument ``process`` of ``fused``. ``parts`` locates
    it exactly: node ids and, between them, the full path of each callback in its owner's
    arguments (``("fused", "process", "runudf1")``; a callback inside an array adds its index).
    """

    path: str
    node_id: str
    data: dict
    owner: "NodeRef | None" = None
    parts: tuple = ()

    @property
    def top(self) -> "NodeRef":
        """The top-level node this node belongs to (itself if it is one)."""
        return self if self.owner is None else self.owner.top


def iter_nodes(graph: dict, prefix: str = "", owner: NodeRef | None = None,
               argument_path: tuple = ()) -> Iterator[NodeRef]:
    """Every node of a flat process graph and of the callbacks in its arguments, each node
    before the nodes of its callbacks."""
    for node_id, node in graph.items():
        if not isinstance(node, dict):
            continue
        parts = (owner.parts if owner else ()) + argument_path + (node_id,)
        ref = NodeRef(f"{prefix}{node_id}", node_id, node, owner, parts)
        yield ref
        for name, value in ref.arguments.items():
            for path, item in iter_values(value, (name,)):
                if is_callback(item):
                    yield from iter_nodes(item["process_graph"], f"{ref.path}/{name}/", ref, path)


def is_callback(value: object) -> bool:
    """True for a callback value: an object with a ``process_graph`` object."""
    return isinstance(value, dict) and isinstance(value.get("process_graph"), dict)


def ref_kind(value: object) -> str | None:
    """``"from_node"``/``"from_parameter"`` when ``value`` is that reference, else ``None``."""
    if isinstance(value, dict):
        for kind in ("from_node", "from_parameter"):
            if kind in value:
                return kind
    return None


def iter_values(value: object, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Every value nested in an argument value (depth first, the value itself first), without
    descending into references or callbacks."""
    yield path, value
    if ref_kind(value) or is_callback(value):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_values(item, path + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_values(item, path + (key,))


def udf_code(node: object) -> str | None:
    """The inline code of a ``run_udf`` node (its ``udf`` argument when that is text), else None."""
    if isinstance(node, dict) and node.get("process_id") == "run_udf":
        arguments = node.get("arguments")
        if isinstance(arguments, dict) and isinstance(arguments.get("udf"), str):
            return arguments["udf"]
    return None


@dataclass(frozen=True)
class UdfNode:
    """A ``run_udf`` node with inline code: where it is, its code, and the context it gets."""

    ref: NodeRef
    code: str
    runtime: object

    @property
    def context(self) -> object:
        """The context argument; ``{"from_parameter": "context"}`` means the owner node's."""
        context = self.ref.arguments.get("context")
        if isinstance(context, dict) and context.get("from_parameter") == "context" and self.ref.owner:
            return self.ref.owner.arguments.get("context", {})
        return context if context is not None else {}


def udf_nodes(doc: dict) -> list[UdfNode]:
    """Every ``run_udf`` node of the definition whose ``udf`` is a string."""
    found = []
    for ref in iter_nodes(doc.get("process_graph") or {}):
        code = udf_code(ref.data)
        if code is not None:
            found.append(UdfNode(ref, code, ref.arguments.get("runtime")))
    return found
