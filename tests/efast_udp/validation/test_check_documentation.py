"""``check_documentation`` (``--lint``): the openEO process linter's structural rules."""

import pytest
from udp_docs import findings, located, number_udp

from efast_udp.validation.check_documentation import (
    DESCRIPTION_MIN,
    SUMMARY_MAX,
    check_descriptions,
    check_flags,
    check_summary,
)


def test_a_summary_of_59_characters_passes_and_one_of_60_does_not():
    doc = number_udp()
    doc["summary"] = "s" * SUMMARY_MAX
    assert located(check_summary, doc) == []
    doc["summary"] = "s" * (SUMMARY_MAX + 1)
    [finding] = findings(check_summary, doc)
    assert (finding.code, finding.pointer) == ("summary-length", "/summary")
    assert finding.found.startswith("60 characters: ")
    assert finding.expected == "at most 59 characters"


def test_a_long_summary_with_a_period_is_two_findings():
    doc = number_udp()
    doc["summary"] = "s" * 60 + "."
    assert located(check_summary, doc) == [("summary-length", "/summary"), ("summary-period", "/summary")]


def test_a_summary_that_is_not_text_is_left_to_the_schema():
    doc = number_udp()
    doc["summary"] = ["Adds."]
    assert located(check_summary, doc) == []


def test_the_process_description_needs_61_characters():
    doc = number_udp()
    doc["description"] = "d" * DESCRIPTION_MIN
    assert located(check_descriptions, doc) == []
    doc["description"] = " " + "d" * (DESCRIPTION_MIN - 1) + "   "  # blanks do not count
    [finding] = findings(check_descriptions, doc)
    assert (finding.code, finding.pointer, finding.expected) == (
        "missing-description", "/description", "a text of at least 61 characters")


@pytest.mark.parametrize("change, where", [
    (lambda d: d["parameters"][1].pop("description"), "/parameters/1/description"),
    (lambda d: d["parameters"][0].update(description="  "), "/parameters/0/description"),
    (lambda d: d["returns"].update(description=None), "/returns/description"),
])
def test_every_parameter_and_the_return_value_need_a_description(change, where):
    doc = number_udp()
    change(doc)
    [finding] = findings(check_descriptions, doc)
    assert (finding.code, finding.pointer, finding.expected) == (
        "missing-description", where, "a text of at least 1 characters")


@pytest.mark.parametrize("categories, shown", [(None, "null"), ([], "[]"), (["math", 3], '["math", 3]')])
def test_the_process_needs_a_category(categories, shown):
    doc = number_udp()
    doc["categories"] = categories
    [finding] = findings(check_flags, doc)
    assert (finding.code, finding.pointer, finding.found) == ("categories", "/categories", shown)
    del doc["categories"]
    assert located(check_flags, doc) == [("categories", "/categories")]


def test_a_false_flag_is_a_finding_where_it_stands_a_true_one_is_not():
    doc = number_udp()
    doc["experimental"] = True
    doc["deprecated"] = False
    doc["parameters"][1]["optional"] = False
    doc["parameters"][0]["experimental"] = 0
    found = findings(check_flags, doc)
    assert [(f.code, f.pointer, f.found) for f in found] == [
        ("flag-false", "/deprecated", "false"),
        ("flag-false", "/parameters/0/experimental", "0"),
        ("flag-false", "/parameters/1/optional", "false"),
    ]
    assert found[0].message == "'deprecated': false says nothing: leave it out (openEO process linter)"
