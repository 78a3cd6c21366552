"""efast_udp.document: UDP documents read safely (bounded size, depth and number of values;
JSON that openEO reads as written; regular files only), from files and http(s) URLs alike, and
process listings."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from cli_support import UDP, efast_udp, one_line_error
from e2e.servers import free_port
from efast_udp import document
from efast_udp.cli import main
from efast_udp.errors import UnreadableInput
from efast_udp.project import LATEST_UDP
from efast_udp.publish.serve import BackgroundServer

RELEASED = json.loads(LATEST_UDP.read_text("utf-8"))


def test_a_listing_gives_its_one_process_and_refuses_ambiguity():
    listing = {"processes": [RELEASED], "links": []}
    assert document.select_process(listing, "x.json") is RELEASED
    with pytest.raises(Exception, match="lists 2 processes"):
        document.select_process({"processes": [RELEASED, RELEASED], "links": []}, "x.json")
    with pytest.raises(Exception, match="is not an openEO process definition"):
        document.select_process([], "x.json")


def test_nesting_depth_is_counted_without_recursion():
    deep = []
    for _ in range(10_000):
        deep = [deep]
    assert document.nesting_depth(deep, stop_after=100) == 101
    assert document.nesting_depth({"a": [1, {"b": 2}]}) == 3


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """udp/efast.json on http://127.0.0.1:PORT/efast.json."""
    folder = tmp_path_factory.mktemp("served")
    shutil.copy(LATEST_UDP, folder / "efast.json")
    (folder / "index.html").write_text("<!doctype html><title>test</title>")
    with BackgroundServer(folder) as server:
        yield f"{server.url.rstrip('/')}/efast.json"


def test_validate_and_diff_read_a_url(served, capsys):
    assert main(["validate", served]) == 0
    assert main(["diff", served, str(LATEST_UDP)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("command", ["run", "demo", "bench", "publish-backend"])
def test_a_udp_url_stays_a_url(command, served, tmp_path, capsys):
    """The UDP is read from the URL (``http://`` intact); each command then stops at a later,
    deliberate mistake, so nothing heavy runs."""
    later_mistake = {
        "run": ["--data", str(tmp_path / "missing"), "--out", str(tmp_path / "out")],
        "demo": ["--out", str(tmp_path / "out"), "--scheduler", "nowhere"],
        "bench": ["--json", str(LATEST_UDP)],
        "publish-backend": ["--url", "ftp://example.invalid"],
    }[command]
    assert main([command, "--udp", served, *later_mistake]) == 2
    err = capsys.readouterr().err
    assert "http:/1" not in err and "no such file" not in err, err
    closed = f"http://127.0.0.1:{free_port()}/efast.json"
    if command in ("run", "demo", "bench"):  # these read the UDP before anything else
        assert main([command, "--udp", closed, *later_mistake]) == 2
        err = capsys.readouterr().err
        assert closed in err and "no such file" not in err, err


def test_deeply_nested_json_is_refused_with_one_line(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["validate", str(path)]) == 2
    assert "nested deeper than 64 levels" in one_line_error(capsys, "validate")
    path.write_text("[" * 70 + "]" * 70)  # parses, but deeper than the limit
    assert main(["validate", str(path)]) == 2
    assert "nested deeper" in one_line_error(capsys, "validate")


def test_oversized_file_is_refused_without_reading_it(tmp_path, capsys):
    path = tmp_path / "big.json"
    with path.open("wb") as f:
        f.truncate(document.MAX_BYTES + 1)  # sparse: nothing to read
    assert main(["validate", str(path)]) == 2
    assert "larger than 10 MiB" in one_line_error(capsys, "validate")


@pytest.mark.parametrize("target", ["directory", "fifo-like", "missing"])
def test_not_a_regular_file(tmp_path, capsys, target):
    path = tmp_path / target
    if target == "directory":
        path.mkdir()
    elif target == "fifo-like":
        os.mkfifo(path)
    assert main(["validate", str(path)]) == 2
    assert "cannot read" in one_line_error(capsys, "validate")


@pytest.mark.parametrize("text, message", [
    ('{"id": ' + "9" * 5000 + "}", "not valid JSON"),
    ('{"id": "\\udfff"}', "unpaired UTF-16 surrogate"),
    ('{"id": NaN}', "NaN is not a JSON number"),
    ('{"id": Infinity}', "Infinity is not a JSON number"),
])
def test_json_that_is_not_json_is_one_line(tmp_path, capsys, text, message):
    path = tmp_path / "efast.json"
    path.write_text(text)
    for argv in (["validate", str(path)], ["validate", "--json", str(path)], ["diff", str(path), str(path)]):
        assert main(argv) == 2
        assert message in one_line_error(capsys, argv[0])


@pytest.mark.parametrize("text, message", [
    ('{"a": 1, "a": 2}', "the key 'a' appears twice in the object at /"),
    ('{"process_graph": {"n": {"process_id": "x", "arguments": {"v": 1, "w": 0, "v": 2}}}}',
     "the key 'v' appears twice in the object at /process_graph/n/arguments"),
    ('{"x/y": [0, {"k~": 1, "k~": 1}]}', "the key 'k~' appears twice in the object at /x~1y/1"),
    ('{"a": 1e400}', "1e400 is beyond the range of a JSON number"),
    ('{"a": [-1E+999]}', "-1E+999 is beyond the range of a JSON number"),
    ('{"a": 1' + "0" * 400 + "}", "is beyond the range of a JSON number"),
    ('{"a": NaN}', "NaN is not a JSON number"),
    ('{"a": -Infinity}', "-Infinity is not a JSON number"),
])
def test_json_that_openeo_cannot_read_as_written_is_refused(tmp_path, capsys, text, message):
    path = tmp_path / "efast.json"
    path.write_text(text)
    for argv in (["validate", str(path)], ["diff", str(path), str(UDP)]):
        assert main(argv) == 2
        assert message in one_line_error(capsys, argv[0])


def test_the_largest_double_is_still_a_number():
    assert document.parse_json('{"a": 1.7976931348623157e308, "b": -5e-324}', "x") == \
        {"a": 1.7976931348623157e308, "b": -5e-324}


def test_millions_of_strings_are_refused_by_the_value_bound(tmp_path):
    path = tmp_path / "many.json"
    path.write_text("[" + ",".join(['"ab"'] * 1_500_000) + "]")  # 7.5 MB
    assert path.stat().st_size > 7_000_000
    done = efast_udp("validate", str(path), timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"efast-udp validate: error: {path} holds more than 50000 JSON values "
                                   "(objects, arrays, strings, numbers); refusing to read it")


def test_value_count():
    assert document.value_count([]) == 1
    assert document.value_count({"a": [1, 2, {"b": None}]}) == 6
    assert document.value_count(list(range(100)), stop_after=10) == 101
    with pytest.raises(UnreadableInput, match="more than 50000 JSON values"):
        document.parse_json(json.dumps([[0] * 1000] * 60), "x")
    released = json.loads(UDP.read_text())
    assert document.value_count(released) * 20 < document.MAX_VALUES  # room for a listing of 20 releases
