"""efast_udp.review.render: a diff as text (values as ``old → new``, long text as a unified
diff, UDFs as line counts or code) and as JSON."""

from __future__ import annotations

import copy

from diff_support import small_udp
from efast_udp.review import diff_documents, format_stat, format_text, to_json


def test_udf_added_and_removed_are_listed_with_line_counts():
    old, new = small_udp(), small_udp()
    new["process_graph"]["fused2"] = copy.deepcopy(new["process_graph"]["fused"])
    del new["process_graph"]["fused"]
    diff = diff_documents(old, new)
    text = format_text(diff)
    assert "+ fused2/process/runudf1 (3 lines)" in text
    assert "- fused/process/runudf1 (3 lines)" in text
    assert "def apply_datacube" not in text


def test_metadata_fields_and_description_as_unified_diff():
    old, new = small_udp(), small_udp()
    new["description"] = "First line.\nSecond line, changed.\n"
    new["categories"] = ["cubes"]
    new["default_job_options"] = {"executor-memory": "2G"}
    diff = diff_documents(old, new)
    assert [c.path for c in diff.metadata] == ["/description", "/categories", "/default_job_options"]
    text = format_text(diff, context=0)
    assert "--- OLD:/description\n    +++ NEW:/description\n    @@ -2 +2 @@\n    -Second line.\n    +Second line, changed." in text
    assert '/categories: (absent) → ["cubes"]' in text
    assert format_stat(diff).splitlines()[0] == "metadata: 3 field(s) changed (description, categories, default_job_options)"


def test_json_of_identical_documents():
    report = to_json(diff_documents(small_udp(), small_udp()))
    assert report["identical"] is True and report["metadata"] == [] and report["udfs"]["changed"] == []
