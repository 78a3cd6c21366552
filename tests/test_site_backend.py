"""End to end with the real openEO back-end driver: openeo-driver's dummy back-end (own venv, as a
subprocess on 127.0.0.1, with SENTINEL2_L2A and SENTINEL3_SYN_L2_SYN registered) loads the UDP by URL
from the static site served on 127.0.0.1, driven through the openeo Python client."""

from __future__ import annotations

import json

import openeo
import pytest

from e2e.servers import DummyBackend, driver_python, free_port, site_for_tests
from efast_udp.cli import main
from efast_udp.publish.serve import BackgroundServer


@pytest.fixture(scope="module")
def static(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("static")
    site = site_for_tests(tmp)
    with BackgroundServer(tmp / "public") as server:
        server.site = site  # type: ignore[attr-defined]
        server.public = tmp / "public"  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    python = driver_python()
    with DummyBackend(python, tmp_path_factory.mktemp("backend")) as be:
        yield be


@pytest.fixture(scope="module")
def connection(backend):
    return openeo.connect(backend.url, auto_validate=False, default_timeout=60, retry=False)


def namespaces(static) -> dict[str, str]:
    v = static.site.latest.version
    return {
        "single-latest": f"{static.url}/efast.json",
        "listing-latest": f"{static.url}/processes.json",
        "single-pinned": f"{static.url}/{v}/efast.json",
        "listing-pinned": f"{static.url}/{v}/processes.json",
    }


KINDS = ["single-latest", "listing-latest", "single-pinned", "listing-pinned"]


def example_arguments(static) -> dict:
    doc = static.site.latest.doc
    args = doc["examples"][0]["arguments"]
    assert "temporal_extent" in args and "spatial_extent" in args
    return dict(args)


def validate(connection, process_id: str, namespace: str, arguments: dict) -> list[dict]:
    cube = connection.datacube_from_process(process_id, namespace=namespace, **arguments)
    return list(cube.validate())


def codes(errors: list[dict]) -> list[str]:
    return [e.get("code") for e in errors]


@pytest.mark.parametrize("kind", KINDS)
def test_example_call_validates(connection, static, backend, kind):
    errors = validate(connection, "efast", namespaces(static)[kind], example_arguments(static))
    assert errors == [], f"{kind}: {errors}\n--- back-end log ---\n{backend.log_tail()}"


@pytest.mark.parametrize("kind", KINDS)
def test_missing_temporal_extent_is_rejected(connection, static, kind):
    args = example_arguments(static)
    del args["temporal_extent"]
    errors = validate(connection, "efast", namespaces(static)[kind], args)
    assert codes(errors) == ["ProcessParameterRequired"], errors
    assert "temporal_extent" in errors[0]["message"]


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_process_id_is_rejected(connection, static, kind):
    errors = validate(connection, "efast_typo", namespaces(static)[kind], example_arguments(static))
    expected = "ProcessIdMismatch" if kind.startswith("single") else "ProcessNotFound"
    assert codes(errors) == [expected], errors


@pytest.mark.parametrize("where", ["closed-port", "missing-file"])
def test_unreachable_namespace_is_rejected(connection, static, where):
    url = f"http://127.0.0.1:{free_port()}/efast.json" if where == "closed-port" else f"{static.url}/0.0.0/efast.json"
    errors = validate(connection, "efast", url, example_arguments(static))
    assert codes(errors) == ["ProcessNamespaceInvalid"], errors


def test_publish_backend_stores_the_udp_unchanged(backend, static, tmp_path, monkeypatch, capsys):
    """``efast-udp publish-backend`` with basic auth from the openeo client's auth config."""
    from openeo.rest.auth.config import AuthConfig

    config_home = tmp_path / "openeo-config"
    config_home.mkdir()
    monkeypatch.setenv("OPENEO_CONFIG_HOME", str(config_home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    AuthConfig().set_basic_auth(backend=backend.url, username="alice", password="alice123")

    udp_file = static.public / "efast.json"
    assert main(["publish-backend", "--url", backend.url, "--udp", str(udp_file), "--auth", "basic", "--retries", "0"]) == 0
    assert "saved 'efast'" in capsys.readouterr().err

    con = openeo.connect(backend.url, auto_validate=False, retry=False).authenticate_basic("alice", "alice123")
    stored = con.get("/process_graphs/efast", expected_status=200).json()
    sent = json.loads(udp_file.read_text())
    # everything the back-end returns is exactly what was sent (it keeps no categories/examples/job options)
    for key, value in stored.items():
        assert value == sent[key], key
    for key in ("id", "summary", "description", "parameters", "returns", "links", "process_graph"):
        if key in sent:
            assert stored.get(key) == sent[key], key
    assert stored["process_graph"] == sent["process_graph"]
    listed = con.get("/process_graphs", expected_status=200).json()["processes"]
    assert [p["id"] for p in listed] == ["efast"]


def test_publish_backend_wrong_password_is_one_line(backend, static, tmp_path, monkeypatch, capsys):
    from openeo.rest.auth.config import AuthConfig

    monkeypatch.setenv("OPENEO_CONFIG_HOME", str(tmp_path))
    AuthConfig().set_basic_auth(backend=backend.url, username="alice", password="wrong")
    rc = main(["publish-backend", "--url", backend.url, "--udp", str(static.public / "efast.json"), "--auth", "basic",
               "--retries", "0"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("efast-udp publish-backend: error:") and len(err.splitlines()) == 1


@pytest.mark.parametrize("extent", [["2022-08-07", "2022-10-27"], ["2022-08-07T00:00:00Z", "2022-10-27T00:00:00Z"]])
def test_the_temporal_forms_the_udp_accepts_pass_the_drivers_dry_run(connection, static, backend, extent):
    args = dict(example_arguments(static), temporal_extent=extent)
    if "T" in extent[0]:
        args.pop("temporal_extent_target", None)  # dates; a date-time extent takes targets from itself
    errors = validate(connection, "efast", namespaces(static)["single-pinned"], args)
    assert errors == [], f"{extent}: {errors}\n--- back-end log ---\n{backend.log_tail()}"


@pytest.mark.parametrize("extent", [["2022-08-07T00:00:00+02:00", "2022-10-27T00:00:00+02:00"],
                                    ["2022-08-07", "2022-10-27T00:00:00Z"]])
def test_the_forms_the_udp_refuses_fail_in_the_driver_itself(connection, static, extent):
    """Why the schemas allow only two forms: the driver's own temporal-extent parsing fails on an
    offset and on a mixed interval (the UDP's schemas are not checked on CDSE)."""
    args = dict(example_arguments(static), temporal_extent=extent)
    errors = validate(connection, "efast", namespaces(static)["single-pinned"], args)
    assert errors, f"{extent}: the driver accepted it"


@pytest.mark.parametrize("call", ["minimal", "ndvi", "target_time_series"])
def test_minimal_ndvi_and_target_series_calls_pass_the_drivers_dry_run(connection, static, backend, call):
    args = example_arguments(static)
    if call == "minimal":
        args = {"spatial_extent": args["spatial_extent"], "temporal_extent": args["temporal_extent"]}
    elif call == "ndvi":
        args["output_ndvi"] = True
    else:
        args.pop("temporal_extent_target", None)
        args["target_time_series"] = ["2022-09-10", "2022-09-20T10:00:00Z"]
    errors = validate(connection, "efast", namespaces(static)["single-pinned"], args)
    assert errors == [], f"{call}: {errors}\n--- back-end log ---\n{backend.log_tail()}"
