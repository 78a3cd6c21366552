"""``efast_udp.checksums``: SHA-256 digests and ``SHA256SUMS`` text in the ``sha256sum`` format."""

from __future__ import annotations

import pytest

from efast_udp.checksums import SUMS_NAME, parse_sums, render_sums, sha256
from efast_udp.errors import ReleaseError

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_of_known_inputs():
    assert sha256(b"") == EMPTY
    assert sha256(b"abc") == ABC


def test_text_is_hashed_as_utf8():
    assert sha256("abc") == ABC
    assert sha256("é→") == sha256("é→".encode("utf-8"))
    assert sha256("é") != sha256("é".encode("latin-1"))


def test_render_sorts_by_path_and_leaves_out_the_sums_file():
    text = render_sums({"b.json": b"abc", "a/x.html": b"", SUMS_NAME: b"old sums"})
    assert text == f"{EMPTY}  a/x.html\n{ABC}  b.json\n"


def test_render_uses_the_order_given():
    entries = {"z": b"", "a": b"abc"}
    text = render_sums(entries, order=lambda rel: 0 if rel == "z" else 1)
    assert text.splitlines() == [f"{EMPTY}  z", f"{ABC}  a"]


def test_render_of_nothing_is_empty():
    assert render_sums({}) == ""
    assert render_sums({SUMS_NAME: b"x"}) == ""


def test_parse_reads_back_what_render_wrote():
    entries = {"efast.json": b"{}", "0.1.0/efast.json": b"abc", "name with spaces.txt": b""}
    sums = parse_sums(render_sums(entries), "SUMS")
    assert sums == {rel: sha256(data) for rel, data in entries.items()}


def test_parse_takes_the_binary_marker_and_skips_blank_lines():
    text = f"\n{ABC} *bin/file\n   \n{EMPTY}  other\n"
    assert parse_sums(text, "S") == {"bin/file": ABC, "other": EMPTY}


@pytest.mark.parametrize("line", [
    f"{ABC.upper()}  a",  # upper-case hex is not what sha256sum writes
    f"{ABC[:-1]}  a",  # 63 digits
    f"{ABC}a",  # no separator
    f"{ABC}  ",  # no path
    "not a sum at all",
])
def test_parse_refuses_a_malformed_line_naming_the_source_and_line(line):
    text = f"{EMPTY}  ok\n{line}\n"
    with pytest.raises(ReleaseError, match=r"^public/SHA256SUMS line 2 is not '<sha256>  <path>': ") as caught:
        parse_sums(text, "public/SHA256SUMS")
    assert repr(line[:80]) in str(caught.value)


def test_parse_error_quotes_at_most_80_characters_of_the_line():
    line = "x" * 500
    with pytest.raises(ReleaseError) as caught:
        parse_sums(line, "S")
    assert str(caught.value) == f"S line 1 is not '<sha256>  <path>': {'x' * 80!r}"
