"""``efast_udp.review.textdiff``: lines split on ``\n`` only, unified diffs as printable lines with a
marker for a missing final newline, and the counts of added and removed lines.

efast_udp.review.textdiff: line diffs of text as a reviewer reads them in a patch."""

from __future__ import annotations

import pytest

from efast_udp.review import diff_documents, format_text
from efast_udp.review.textdiff import line_counts, split_lines, unified, NO_NEWLINE

from diff_support import small_udp, udf_node, UDF


@pytest.mark.parametrize("text, lines", [
    ("", []),
    ("a", ["a"]),
    ("a\n", ["a\n"]),
    ("a\nb", ["a\n", "b"]),
    ("\n\n", ["\n", "\n"]),
    ("a\r\nb\rc\fd\n", ["a\r\n", "b\rc\fd\n"]),  # only \n breaks a line
])
def test_split_lines(text, lines):
    assert split_lines(text) == lines
    assert "".join(split_lines(text)) == text


def test_unified_of_equal_texts_is_empty():
    assert unified("a\nb\n", "a\nb\n", "OLD", "NEW") == []


def test_unified_has_the_labels_a_hunk_and_no_line_breaks():
    lines = unified("a\nb\nc\n", "a\nB\nc\n", "OLD:x", "NEW:x")
    assert lines == ["--- OLD:x", "+++ NEW:x", "@@ -1,3 +1,3 @@", " a", "-b", "+B", " c"]


def test_unified_context_lines():
    old = "".join(f"{i}\n" for i in range(10))
    new = old.replace("5\n", "five\n")
    assert unified(old, new, "o", "n", context=0)[2:] == ["@@ -6 +6 @@", "-5", "+five"]
    assert unified(old, new, "o", "n", context=1)[2:] == ["@@ -5,3 +5,3 @@", " 4", "-5", "+five", " 6"]
    assert unified(old, new, "o", "n", context=-4) == unified(old, new, "o", "n", context=0)


def test_a_difference_only_in_the_final_newline_is_visible():
    assert unified("a\n", "a", "o", "n") == ["--- o", "+++ n", "@@ -1 +1 @@", "-a", "+a", NO_NEWLINE]
    assert NO_NEWLINE == "\\ No newline at end of text"


def test_a_changed_carriage_return_is_a_changed_line():
    assert unified("a\n", "a\r\n", "o", "n")[3:] == ["-a", "+a\r"]


@pytest.mark.parametrize("old, new, counts", [
    ("a\nb\n", "a\nb\n", (0, 0)),
    ("a\nb\n", "a\nc\nd\n", (2, 1)),
    ("", "x\ny\nz", (3, 0)),
    ("x\ny\n", "", (0, 2)),
    ("a", "a\n", (1, 1)),
    ("---\n+++\n", "--- \n+++ \n", (2, 2)),  # lines that look like headers are counted, not skipped
])
def test_line_counts(old, new, counts):
    assert line_counts(old, new) == counts


def test_final_newline_difference_is_visible():
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF.rstrip("\n")
    assert "\\ No newline at end of text" in format_text(diff_documents(old, new))
