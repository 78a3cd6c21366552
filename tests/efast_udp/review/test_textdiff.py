"""efast_udp.review.textdiff: line diffs of text as a reviewer reads them in a patch."""

from __future__ import annotations

from diff_support import UDF, small_udp, udf_node
from efast_udp.review import diff_documents, format_text


def test_final_newline_difference_is_visible():
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF.rstrip("\n")
    assert "\\ No newline at end of text" in format_text(diff_documents(old, new))
