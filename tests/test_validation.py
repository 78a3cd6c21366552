"""efast-udp validate (issue 3): schemas, profile, individual checks, the CLI and its exit codes.
The corruption suite is in test_validation_mutations.py, the official JS validator in
test_validation_js.py."""

from __future__ import annotations

import http.server
import json
import random
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from efast_udp.cli import main
from efast_udp.validation import Finding, validate_udp
from efast_udp.validation.compat import incompatibility
from efast_udp.validation.values import value_error
from validation_support import FIXTURES, PROFILE, ROOT, SPECS, load_json, real_udp, udp_files

SCHEMAS = ROOT / "schemas"


# --- the schemas and the profile ----------------------------------------------------------

@pytest.mark.parametrize("name", ["udp.schema.json", "process-graph.schema.json", "backend-profile.schema.json"])
def test_project_schemas_are_valid_draft7(name):
    Draft7Validator.check_schema(load_json(SCHEMAS / name))


def test_profile_matches_its_schema_and_gives_reasons():
    profile = load_json(PROFILE)
    errors = list(Draft7Validator(load_json(SCHEMAS / "backend-profile.schema.json")).iter_errors(profile))
    assert errors == []
    extras = {(e["process_id"], e["argument"]): e for e in profile["extra_arguments"]}
    assert ("load_collection", "featureflags") in extras
    assert all(len(e["reason"]) > 40 for e in extras.values())
    rules = profile["udf"]
    assert all(len(rule["why"]) > 5 for rule in rules["imports"].values())
    for banned in ("os", "sys", "subprocess", "socket", "urllib", "http", "requests", "shutil", "pathlib",
                   "logging", "importlib", "pickle", "ctypes", "openeo", "io", "builtins"):
        assert banned not in rules["imports"]
    for kind in ("forbidden_names", "forbidden_attributes", "forbidden_attribute_prefixes", "allowed_attributes"):
        assert rules[kind] and all(len(why) > 5 for why in rules[kind].values()), kind


def test_vendored_process_specs_carry_their_licence_and_version():
    assert "Apache License" in (SPECS / "LICENSE").read_text(encoding="utf-8")
    assert (SPECS / "meta" / "subtype-schemas.json").is_file()
    assert load_json(PROFILE)["processes_version"] in (SPECS / "SOURCE.md").read_text(encoding="utf-8")
    for pid in ("load_collection", "apply_neighborhood", "apply_dimension", "run_udf", "merge_cubes"):
        assert load_json(SPECS / f"{pid}.json")["id"] == pid


# --- whole documents ----------------------------------------------------------------------

@pytest.mark.parametrize("path", udp_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rendered_udps_are_valid(path):
    findings = validate_udp(load_json(path), str(path.relative_to(ROOT)))
    assert findings == [], "\n".join(f.format() for f in findings)


def test_handmade_fixture_is_valid():
    path = FIXTURES / "handmade" / "efast.json"
    assert validate_udp(load_json(path), str(path)) == []


def test_earlier_port_temporal_extent_is_incompatible_with_load_collection():
    path = FIXTURES / "earlier_port" / "efast.json"
    findings = validate_udp(load_json(path), str(path))
    assert [(f.code, f.pointer) for f in findings] == [
        ("incompatible-parameter", "/process_graph/load/arguments/temporal_extent")
    ]
    assert "array items are not constrained" in findings[0].message
    assert "unconstrained items" in findings[0].found


def test_all_problems_are_reported_at_once():
    doc = real_udp()
    doc["links"][0]["href"] = "http://doi.org/x"
    doc["id"] = "other"
    del doc["summary"]
    first = next(iter(doc["process_graph"]))
    doc["process_graph"][first]["process_id"] = "no_such_process"
    codes = {f.code for f in validate_udp(doc, "udp/efast.json")}
    assert {"insecure-link", "id-mismatch", "schema", "unknown-process"} <= codes


@pytest.mark.parametrize("doc", [
    [],
    {"process_graph": []},
    {"process_graph": {"a": "not a node"}},
    {"process_graph": {"a": {"process_id": 5, "arguments": []}}},
    {"parameters": "x", "examples": [1], "links": [None], "process_graph": {"a": {"process_id": "run_udf",
                                                                                 "arguments": {"udf": 1}}}},
    {"process_graph": {"a": {"process_id": "apply", "arguments": {"process": {"process_graph": {
        "b": {"process_id": "eq", "arguments": {"x": {"from_node": {"x": 1}}, "y": {"from_parameter": 3}}}}}}}}},
])
def test_malformed_documents_give_findings_not_crashes(doc):
    findings = validate_udp(doc, "efast.json")
    assert findings
    assert all(f.pointer == "" or f.pointer.startswith("/") for f in findings)


def _places(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _places(child, path + (key,))


def _resolves(doc, pointer: str) -> bool:
    """Whether a JSON pointer names a place in ``doc`` (its last part may be missing: a required
    property that is absent is reported at the place it should be)."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = doc
    for i, part in enumerate(parts):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return i == len(parts) - 1
    return True


def test_random_corruptions_give_findings_not_crashes():
    """Any value anywhere replaced by garbage: the validator reports, it never raises, and every
    finding points at a place of the corrupted document."""
    rnd = random.Random(3)
    places = list(_places(real_udp()))[1:]
    garbage = [None, 5, -1.5, "x", "", [], {}, [1, "a"], True, {"from_node": "zz"}, {"from_parameter": 7},
               {"process_graph": {}}, {"process_graph": {"a": {"process_id": "x", "arguments": {}}}},
               {"type": "array", "enum": 5, "subtype": ["x"]}]
    reported = 0
    for _ in range(60):
        doc = real_udp()
        *parents, last = rnd.choice(places)
        target = doc
        for key in parents:
            target = target[key]
        target[last] = rnd.choice(garbage)
        findings = validate_udp(doc)
        assert all(isinstance(f, Finding) and _resolves(doc, f.pointer) for f in findings), \
            [f.format() for f in findings if not _resolves(doc, f.pointer)]
        reported += bool(findings)
    assert reported >= 40  # most corruptions are caught (some, e.g. another enum entry, are still valid)


@pytest.mark.parametrize("place, garbage", [
    (("process_graph", "s2_scl"), 5),
    (("process_graph", "s2_scl", "process_id"), 5),
    (("process_graph", "s2_scl", "arguments"), []),
    (("process_graph", "fused", "arguments", "data"), {"from_node": "zz"}),
    (("parameters", 3, "schema"), 5),
    (("parameters", 3), None),
    (("links", 0), "x"),
    (("returns",), []),
    (("examples", 0, "arguments"), 5),
    (("default_job_options",), "x"),
    (("process_graph", "s3_input", "arguments", "featureflags"), 5),
    (("process_graph", "s3_composite", "arguments", "process", "process_graph", "runudf1", "arguments", "udf"), 5),
], ids=lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else repr(v))
def test_structure_destroying_corruptions_are_found_where_they_are(place, garbage):
    doc = real_udp()
    *parents, last = place
    target = doc
    for key in parents:
        target = target[key]
    target[last] = garbage
    findings = validate_udp(doc)
    where = "/" + "/".join(map(str, place))
    assert any(f.pointer.startswith(where) or (f.pointer.count("/") > 1 and where.startswith(f.pointer + "/"))
               for f in findings), [f.format() for f in findings]


def test_findings_serialise_to_json():
    doc = real_udp()
    doc["id"] = "x"
    [finding] = validate_udp(doc, "udp/efast.json")
    assert json.loads(json.dumps(finding.as_dict())) == {
        "code": "id-mismatch", "pointer": "/id", "found": 'file name "efast.json"', "expected": 'the file name "x.json"',
        "message": "id \"x\" does not match the file name 'udp/efast.json'",
    }


def test_pointers_escape_slashes_and_tildes():
    doc = real_udp()
    doc["process_graph"]["a/b~c"] = {"process_id": "nope", "arguments": {}}
    pointers = {f.pointer for f in validate_udp(doc) if f.code == "unknown-process"}
    assert pointers == {"/process_graph/a~1b~0c/process_id"}


# --- schema compatibility and value checks --------------------------------------------------

@pytest.mark.parametrize("target, source, ok", [
    ({"type": "number"}, {"type": "integer", "minimum": 1}, True),
    ({"type": "integer"}, {"type": "number"}, False),
    ({"description": "any"}, {"type": "boolean"}, True),
    ({"type": "number", "minimum": 0}, {"type": "number", "exclusiveMinimum": 0}, True),
    ({"type": "number", "minimum": 1}, {"type": "number", "minimum": 0}, False),
    ({"type": "array", "minItems": 1, "items": {"type": "string"}}, {"type": "array", "items": {"type": "string"}}, False),
    ({"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]}, True),
    ({"type": "string", "enum": ["a", "b"]}, {"type": "string"}, False),
    ([{"type": "object", "subtype": "bounding-box"}, {"type": "null"}], [{"type": "object", "subtype": "bounding-box"}], True),
    ([{"type": "object", "subtype": "bounding-box"}], [{"type": "object", "subtype": "geojson"}], False),
    ({"type": "object", "subtype": "datacube"}, {"type": "object", "subtype": "raster-cube"}, True),
])
def test_schema_compatibility(target, source, ok):
    assert (incompatibility(target, source) is None) is ok


@pytest.mark.parametrize("value, schema, fragment", [
    ("2023-02-30", {"type": "string", "subtype": "date"}, "is not a date"),
    ("2023-02-03T10:00:00", {"type": "string", "subtype": "date-time"}, "with time zone"),
    ([None, None], {"type": "array", "subtype": "temporal-interval"}, "open on both ends"),
    ({"west": 0, "east": 1, "south": 5, "north": 4}, {"type": "object", "subtype": "bounding-box"}, "south (5)"),
    ({"type": "Circle"}, {"type": "object", "subtype": "geojson"}, "not a GeoJSON"),
])
def test_subtype_values_are_checked(value, schema, fragment):
    error = value_error(value, schema)
    assert error and fragment in error[1]


@pytest.mark.parametrize("value, schema", [
    ("2023-02-28", {"type": "string", "subtype": "date"}),
    ("2023-02-03T10:00:00Z", {"type": "string", "subtype": "date-time"}),
    (["2023-01-01", None], {"type": "array", "subtype": "temporal-interval"}),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, {"type": "object", "subtype": "geojson"}),
])
def test_valid_subtype_values_pass(value, schema):
    assert value_error(value, schema) is None


# --- the command line -----------------------------------------------------------------------

def _write(tmp_path: Path, doc: object, name: str = "efast.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return str(path)


def test_cli_valid_file_exits_0(tmp_path, capsys):
    assert main(["validate", _write(tmp_path, real_udp())]) == 0
    assert "valid" in capsys.readouterr().err


def test_cli_default_sources_are_the_rendered_files(capsys):
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert "udp/efast.json: valid" in err
    for path in udp_files():
        assert str(path.relative_to(ROOT)) in err


def test_cli_invalid_file_exits_1_with_pointer_found_expected(tmp_path, capsys):
    doc = real_udp()
    doc["links"][1]["href"] = "http://example.org/x"
    assert main(["validate", _write(tmp_path, doc)]) == 1
    out = capsys.readouterr().out
    assert "#/links/1/href: [insecure-link]" in out
    assert "found: \"http://example.org/x\"" in out and "expected: an https:// URL" in out


def test_cli_json_output(tmp_path, capsys):
    doc = real_udp()
    doc["id"] = "nope"
    path = _write(tmp_path, doc)
    assert main(["validate", "--json", path]) == 0  # openEO does not tie the id to the file name ...
    assert json.loads(capsys.readouterr().out) == {path: []}
    assert main(["validate", "--json", "--catalogue", path]) == 1  # ... catalogues that publish <id>.json do
    report = json.loads(capsys.readouterr().out)
    assert report[path][0]["code"] == "id-mismatch"


@pytest.mark.parametrize("content", [None, "{not json"])
def test_cli_unreadable_input_exits_2_with_one_line(tmp_path, capsys, content):
    path = str(tmp_path / "missing.json") if content is None else _write(tmp_path, content)
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("efast-udp validate: error:") and "\n" not in err


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_cli_validates_a_url(tmp_path, capsys):
    _write(tmp_path, real_udp())
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: _Handler(*a, directory=str(tmp_path), **k))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/efast.json"
        assert main(["validate", url]) == 0
        assert f"{url}: valid" in capsys.readouterr().err
        assert main(["validate", url.replace("efast.json", "gone.json")]) == 2
    finally:
        server.shutdown()
        server.server_close()


def test_cli_unreachable_url_exits_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["validate", f"http://127.0.0.1:{port}/efast.json"]) == 2
    assert "cannot fetch" in capsys.readouterr().err


def test_importing_the_api_does_not_load_jsonschema():
    """The generator imports efast_udp.validation on every build; the heavy part loads lazily."""
    code = "import sys, efast_udp.validation; print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
