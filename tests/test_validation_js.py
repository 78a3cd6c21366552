"""The official openEO JS validator (@openeo/js-processgraphs 1.4.2, pinned in tests/js) on the
rendered UDPs and the fixtures (issue 3). The test installs it with `npm ci` when needed; it
skips without node/npm, except under CI=true where it fails."""

from __future__ import annotations

from collections import Counter

import pytest

from efast_udp.validation import validate_udp
from validation_support import FIXTURES, ROOT, load_json, profiled_js_errors, run_js, udp_files


def _key(errors: list[dict]) -> Counter:
    return Counter((e["code"], e["message"]) for e in errors)


def test_rendered_udps_have_only_the_profiled_js_errors():
    """Against the unmodified specifications the official validator reports exactly the
    profiled extensions (`featureflags` on load_collection: ProcessArgumentUnsupported) and
    nothing else."""
    report = run_js(udp_files(), profile=False)
    for path in udp_files():
        expected = profiled_js_errors(load_json(path))
        assert expected, "the profile's featureflags extension is expected in the EFAST graph"
        assert _key(report[str(path)]) == _key(expected), f"{path.relative_to(ROOT)}: {report[str(path)]}"


def test_rendered_udps_are_js_valid_with_the_profile_declared():
    """With the profile's extra arguments declared (and their schemas), zero errors remain, so
    the S3 load_collection node is fully checked too."""
    report = run_js(udp_files(), profile=True)
    for path in udp_files():
        assert report[str(path)] == [], f"{path.relative_to(ROOT)}: {report[str(path)]}"


def test_js_validator_agrees_on_the_earlier_port():
    path = FIXTURES / "earlier_port" / "efast.json"
    [error] = run_js([path], profile=True)[str(path)]
    assert error["code"] == "ProcessArgumentInvalid"
    assert "temporal_extent" in error["message"] and "not compatible" in error["message"]
    assert [f.code for f in validate_udp(load_json(path), str(path))] == ["incompatible-parameter"]


@pytest.mark.parametrize("profile", [False, True])
def test_handmade_fixture(profile):
    path = FIXTURES / "handmade" / "efast.json"
    errors = run_js([path], profile=profile)[str(path)]
    assert _key(errors) == (Counter() if profile else _key(profiled_js_errors(load_json(path))))
