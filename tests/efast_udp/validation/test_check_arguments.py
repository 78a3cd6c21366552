"""efast_udp.validation.check_arguments: a UDP parameter incompatible with the argument it is
passed to is a finding."""

from __future__ import annotations

from efast_udp.validation import validate_udp
from validation_support import FIXTURES, load_json


def test_earlier_port_temporal_extent_is_incompatible_with_load_collection():
    path = FIXTURES / "earlier_port" / "efast.json"
    findings = validate_udp(load_json(path), str(path))
    assert [(f.code, f.pointer) for f in findings] == [
        ("incompatible-parameter", "/process_graph/load/arguments/temporal_extent")
    ]
    assert "array items are not constrained" in findings[0].message
    assert "unconstrained items" in findings[0].found
