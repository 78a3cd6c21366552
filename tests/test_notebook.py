"""The executed notebook docs/notebooks/efast.ipynb: it runs from top to bottom without an error
(nbclient, a time limit per cell) against openeo-driver's dummy back-end and the UDP, both on
127.0.0.1, and the committed copy is executed, with its figure, and names no machine."""

from __future__ import annotations

import re

import nbformat
import pytest

from e2e import notebook
from e2e.servers import DummyBackend, driver_python


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_the_committed_notebook_is_executed_and_names_no_machine():
    nb = nbformat.read(notebook.NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    cells = code_cells(nb)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert all(cell.outputs for cell in cells if "RUN_ON_BACKEND = False" not in cell.source)
    assert not [o for cell in cells for o in cell.outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for cell in cells for o in cell.outputs)
    text = notebook.NOTEBOOK.read_text(encoding="utf-8")
    assert not re.search(r"127\.0\.0\.1|localhost|/tmp/|/work/|/home/|/root/|alice", text)


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with DummyBackend(driver_python(), tmp_path_factory.mktemp("backend")) as be:
        yield be


def test_the_notebook_runs_without_an_error(backend, tmp_path, monkeypatch):
    with notebook.udp_namespace(tmp_path / "namespace") as namespace:
        for name, value in notebook.environment(backend.url, namespace).items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("MPLBACKEND", raising=False)
        nb = notebook.execute(nbformat.read(notebook.NOTEBOOK, as_version=4), tmp_path)
    outputs = "".join(o.get("text", "") for cell in code_cells(nb) for o in cell.outputs)
    assert "parameters and graph unchanged: True" in outputs, outputs
    assert "back-end validation errors: []" in outputs, outputs
    error = float(re.search(r"NDVI error of EFAST against the truth: ([0-9.]+)", outputs).group(1))
    assert error < 0.05, outputs
