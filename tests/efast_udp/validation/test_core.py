"""``core``: every check on one definition, findings of all of them at once, ``lint`` adding
the documentation rules, and process listings validated entry by entry."""

import pytest
from udp_docs import cube_udp, located, number_udp

from efast_udp.validation import (
    check_bounds,
    check_documentation,
    check_metadata,
    check_schema,
    check_udf_reach,
    core,
)
from efast_udp.validation.core import validate_document, validate_udp


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
