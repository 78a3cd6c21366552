"""efast_udp.validation.check_udf_reach (issue 20): the UDF rules for every ``run_udf``
wherever it sits (parameter defaults, examples, values), and no file writes through plotting
and IO objects."""

from __future__ import annotations

import ast
import json

import pytest

from efast_udp.cli import main
from efast_udp.validation import validate_udp
from efast_udp.validation.check_udf_reach import lint_writers
from hidden_udfs import HARMLESS, RELEASED, WRITES, callback_as_default, with_hidden


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


def test_the_released_udfs_reach_no_writer():
    assert not [f for f in validate_udp(RELEASED) if f.code.startswith("udf")]
