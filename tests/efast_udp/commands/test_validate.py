"""``efast-udp validate``: files, URLs and listings, the default sources, findings with
pointer, found and expected, ``--json`` and ``--catalogue``, and the exit codes 0 / 1 / 2."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from pathlib import Path

import pytest

from cli_support import UDP
from efast_udp.cli import main
from validation_support import ROOT, real_udp, udp_files


def test_validate_accepts_a_listing_and_a_definition_under_another_name(tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    other = tmp_path / "my-copy.json"
    other.write_text(json.dumps(doc))
    listing = tmp_path / "processes.json"
    listing.write_text(json.dumps({"processes": [doc], "links": [{"rel": "self", "href": "https://x.org/p.json"}]}))
    assert main(["validate", str(other), str(listing)]) == 0
    broken = dict(doc, process_graph={"a": {"process_id": "nope", "arguments": {}, "result": True}})
    listing.write_text(json.dumps({"processes": [doc, broken], "links": []}))
    assert main(["validate", str(listing)]) == 1
    out = capsys.readouterr().out
    assert "#/processes/1/process_graph/a/process_id" in out and "#/processes/0/" not in out


def test_catalogue_names_and_listing_ids(tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    for name in ("efast.txt", "efast"):
        (tmp_path / name).write_text(json.dumps(doc))
        assert main(["validate", "--catalogue", str(tmp_path / name)]) == 1
        assert "[id-mismatch]" in capsys.readouterr().out
    (tmp_path / "processes.json").write_text(json.dumps({"processes": [doc, doc], "links": []}))
    assert main(["validate", str(tmp_path / "processes.json")]) == 1
    assert "defines process 'efast' twice" in capsys.readouterr().out


def _write(tmp_path: Path, doc: object, name: str = "efast.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return str(path)


def test_cli_valid_file_exits_0(tmp_path, capsys):
    assert main(["validate", _write(tmp_path, real_udp())]) == 0
    assert "valid" in capsys.readouterr().err


def test_cli_default_sources_are_the_rendered_files(capsys):
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert "udp/efast.json: valid" in err
    for path in udp_files():
        assert str(path.relative_to(ROOT)) in err


def test_cli_invalid_file_exits_1_with_pointer_found_expected(tmp_path, capsys):
    doc = real_udp()
    doc["links"][1]["href"] = "http://example.org/x"
    assert main(["validate", _write(tmp_path, doc)]) == 1
    out = capsys.readouterr().out
    assert "#/links/1/href: [insecure-link]" in out
    assert "found: \"http://example.org/x\"" in out and "expected: an https:// URL" in out


def test_cli_json_output(tmp_path, capsys):
    doc = real_udp()
    doc["id"] = "nope"
    path = _write(tmp_path, doc)
    assert main(["validate", "--json", path]) == 0  # openEO does not tie the id to the file name ...
    assert json.loads(capsys.readouterr().out) == {path: []}
    assert main(["validate", "--json", "--catalogue", path]) == 1  # ... catalogues that publish <id>.json do
    report = json.loads(capsys.readouterr().out)
    assert report[path][0]["code"] == "id-mismatch"


@pytest.mark.parametrize("content", [None, "{not json"])
def test_cli_unreadable_input_exits_2_with_one_line(tmp_path, capsys, content):
    path = str(tmp_path / "missing.json") if content is None else _write(tmp_path, content)
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("efast-udp validate: error:") and "\n" not in err


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_cli_validates_a_url(tmp_path, capsys):
    _write(tmp_path, real_udp())
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: _Handler(*a, directory=str(tmp_path), **k))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/efast.json"
        assert main(["validate", url]) == 0
        assert f"{url}: valid" in capsys.readouterr().err
        assert main(["validate", url.replace("efast.json", "gone.json")]) == 2
    finally:
        server.shutdown()
        server.server_close()


def test_cli_unreachable_url_exits_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["validate", f"http://127.0.0.1:{port}/efast.json"]) == 2
    assert "cannot fetch" in capsys.readouterr().err
