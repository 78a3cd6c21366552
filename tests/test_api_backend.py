"""``create_efast_udp``'s output saved with the openeo client on openeo-driver's dummy back-end
(its own venv, a subprocess on 127.0.0.1): stored unchanged. (The dummy back-end's /validation
does not look up a user's own processes; calls by namespace URL are tested in test_site_backend.)"""

from __future__ import annotations

import json

import openeo
import pytest

import efast_udp
from e2e.servers import DummyBackend, driver_python
from efast_udp.project import LATEST_UDP


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with DummyBackend(driver_python(), tmp_path_factory.mktemp("backend")) as be:
        yield be


def test_save_user_defined_process_stores_the_released_definition(backend):
    connection = openeo.connect(backend.url, auto_validate=False, default_timeout=60, retry=False)
    connection.authenticate_basic("alice", "alice123")
    params, process_graph = efast_udp.create_efast_udp(connection)
    udp = connection.save_user_defined_process("efast", process_graph, parameters=params)
    stored = udp.describe()
    published = json.loads(LATEST_UDP.read_text())
    assert stored["parameters"] == published["parameters"], backend.log_tail()
    assert stored["process_graph"] == published["process_graph"]
    assert "efast" in [p["id"] for p in connection.list_user_defined_processes()]
