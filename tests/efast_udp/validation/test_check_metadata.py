"""``check_metadata``: links are https, and (asked for) the ``id`` is the file's name."""

import pytest
from udp_docs import findings, located, number_udp

from efast_udp.validation.check_metadata import check_id_matches_file, check_links_https


def test_each_plain_http_link_is_a_finding_at_its_href():
    doc = number_udp()
    doc["links"] = [{"rel": "about", "href": "http://example.org"}, {"href": "https://example.org"},
                    {"rel": "cite-as", "href": "ftp://example.org/x"}]
    found = findings(check_links_https, doc)
    assert [(f.code, f.pointer) for f in found] == [("insecure-link", "/links/0/href"), ("insecure-link", "/links/2/href")]
    assert found[0].message == 'link 0 (rel "about") is not an https URL'
    assert found[1].found == '"ftp://example.org/x"'
    assert found[1].expected == "an https:// URL"


@pytest.mark.parametrize("links", [None, "http://example.org", [None, "http://x", {"rel": "about"}, {"href": 3}]])
def test_what_is_not_a_link_with_a_text_href_is_left_to_the_schema(links):
    doc = number_udp()
    doc["links"] = links
    assert located(check_links_https, doc) == []


@pytest.mark.parametrize("name", [
    "tiny.json", "udp/tiny.json", "C:\\releases\\tiny.json", "https://example.org/udp/tiny.json?raw=1#top",
])
def test_the_id_is_the_name_of_the_file_or_url(name):
    assert located(check_id_matches_file, number_udp(), name) == []


@pytest.mark.parametrize("name, shown", [
    ("udp/efast.json", '"efast.json"'),
    ("https://example.org/tiny.json/other.json", '"other.json"'),
    ("tiny", '"tiny"'),
])
def test_another_file_name_is_an_id_mismatch(name, shown):
    [finding] = findings(check_id_matches_file, number_udp(), name)
    assert (finding.code, finding.pointer) == ("id-mismatch", "/id")
    assert finding.found == f"file name {shown}"
    assert finding.expected == 'the file name "tiny.json"'
    assert finding.message == f'id "tiny" does not match the file name {name!r}'


def test_without_the_rule_or_a_text_id_there_is_nothing_to_compare():
    assert located(check_id_matches_file, number_udp(), None) == []
    doc = number_udp()
    doc["id"] = 5
    assert located(check_id_matches_file, doc, "x.json") == []
