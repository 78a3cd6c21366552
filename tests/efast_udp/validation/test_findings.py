"""efast_udp.validation.findings: a finding serialises to JSON."""

from __future__ import annotations

import json

from efast_udp.validation import validate_udp
from validation_support import real_udp


def test_findings_serialise_to_json():
    doc = real_udp()
    doc["id"] = "x"
    [finding] = validate_udp(doc, "udp/efast.json")
    assert json.loads(json.dumps(finding.as_dict())) == {
        "code": "id-mismatch", "pointer": "/id", "found": 'file name "efast.json"', "expected": 'the file name "x.json"',
        "message": "id \"x\" does not match the file name 'udp/efast.json'",
    }
