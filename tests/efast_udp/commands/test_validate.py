"""``efast-udp validate``: files, URLs and listings, the default sources, findings with
pointer, found and expected, ``--json`` and ``--catalogue``, and the exit codes 0 / 1 / 2."""

from __future__ import annotations

import json

from cli_support import UDP
from efast_udp.cli import main


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
