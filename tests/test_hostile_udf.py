"""UDFs where no graph walk looks, and file writes through plotting/IO objects (issue 20): the
lint and the trust list of ``run`` cover every ``run_udf`` of a document."""

from __future__ import annotations

import ast
import copy
import json

import pytest
from cli_support import CALL, UDP, one_line_error

from efast_udp import trust
from efast_udp.cli import main
from efast_udp.errors import UsageError
from efast_udp.validation import validate_udp
from efast_udp.validation.check_udf_reach import lint_writers

RELEASED = json.loads(UDP.read_text())
HARMLESS = "def apply_datacube(cube, context):\n    return cube\n"
WRITES = "def apply_datacube(cube, context):\n    cube.plot.imshow().figure.canvas.print_png('/tmp/x.png')\n    return cube\n"


def udf_node(code) -> dict:
    return {"process_id": "run_udf", "arguments": {"data": {"from_parameter": "data"}, "udf": code,
                                                   "runtime": "Python"}, "result": True}


def with_hidden(code, where: str) -> dict:
    """The released UDP with a run_udf at ``where``: a parameter default, an example, a value."""
    doc = copy.deepcopy(RELEASED)
    callback = {"process_graph": {"evil": udf_node(code)}}
    if where == "default":
        doc["parameters"].append({"name": "hook", "description": "A callback.", "optional": True,
                                  "schema": {"type": "object", "subtype": "process-graph"}, "default": callback})
    elif where == "example":
        doc["examples"][0]["arguments"]["hook"] = callback
    else:  # a callback in a callback's default, two levels down
        doc["parameters"].append({"name": "hook", "description": "A callback.", "optional": True,
                                  "schema": {"type": "object", "subtype": "process-graph"},
                                  "default": {"process_graph": {"outer": {
                                      "process_id": "apply", "arguments": {"data": {"from_parameter": "data"},
                                                                           "process": callback}, "result": True}}}})
    return doc


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


def callback_as_default(code) -> dict:
    """The released UDP, its node 'fused' taking its callback from_parameter 'hook', whose default is
    that callback with ``code`` as its UDF: a valid UDP whose graph holds no run_udf for it."""
    doc = copy.deepcopy(RELEASED)
    callback = doc["process_graph"]["fused"]["arguments"]["process"]
    callback["process_graph"]["runudf1"]["arguments"]["udf"] = code
    doc["parameters"].append({"name": "hook", "description": "A callback.", "optional": True,
                              "schema": {"type": "object", "subtype": "process-graph"}, "default": callback})
    doc["process_graph"]["fused"]["arguments"]["process"] = {"from_parameter": "hook"}
    return doc


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


def test_validate_lints_a_udf_in_a_parameter_default(tmp_path, capsys):
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(callback_as_default(WRITES)))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "#/parameters/13/default/process_graph/runudf1/arguments/udf: [udf-lint]" in out and ".print_png" in out


@pytest.mark.parametrize("where", ["default", "example", "nested"])
def test_the_lint_covers_udfs_outside_the_graph(where):
    findings = [f for f in validate_udp(with_hidden(WRITES, where)) if f.code == "udf-lint"]
    assert {f.found for f in findings} >= {"line 2: .plot", "line 2: .figure", "line 2: .canvas", "line 2: .print_png"}
    assert all("/process_graph/evil/arguments/udf" in f.pointer for f in findings)
    imports = [f for f in validate_udp(with_hidden("import os\n" + HARMLESS, where)) if f.code == "udf-lint"]
    assert [f.found for f in imports] == ["line 1: import os"]  # the profile's lint applies there too
    inline = [f.code for f in validate_udp(with_hidden({"from_parameter": "x"}, where))]
    assert "udf-not-inline" in inline


@pytest.mark.parametrize("code, refused", [
    ("cube.plot.imshow().figure.canvas.print_png(PATH)", ".print_png"),
    ("cube.plot.imshow().figure.savefig(PATH)", ".savefig"),
    ("cube.plot()", ".plot"),
    ("cube.sel(x=1).plot.line()", ".plot"),
    ("fig = cube.plot.imshow().axes.figure\nfig.canvas.print_figure(PATH)", ".print_figure"),
    ("cube.to_dataframe().plot(kind='bar').get_figure().savefig(PATH)", ".savefig"),
    ("from xarray import plot", "from xarray import plot"),
    ("import matplotlib.pyplot as plt", "import matplotlib.pyplot"),
    ("canvas.write_png(PATH)", ".write_png"),
    ("cube.values.tofile(PATH)", ".tofile"),
])
def test_the_lint_refuses_writes_through_plotting_objects(code, refused):
    assert refused in [what for _, what, _ in lint_writers(ast.parse(code))]


@pytest.mark.parametrize("code, refused", [
    ("cube.to_netcdf(PATH)", ".to_netcdf"), ("cube.to_zarr(PATH)", ".to_zarr"), ("np.save(PATH, a)", ".save"),
    ("cube.values.tofile(PATH)", ".tofile"), ("np.savez(PATH, a)", ".savez"), ("cube.values.dump(PATH)", ".dump"),
    ("cube.to_dataset(name='a').to_netcdf(PATH)", ".to_netcdf"), ("cube.rio.to_raster(PATH)", ".to_raster"),
])
def test_the_profile_lint_already_refuses_io_writers(code, refused):
    """Pinned: what the profile's rules refuse, validated end to end in a graph UDF."""
    doc = copy.deepcopy(RELEASED)
    doc["process_graph"]["evil"] = udf_node("def apply_datacube(cube, context):\n    " + code + "\n    return cube\n")
    found = [f.found for f in validate_udp(doc) if f.code == "udf-lint"]
    assert f"line 2: {refused}" in found


def test_the_released_udfs_reach_no_writer():
    assert not [f for f in validate_udp(RELEASED) if f.code.startswith("udf")]
