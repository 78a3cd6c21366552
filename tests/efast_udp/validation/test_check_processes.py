"""``check_processes``: every node runs a process of the pinned specifications or the profile,
from the back-end's own namespace."""

import pytest
from udp_docs import UDF_NODE, cube_udp, findings, located, number_udp

from efast_udp.validation import resources
from efast_udp.validation.check_processes import check_namespace, check_process_exists, did_you_mean


def test_did_you_mean_names_the_closest_choice_only_when_it_is_close():
    assert did_you_mean("load_colection", ["load_collection", "save_result"]) == "; did you mean 'load_collection'?"
    assert did_you_mean("xyz", ["add", "load_collection"]) == ""
    assert did_you_mean("anything", []) == ""


def test_an_unknown_process_in_a_callback_is_found_at_its_process_id_with_a_hint():
    doc = cube_udp()
    doc["process_graph"]["scaled"]["arguments"]["process"]["process_graph"]["udf"]["process_id"] = "run_udff"
    [finding] = findings(check_process_exists, doc)
    version = resources.profile()["processes_version"]
    assert (finding.code, finding.pointer, finding.found) == ("unknown-process", UDF_NODE + "/process_id", '"run_udff"')
    assert finding.expected == f"a process of openEO processes {version} or of the back-end profile"
    assert finding.message == (f"node 'udf' uses process 'run_udff', which the openEO process specifications {version} "
                               "and the back-end profile do not define; did you mean 'run_udf'?")


def test_a_missing_or_non_text_process_id_is_left_to_the_schema():
    doc = number_udp()
    doc["process_graph"]["sum"]["process_id"] = 5
    assert located(check_process_exists, doc) == []
    del doc["process_graph"]["sum"]["process_id"]
    assert located(check_process_exists, doc) == []


@pytest.mark.parametrize("namespace", [None, "backend"])
def test_the_predefined_namespaces_pass(namespace):
    doc = number_udp()
    doc["process_graph"]["sum"]["namespace"] = namespace
    assert located(check_namespace, doc) == []


@pytest.mark.parametrize("namespace, shown", [("user", '"user"'), ("https://example.org/add.json", '"https://example.org/add.json"'),
                                              (3, "3")])
def test_any_other_namespace_is_a_finding(namespace, shown):
    doc = number_udp()
    doc["process_graph"]["sum"]["namespace"] = namespace
    [finding] = findings(check_namespace, doc)
    assert (finding.code, finding.pointer, finding.found) == ("namespace", "/process_graph/sum/namespace", shown)
    assert finding.message == (f"node 'sum' takes process 'add' from namespace {shown}, "
                               "which is not a predefined process of the back-end")
