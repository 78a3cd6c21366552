"""Execute docs/notebooks/efast.ipynb against openeo-driver's dummy back-end and the UDP, both on
127.0.0.1 (the test, tests/test_notebook.py, and the maintainers' re-execution after a release):

    .venv/bin/python tests/e2e/notebook.py     # rewrites docs/notebooks/efast.ipynb, executed

needs the driver venv (``make driver-venv``). The notebook reads the back-end and the namespace
from the environment (``EFAST_OPENEO_URL``, ``EFAST_UDP_NAMESPACE``, ``EFAST_OPENEO_BASIC_AUTH``),
so what it prints names no machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "docs" / "notebooks" / "efast.ipynb"
CELL_TIMEOUT = 120  # s, per cell (the whole notebook takes well under a minute)
#: the dummy back-end's test user (openeo-driver's dummy config: a vowel name, password name + "123")
BASIC_AUTH = "alice:alice123"


@contextlib.contextmanager
def udp_namespace(folder: Path):
    """udp/efast.json served on 127.0.0.1; yields its URL."""
    from efast_udp.project import LATEST_UDP
    from efast_udp.publish.serve import BackgroundServer

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(LATEST_UDP, folder / "efast.json")
    (folder / "index.html").write_text("<!doctype html><title>efast</title>")
    with BackgroundServer(folder) as server:
        yield f"{server.url.rstrip('/')}/efast.json"


def environment(backend_url: str, namespace: str) -> dict:
    """The variables the notebook reads, for the kernel's environment."""
    return {"EFAST_OPENEO_URL": backend_url, "EFAST_UDP_NAMESPACE": namespace, "EFAST_OPENEO_BASIC_AUTH": BASIC_AUTH}


def execute(nb, cwd: Path):
    """Run every cell of ``nb`` in a fresh python3 kernel started in ``cwd`` (with this process's
    environment); raises ``nbclient.exceptions.CellExecutionError`` at the first failing cell."""
    from nbclient import NotebookClient

    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def main() -> int:
    import nbformat

    sys.path.insert(0, str(REPO / "tests"))
    from e2e.servers import DummyBackend, driver_python

    with tempfile.TemporaryDirectory(prefix="efast-notebook-") as tmp:
        tmp = Path(tmp)
        (tmp / "backend").mkdir()
        with DummyBackend(driver_python(), tmp / "backend") as backend, udp_namespace(tmp / "namespace") as url:
            os.environ.update(environment(backend.url, url))
            os.environ.pop("MPLBACKEND", None)
            nb = execute(nbformat.read(NOTEBOOK, as_version=4), tmp)
    nbformat.write(nb, NOTEBOOK)
    print(f"executed {NOTEBOOK.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
