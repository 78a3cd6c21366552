"""efast_udp.pointers: JSON pointers escape slashes and tildes."""

from __future__ import annotations

from efast_udp.validation import validate_udp
from validation_support import real_udp


def test_pointers_escape_slashes_and_tildes():
    doc = real_udp()
    doc["process_graph"]["a/b~c"] = {"process_id": "nope", "arguments": {}}
    pointers = {f.pointer for f in validate_udp(doc) if f.code == "unknown-process"}
    assert pointers == {"/process_graph/a~1b~0c/process_id"}
