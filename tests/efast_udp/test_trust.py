"""efast_udp.trust: ``efast-udp run`` executes only UDF code the project released, wherever
the ``run_udf`` sits in the document; an edited UDF runs only with the opt-in, and a warning."""

from __future__ import annotations

import copy
import json

import pytest

from cli_support import CALL, one_line_error
from efast_udp import trust
from efast_udp.cli import main
from efast_udp.errors import UsageError
from efast_udp.validation import validate_udp
from hidden_udfs import HARMLESS, RELEASED, callback_as_default, udf_node, with_hidden
from run_support import argv, edited_udp


@pytest.mark.parametrize("where", ["default", "example", "nested"])
def test_the_trust_list_covers_udfs_outside_the_graph(where):
    doc = with_hidden(HARMLESS, where)
    [(path, sha)] = trust.untrusted(doc)
    assert path.endswith("process_graph/evil") and not path.startswith("process_graph")
    with pytest.raises(UsageError, match=f"refusing to run the UDF of node '{path}'"):
        trust.vouch(doc)


def test_a_udf_not_given_inline_is_never_trusted():
    doc = copy.deepcopy(RELEASED)
    doc["examples"][0]["arguments"]["hook"] = {"process_graph": {"evil": udf_node({"from_parameter": "code"})}}
    assert [sha for _, sha in trust.untrusted(doc)] == [None]
    with pytest.raises(UsageError, match="its code \\(not given inline\\)"):
        trust.vouch(doc)


def test_run_refuses_a_udf_in_a_parameter_default(tmp_path, capsys):
    doc = callback_as_default(HARMLESS)
    assert validate_udp(doc) == []
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(doc))
    argv = ["run", "--udp", str(path), "--data", str(tmp_path / "no-data"), "--out", str(tmp_path / "o"), *CALL]
    assert main(argv) == 2
    assert "refusing to run the UDF of node 'parameters/13/default/process_graph/runudf1'" in \
        one_line_error(capsys, "run")
    assert not (tmp_path / "o").exists()


def test_an_edited_udf_is_refused_without_the_opt_in(small_scene, small_data, tmp_path, capsys):
    udp = edited_udp(tmp_path, lambda code: code + "\n# one added line\n")
    assert main(argv(small_scene, small_data, tmp_path / "out", udp=udp)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "refusing to run the UDF of node 's3_smoothed/process/runudf1'" in err
    assert "--allow-untrusted-udf" in err and not (tmp_path / "out").exists()
    assert main(argv(small_scene, small_data, tmp_path / "out", "--allow-untrusted-udf", "--no-quicklooks", udp=udp)) == 0
    err = capsys.readouterr().err
    assert "warning: running the UDF of node 's3_smoothed/process/runudf1'" in err and "your rights" in err
