"""``core``: every check on one definition, findings of all of them at once, ``lint`` adding
the documentation rules, and process listings validated entry by entry.

efast_udp.validation.core (issue 3): the rendered UDPs are valid, all problems are reported
at once, and malformed or corrupted documents give findings (pointing into the document), never
crashes. The mutation suite: corruptions of the real ``udp/efast.json``, each rejected by
``efast-udp``'s validator with its specific code, pointer and message, and — where the official
openEO JS validator covers the case — rejected by it too."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from efast_udp.validation import (
    check_bounds,
    check_documentation,
    check_metadata,
    check_schema,
    check_udf_reach,
    core,
)
from efast_udp.validation import validate_udp, Finding
from efast_udp.validation.core import validate_document, validate_udp

from udp_docs import cube_udp, located, number_udp
from validation_support import (
    FIXTURES,
    ROOT,
    callback_of,
    first_node,
    load_json,
    nodes_with,
    parameter_index,
    real_udp,
    result_node,
    run_js,
    udf_node,
    udp_files,
)


def _located(findings):
    return [(f.code, f.pointer) for f in findings]


@pytest.mark.parametrize("check", core.ALL_CHECKS + check_documentation.CHECKS,
                         ids=lambda c: f"{c.__module__.rsplit('.', 1)[-1]}.{c.__name__}")
@pytest.mark.parametrize("build", [number_udp, cube_udp])
def test_the_minimal_documents_of_the_direct_tests_pass_every_check(check, build):
    """What the checks' own tests start from: a finding there comes from the test's mutation."""
    doc = build()
    assert located(check, doc, f"{doc['id']}.json") == []


def test_the_checks_run_in_the_order_of_issue_3_and_documentation_only_with_lint():
    checks = core.ALL_CHECKS
    assert checks[0] is check_schema.check_json_schema
    assert checks[-2:] == check_metadata.CHECKS
    assert set(check_udf_reach.CHECKS + check_bounds.CHECKS) <= set(checks)
    assert not set(check_documentation.CHECKS) & set(checks)  # only with lint
    assert len(set(checks)) == len(checks)


@pytest.mark.parametrize("doc", [[1], "text", None, 3])
def test_a_document_that_is_not_an_object_is_one_schema_finding(doc):
    [finding] = validate_udp(doc)
    assert (finding.code, finding.pointer, finding.expected) == ("schema", "", "a JSON object (process definition)")
    assert finding.message == "the document is not a JSON object"


def test_findings_of_different_checks_come_at_once_in_check_order():
    doc = number_udp()
    doc["links"][0]["href"] = "http://example.org"
    doc["process_graph"]["sum"]["process_id"] = "addd"
    assert _located(validate_udp(doc, "other.json")) == [
        ("unknown-process", "/process_graph/sum/process_id"),
        ("insecure-link", "/links/0/href"),
        ("id-mismatch", "/id"),
    ]


def test_lint_adds_the_documentation_rules():
    doc = number_udp()
    doc["summary"] = "Adds."
    assert validate_udp(doc) == []
    assert _located(validate_udp(doc, lint=True)) == [("summary-period", "/summary")]


def test_a_definition_given_to_validate_document_is_validated_as_one():
    assert _located(validate_document(number_udp(), "x.json")) == [("id-mismatch", "/id")]
    doc = dict(number_udp(), processes=[])  # a process_graph makes it a definition, not a listing
    assert _located(validate_document(doc)) == [("schema", "")]


def test_a_valid_listing_has_no_findings():
    listing = {"processes": [number_udp(), cube_udp()], "links": [{"rel": "self", "href": "https://e.org/p.json"}]}
    assert validate_document(listing, "processes.json") == []


def test_findings_of_an_entry_point_into_the_listing():
    bad = number_udp()
    bad["id"] = "other"
    bad["links"][0]["href"] = "http://example.org"
    listing = {"processes": [cube_udp(), bad], "links": []}
    [finding] = validate_document(listing, "tiny.json")  # no file-name rule for the entries
    assert (finding.code, finding.pointer) == ("insecure-link", "/processes/1/links/0/href")
    assert finding.message == 'link 0 (rel "about") is not an https URL'


def test_the_listings_own_shape():
    listing = {"processes": [number_udp(), cube_udp(), number_udp()],
               "links": [{"href": "http://e.org"}, 3, {"rel": "self"}], "extra": 1}
    findings = validate_document(listing)
    assert _located(findings) == [
        ("insecure-link", "/links/0/href"),
        ("listing", "/links/1"),
        ("listing", "/links/2"),
        ("listing", "/processes/2/id"),
        ("listing", "/extra"),
    ]
    assert findings[3].message == "the listing defines process 'tiny' twice (also /processes/0)"
    assert findings[4].message == "'extra' is not part of a process listing"


@pytest.mark.parametrize("processes", [[], "x", {"a": 1}])
def test_a_listing_needs_processes_and_links(processes):
    findings = validate_document({"processes": processes})
    assert _located(findings) == [("listing", "/processes"), ("listing", "/links")]
    assert findings[0].message == "a process listing needs at least one process"
    assert findings[1].message == "a process listing needs 'links' (openEO API: GET /processes)"


def test_an_entry_that_is_not_an_object_is_a_finding_at_its_index():
    assert _located(validate_document({"processes": [number_udp(), 7], "links": []})) == [("schema", "/processes/1")]


#: The file name the mutated documents are validated under (the id check compares with it).
FILENAME = "udp/efast.json"


@dataclass(frozen=True)
class Expect:
    """What the validator must report for a mutation, and what the JS validator reports."""

    code: str
    pointer: str
    message: str
    #: error code of the official JS validator, or None where it does not detect the problem
    js_code: str | None = None


MUTATIONS = {}


def mutation(func):
    """Register ``func(doc) -> Expect`` (it corrupts ``doc`` in place)."""
    MUTATIONS[func.__name__] = func
    return func


def _pg(doc):
    return doc["process_graph"]


def _ptr_arg(node_id, *parts):
    return "/process_graph/" + "/".join([node_id, "arguments", *map(str, parts)])


def _udf_ptr(doc):
    outer, inner, _ = udf_node(doc)
    return f"/process_graph/{outer}/arguments/process/process_graph/{inner}/arguments/udf"


@mutation
def unknown_process(doc):
    nid = first_node(_pg(doc), "filter_bands")
    _pg(doc)[nid]["process_id"] = "filter_band"
    return Expect("unknown-process", f"/process_graph/{nid}/process_id",
                  "uses process 'filter_band', which the openEO process specifications", "ProcessUnsupported")


@mutation
def misspelled_argument(doc):
    nid = first_node(_pg(doc), "load_collection")
    args = _pg(doc)[nid]["arguments"]
    args["spatial_extend"] = args.pop("spatial_extent")
    return Expect("unknown-argument", _ptr_arg(nid, "spatial_extend"),
                  "has no parameter 'spatial_extend'; did you mean 'spatial_extent'?",
                  "ProcessArgumentUnsupported")


@mutation
def missing_required_argument(doc):
    nid = first_node(_pg(doc), "load_collection")
    del _pg(doc)[nid]["arguments"]["id"]
    return Expect("missing-argument", f"/process_graph/{nid}/arguments",
                  "requires argument 'id'", "ProcessArgumentRequired")


@mutation
def argument_outside_profile(doc):
    nid = first_node(_pg(doc), "filter_bands")
    _pg(doc)[nid]["arguments"]["featureflags"] = {"reprojection_type": "binning"}
    return Expect("unknown-argument", _ptr_arg(nid, "featureflags"),
                  "process 'filter_bands'", "ProcessArgumentUnsupported")


@mutation
def profiled_argument_invalid_value(doc):
    nid = next(n for n in nodes_with(_pg(doc), "load_collection") if "featureflags" in _pg(doc)[n]["arguments"])
    _pg(doc)[nid]["arguments"]["featureflags"]["reprojection_type"] = "nearest"
    return Expect("invalid-argument", _ptr_arg(nid, "featureflags", "reprojection_type"),
                  "'nearest' is not one of ['binning']",
                  "ProcessArgumentInvalid")  # the JS run declares the profile's schema for featureflags


@mutation
def invalid_literal_value(doc):
    nid = first_node(_pg(doc), "resample_cube_spatial")
    _pg(doc)[nid]["arguments"]["method"] = "nearest"
    return Expect("invalid-argument", _ptr_arg(nid, "method"),
                  "'nearest' is not one of", "ProcessArgumentInvalid")


@mutation
def dangling_from_node(doc):
    nid = first_node(_pg(doc), "filter_bands")
    _pg(doc)[nid]["arguments"]["data"] = {"from_node": "no_such_node"}
    return Expect("unknown-node", _ptr_arg(nid, "data", "from_node"),
                  "refers to node 'no_such_node', which is not in its graph", "ReferencedNodeMissing")


@mutation
def from_node_into_enclosing_graph(doc):
    nid, callback = callback_of(doc, "apply")
    inner = result_node(callback)
    outer_target = first_node(_pg(doc), "load_collection")
    callback[inner]["arguments"]["reject"] = {"from_node": outer_target}
    return Expect("unknown-node",
                  f"/process_graph/{nid}/arguments/process/process_graph/{inner}/arguments/reject/from_node",
                  "is a node of the enclosing graph /process_graph", "ReferencedNodeMissing")


@mutation
def undeclared_from_parameter(doc):
    nid = first_node(_pg(doc), "load_collection")
    _pg(doc)[nid]["arguments"]["temporal_extent"] = {"from_parameter": "temporal_extend"}
    return Expect("undeclared-parameter", _ptr_arg(nid, "temporal_extent", "from_parameter"),
                  "refers to parameter 'temporal_extend', which is neither a UDP parameter nor a parameter of an "
                  "enclosing callback; did you mean 'temporal_extent'?", None)


@mutation
def parameter_inside_apply_callback(doc):
    nid, callback = callback_of(doc, "apply")
    inner = next(k for k, n in callback.items() if n["process_id"] == "eq")
    callback[inner]["arguments"]["y"] = {"from_parameter": "cloud_tolerance"}
    return Expect("parameter-in-callback",
                  f"/process_graph/{nid}/arguments/process/process_graph/{inner}/arguments/y/from_parameter",
                  "UDP parameter 'cloud_tolerance' is used inside the callback of 'apply'", None)


@mutation
def two_result_nodes(doc):
    nid = first_node(_pg(doc), "load_collection")
    _pg(doc)[nid]["result"] = True
    return Expect("result-node", "/process_graph", "must have exactly one result node, it has 2",
                  "MultipleResultNodes")


@mutation
def no_result_node_in_callback(doc):
    nid, callback = callback_of(doc, "apply")
    del callback[result_node(callback)]["result"]
    return Expect("result-node", f"/process_graph/{nid}/arguments/process/process_graph",
                  "must have exactly one result node, it has 0", "ResultNodeMissingCallback")


@mutation
def cycle(doc):
    pg = _pg(doc)
    a = first_node(pg, "filter_bands")                 # filter_bands depends on load_collection
    b = pg[a]["arguments"]["data"]["from_node"]
    pg[b]["arguments"]["bands"] = {"from_node": a}     # ... which now depends on filter_bands
    return Expect("cycle", f"/process_graph/{min(a, b)}", f"{min(a, b)} -> {max(a, b)} -> {min(a, b)}", None)


@mutation
def default_violates_schema(doc):
    i = parameter_index(doc, "interval_days")
    doc["parameters"][i]["default"] = 0
    return Expect("invalid-default", f"/parameters/{i}/default",
                  "the default of parameter 'interval_days' does not match its schema: 0 is less than the minimum of 1")


@mutation
def optional_without_default(doc):
    i = parameter_index(doc, "cloud_tolerance")
    del doc["parameters"][i]["default"]
    return Expect("missing-default", f"/parameters/{i}", "optional parameter 'cloud_tolerance' has no default")


@mutation
def default_without_optional(doc):
    i = parameter_index(doc, "output_ndvi")
    del doc["parameters"][i]["optional"]
    return Expect("default-not-optional", f"/parameters/{i}/optional",
                  "parameter 'output_ndvi' has a default but is not marked optional: true")


@mutation
def duplicate_parameter(doc):
    doc["parameters"].append(dict(doc["parameters"][0]))
    n = len(doc["parameters"]) - 1
    return Expect("duplicate-parameter", f"/parameters/{n}/name",
                  f"parameter '{doc['parameters'][0]['name']}' is declared twice")


@mutation
def parameter_without_description(doc):
    i = parameter_index(doc, "interval_days")
    del doc["parameters"][i]["description"]
    return Expect("schema", f"/parameters/{i}", "'description' is a required property")


@mutation
def unused_parameter(doc):
    doc["parameters"].append({"name": "unused_knob", "description": "Not wired.", "schema": {"type": "number"},
                              "optional": True, "default": 1})
    return Expect("unused-parameter", f"/parameters/{len(doc['parameters']) - 1}",
                  "parameter 'unused_knob' is declared but never used")


@mutation
def earlier_port_temporal_extent(doc):
    i = parameter_index(doc, "temporal_extent")
    doc["parameters"][i]["schema"] = {"type": "array", "subtype": "temporal-interval"}
    nid = first_node(_pg(doc), "load_collection")
    return Expect("incompatible-parameter", _ptr_arg(nid, "temporal_extent"),
                  "UDP parameter 'temporal_extent' is not compatible with argument 'temporal_extent' of "
                  "process 'load_collection'", "ProcessArgumentInvalid")


@mutation
def example_unknown_argument(doc):
    doc["examples"][0]["arguments"]["interval_day"] = 3
    return Expect("unknown-example-argument", "/examples/0/arguments/interval_day",
                  "sets 'interval_day', which is not a parameter of the process; did you mean 'interval_days'?")


@mutation
def example_invalid_value(doc):
    doc["examples"][0]["arguments"]["temporal_extent"] = ["2022-10-27", "2022-08-07"]
    return Expect("invalid-example-argument", "/examples/0/arguments/temporal_extent",
                  "the end '2022-08-07' is not later than the start '2022-10-27'")


@mutation
def udf_syntax_error(doc):
    _, _, args = udf_node(doc)
    args["udf"] += "\ndef broken(:\n    pass\n"
    return Expect("udf-syntax", _udf_ptr(doc), "does not compile")


@mutation
def udf_without_apply_datacube(doc):
    _, _, args = udf_node(doc)
    args["udf"] = args["udf"].replace("def apply_datacube(", "def apply_cube(")
    return Expect("udf-entry-point", _udf_ptr(doc), "must define apply_datacube(cube, context) at top level")


@mutation
def udf_imports_subprocess(doc):
    _, _, args = udf_node(doc)
    args["udf"] = "import subprocess\n" + args["udf"]
    return Expect("udf-lint", _udf_ptr(doc), "uses import subprocess (line 1): not on the import allow-list")


@mutation
def udf_imports_from_urllib(doc):
    _, _, args = udf_node(doc)
    args["udf"] = "from urllib.request import urlopen\n" + args["udf"]
    return Expect("udf-lint", _udf_ptr(doc), "uses from urllib.request import ... (line 1): not on the import allow-list")


@mutation
def udf_dynamic_import(doc):
    _, _, args = udf_node(doc)
    args["udf"] += "\n_os = __import__('os')\n"
    return Expect("udf-lint", _udf_ptr(doc), "uses __import__ (line")


@mutation
def udf_runtime_not_python(doc):
    outer, inner, args = udf_node(doc)
    args["runtime"] = "R"
    return Expect("udf-runtime",
                  f"/process_graph/{outer}/arguments/process/process_graph/{inner}/arguments/runtime",
                  "uses runtime \"R\"")


@mutation
def udf_by_url(doc):
    _, _, args = udf_node(doc)
    args["udf"] = "https://example.org/udf.py"
    return Expect("udf-not-inline", _udf_ptr(doc), "does not carry its source code inline")


@mutation
def http_link(doc):
    doc["links"][0]["href"] = doc["links"][0]["href"].replace("https://", "http://")
    return Expect("insecure-link", "/links/0/href", "is not an https URL")


@mutation
def wrong_id(doc):
    doc["id"] = "efast_fusion"
    return Expect("id-mismatch", "/id", "does not match the file name 'udp/efast.json'")


@mutation
def unknown_top_level_key(doc):
    doc["parameter"] = doc["parameters"]
    return Expect("schema", "", "Additional properties are not allowed ('parameter' was unexpected)")


@mutation
def parameter_schema_with_top_level_anyof(doc):
    i = parameter_index(doc, "interval_days")
    doc["parameters"][i]["schema"] = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    return Expect("schema", f"/parameters/{i}/schema/anyOf", "'anyOf' is not allowed here")


@mutation
def extra_key_on_reference(doc):
    nid = first_node(_pg(doc), "filter_bands")
    _pg(doc)[nid]["arguments"]["data"]["from_parameter"] = "x"
    return Expect("schema", _ptr_arg(nid, "data"), "Additional properties are not allowed")


def test_at_least_20_distinct_mutations():
    assert len(MUTATIONS) >= 20
    codes = {MUTATIONS[name](real_udp()).code for name in MUTATIONS}
    assert len(codes) >= 20, sorted(codes)


def test_real_udp_is_valid():
    assert validate_udp(real_udp(), FILENAME) == []


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_is_rejected_with_its_message_and_pointer(name):
    doc = real_udp()
    expect = MUTATIONS[name](doc)
    findings = validate_udp(doc, FILENAME)
    matching = [f for f in findings if f.code == expect.code and f.pointer == expect.pointer]
    assert matching, f"no {expect.code} at {expect.pointer!r}; got:\n" + "\n".join(f.format() for f in findings)
    assert any(expect.message in f.message for f in matching), [f.message for f in matching]
    assert all(f.found and f.expected for f in matching)


def test_js_validator_agrees_on_mutations(tmp_path: Path):
    """Where the official validator detects a corruption, it reports the expected error; where
    it does not (it treats unresolved parameters as fine, ignores defaults, examples, UDF
    source, links and ids, and follows no cycles), it reports nothing."""
    expectations, paths = {}, []
    for name, mutate in sorted(MUTATIONS.items()):
        doc = real_udp()
        expectations[name] = mutate(doc)
        path = tmp_path / name / "efast.json"
        path.parent.mkdir()
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(path)
    report = run_js(paths, profile=True)
    for name, path in zip(sorted(MUTATIONS), paths):
        codes = [e["code"] for e in report[str(path)]]
        expected = expectations[name].js_code
        if expected is None:
            assert codes == [], f"{name}: the JS validator now reports {report[str(path)]}; record it"
        else:
            assert expected in codes, f"{name}: expected {expected}, JS validator reported {report[str(path)]}"


@pytest.mark.parametrize("path", udp_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rendered_udps_are_valid(path):
    findings = validate_udp(load_json(path), str(path.relative_to(ROOT)))
    assert findings == [], "\n".join(f.format() for f in findings)


def test_handmade_fixture_is_valid():
    path = FIXTURES / "handmade" / "efast.json"
    assert validate_udp(load_json(path), str(path)) == []


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
