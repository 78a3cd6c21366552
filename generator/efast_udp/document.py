"""UDP documents: reading them safely and writing them.

This is the one place where a process definition (or a process listing) is read from a file or
URL and written as text; its nodes are walked by :mod:`efast_udp.graph_nodes`, the values of its
parameters are in :mod:`efast_udp.arguments`. Every command and the tests use it.

Reading is bounded: at most ``MAX_BYTES`` per document (a URL body is streamed, never read whole,
within the deadline, size cap and redirect rules of :mod:`efast_udp.net`), ``MAX_DEPTH`` levels
of JSON nesting and ``MAX_VALUES`` JSON values. Numbers beyond a double's range, NaN/Infinity and
objects that repeat a key are refused (the error names the key and the object's JSON path).
Anything else is an :class:`UnreadableInput` with one line.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from pathlib import Path

from efast_udp import net
from efast_udp.errors import NestedTooDeep, UnreadableInput

#: Largest document read (bytes). The EFAST UDP is ~90 kB; a listing of all releases < 1 MB.
MAX_BYTES = 10 * 2**20
#: Deepest JSON nesting accepted. The EFAST UDP nests 12 levels; openEO graphs rarely pass 30.
MAX_DEPTH = 64
#: Most JSON values (objects, arrays, strings, numbers, ...) in one document. The EFAST UDP has
#: ~730, a listing of all its releases a few thousand. JSON Schema validation costs up to ~0.5 ms
#: per value in a process argument: at this bound `validate` takes ~25 s (measured, 2 shared cores).
MAX_VALUES = 50_000


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
    return net.size_text(n)


def _read_url(url: str, max_bytes: int) -> bytes:
    return net.fetch(url, max_bytes)


def parse_json(data: bytes | str, source: str | Path) -> object:
    """Parsed JSON, no deeper than ``MAX_DEPTH`` levels."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        repeated: list = []
        value = json.loads(text, parse_constant=_not_json, parse_float=_finite_float, parse_int=_finite_int,
                           object_pairs_hook=functools.partial(_object, repeated=repeated))
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
    if value_count(value, MAX_VALUES) > MAX_VALUES:
        raise UnreadableInput(f"{source} holds more than {MAX_VALUES} JSON values (objects, arrays, strings, "
                              "numbers); refusing to read it")
    if repeated:
        path, key = _locate(value, repeated[0])
        raise UnreadableInput(f"{source} is not valid JSON for openEO: the key {key!r} appears twice in the object "
                              f"at {path or '/'} (a reader keeps one of them, silently)")
    if _has_lone_surrogate(value):
        raise UnreadableInput(f"{source} is not valid JSON: it escapes an unpaired UTF-16 surrogate (\\ud800-\\udfff)")
    return value


def _too_deep(source: str | Path) -> NestedTooDeep:
    return NestedTooDeep(f"{source} is nested deeper than {MAX_DEPTH} levels; refusing to read it")


def _not_json(token: str):
    raise ValueError(f"{token} is not a JSON number")


#: Largest magnitude of a JSON number (an IEEE double: what JavaScript and the back-ends read).
_MAX_NUMBER = sys.float_info.max


def _finite_float(token: str) -> float:
    number = float(token)
    if not math.isfinite(number):
        raise ValueError(f"{token[:40]} is beyond the range of a JSON number (about 1.8e308)")
    return number


def _finite_int(token: str) -> int:
    number = int(token)  # more than 4300 digits: ValueError (Python's own bound)
    if abs(number) > _MAX_NUMBER:
        raise ValueError(f"{token[:40]}... is beyond the range of a JSON number (about 1.8e308)")
    return number


def _object(pairs: list, repeated: list) -> dict:
    """A JSON object; one that repeats a key is noted in ``repeated`` as (the object, the key)."""
    obj = dict(pairs)
    if len(obj) != len(pairs) and not repeated:
        seen: set = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        repeated.append((obj, key))
    return obj


def _locate(root: object, found: tuple) -> tuple[str, str]:
    """(JSON pointer of the object ``found[0]`` inside ``root``, the repeated key)."""
    target, key = found
    stack = [(root, "")]
    while stack:
        item, path = stack.pop()
        if item is target:
            return path, key
        children = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        for name, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, f"{path}/{str(name).replace('~', '~0').replace('/', '~1')}"))
    return "", key


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


def value_count(value: object, stop_after: int | None = None) -> int:
    """How many JSON values ``value`` holds (itself included), counted without recursion; stops
    counting once ``stop_after`` is exceeded."""
    count, stack = 1, [value]
    while stack:
        item = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        count += len(children)
        if stop_after is not None and count > stop_after:
            return count
        stack.extend(child for child in children if isinstance(child, (dict, list)))
    return count


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
