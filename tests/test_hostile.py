"""Hostile and plain wrong input: every case ends with exit 2 (or 1 for an invalid document), one
line on stderr, no traceback, nothing touched that the command did not make, nothing executed."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from efast_udp import document, project, settings
from efast_udp.cli import main
from efast_udp.errors import SettingsError
from efast_udp.project import ROOT
from efast_udp.validation import validate_udp

UDP = ROOT / "udp" / "efast.json"


def one_line_error(capsys, command: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and err.startswith(f"efast-udp {command}: error: "), err
    return err


def tree_state() -> tuple[str, str]:
    """git status and a digest of every file under udp/ and the project's top level."""
    status = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "-uall"], capture_output=True,
                            text=True, timeout=60).stdout
    digest = hashlib.sha256()
    for path in sorted(list((ROOT / "udp").rglob("*")) + list(ROOT.glob("*"))):
        if path.is_file():
            digest.update(path.as_posix().encode() + path.read_bytes())
    return status, digest.hexdigest()


# --- nothing is deleted or overwritten that the tool did not make --------------------------------

@pytest.mark.parametrize("out", [".", "udp", "udp/releases", "..", "generator", ".git", "/"])
def test_site_never_replaces_the_checkout_or_its_folders(out, capsys):
    before = tree_state()
    assert main(["site", "--out", str(ROOT / out) if out != "/" else "/"]) == 2
    assert "refusing to write there" in one_line_error(capsys, "site")
    assert tree_state() == before


def test_site_refuses_a_folder_with_other_files_a_file_and_a_checkout(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    (tmp_path / "a-file").write_text("keep me too")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "ran").mkdir()
    (tmp_path / "ran" / ".efast-udp").write_text('{"command": "run", "files": []}')
    for out, why in [("mine", "files efast-udp did not write"), ("a-file", "is a file"),
                     ("repo", "git checkout"), ("ran", "written by `efast-udp run`")]:
        assert main(["site", "--out", str(tmp_path / out)]) == 2
        assert why in one_line_error(capsys, "site")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "a-file").read_text() == "keep me too"


def test_site_replaces_its_own_output_and_an_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["site", "--out", str(tmp_path / "empty")]) == 0
    marker = json.loads((tmp_path / "empty" / ".efast-udp").read_text())
    assert marker["command"] == "site" and "efast.json" in marker["files"]
    assert main(["site", "--out", str(tmp_path / "empty")]) == 0  # its own: replaced
    mode = (tmp_path / "empty").stat().st_mode & 0o777
    assert mode == 0o755 and (tmp_path / "empty" / "efast.json").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("target", ["udp/releases/0.1.0/efast.json", "udp/efast.json", "pyproject.toml",
                                    "generator/efast_udp/constants.py", "README.md", "udp"])
def test_build_output_never_touches_tracked_or_released_files(target, capsys):
    before = tree_state()
    assert main(["build", "--until", "s3_composite", "-o", str(ROOT / target)]) == 2
    one_line_error(capsys, "build")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(ROOT / target)]) == 2
    one_line_error(capsys, "build")
    assert tree_state() == before


def test_build_output_to_an_existing_file_needs_force(tmp_path, capsys):
    out = tmp_path / "graph.json"
    out.write_text("mine")
    assert main(["build", "--until", "s3_composite", "-o", str(out)]) == 2
    assert "pass --force" in one_line_error(capsys, "build")
    assert out.read_text() == "mine"
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["process_graph"]["s3_composite"]["result"] is True


def test_build_refuses_options_that_need_an_output(capsys):
    assert main(["build", "--until", "s3_composite"]) == 2
    assert "need -o FILE" in one_line_error(capsys, "build")


# --- unreadable, oversized and deeply nested input --------------------------------------------

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


class _BigBody(http.server.BaseHTTPRequestHandler):
    """Answers every GET with an endless body and no Content-Length."""

    sent = 0

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        chunk = b" " * 65536
        try:
            while _BigBody.sent < 64 * 2**20:  # bounded for the test's sake: 64 MiB at most
                self.wfile.write(chunk)
                _BigBody.sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_oversized_url_body_is_cut_off(capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BigBody)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert main(["validate", f"http://127.0.0.1:{server.server_port}/efast.json"]) == 2
        assert "larger than 10 MiB" in one_line_error(capsys, "validate")
    finally:
        server.shutdown()
        server.server_close()
    assert _BigBody.sent < 20 * 2**20  # the reader stopped soon after the limit


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


# --- settings and options ---------------------------------------------------------------------

@pytest.mark.parametrize("project_doc, message", [
    ({"tool": {"efast-udp": {"base_ur": "https://x.org"}}}, "unknown setting 'base_ur'"),
    ({"tool": {"efast-udp": {"defaults": 5}}}, "defaults must be a table"),
    ({"tool": {"efast-udp": {"base_url": 5}}}, "base_url must be an https URL"),
    ({"tool": {"efast-udp": 5}}, "must be a table"),
    ({"tool": {"efast-udp": {"defaults": {"interval_days": 0}}}}, "interval_days"),
    ({"tool": {"efast-udp": {"defaults": {"fused_band_names": ["a", "a"]}}}}, "must be unique"),
])
def test_bad_settings_name_the_setting(project_doc, message):
    with pytest.raises(SettingsError, match=message):
        settings.Settings.load(project=project_doc)


def test_pyproject_syntax_error_is_one_line(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[project\nversion = 1\n")
    with pytest.raises(SettingsError, match="pyproject.toml is not valid TOML"):
        project.pyproject(path)
    path.write_text('[project]\nversion = 1\n')
    project.pyproject.cache_clear()


@pytest.mark.parametrize("argv, message", [
    (["serve", "--port", "99999"], "expected a port number from 1 to 65535"),
    (["serve", "--port", "-1"], "expected a port number"),
    (["serve", "--port", "abc"], "invalid int value"),
    (["site", "--changelog", "/nonexistent/CHANGELOG.md", "--out", "{tmp}/site"], "cannot read /nonexistent"),
    (["site", "--version", "banana"], "unrecognized arguments: --version banana"),
    (["build", "--set", "nope", "-o", "{tmp}/x.json"], "expected NAME=VALUE"),
    (["build", "--set", "fused_band_names=[\"a\",\"a\"]", "-o", "{tmp}/x.json"], "must be unique"),
    (["publish-backend", "--url", "http://example.org/openeo", "--udp", str(UDP)], "expected an https:// URL"),
    (["run", "--udp", str(UDP), "--data", "{tmp}", "--out", "{tmp}/file.txt"], "it is a file, not a directory"),
    (["run", "--udp", str(UDP), "--data", "{tmp}/file.txt", "--out", "{tmp}/out"], "--data"),
    (["demo", "--out", "{tmp}/file.txt"], "it is a file, not a directory"),
    (["bench", "--json", "{tmp}/file.txt", "--no-demo"], "the file exists"),
    (["bench", "--runs", "2"], "at least 5 rounds"),
])
def test_bad_options_give_one_line_and_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "file.txt").write_text("keep")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and message in err, err
    assert (tmp_path / "file.txt").read_text() == "keep"


def test_unexpected_failures_are_one_line_asking_for_a_report(capsys, monkeypatch):
    from efast_udp.commands import check

    def broken(args):
        raise RuntimeError("something nobody thought of")

    monkeypatch.setattr(check, "run", broken)
    assert main(["check"]) == 3
    err = one_line_error(capsys, "check")
    assert "internal error: RuntimeError: something nobody thought of" in err and "please report" in err
    assert main(["--debug", "check"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_help_is_fast_and_quiet():
    for command in ("run", "demo", "bench", "validate", "site"):
        result = subprocess.run([sys.executable, "-m", "efast_udp", command, "--help"], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0 and "usage:" in result.stdout and result.stderr == "", result.stderr


# --- the UDF lint: an allow-list of what a kernel may touch -------------------------------------

BYPASSES = {
    "os_system": "import os\nos.system('touch /tmp/pwned')\n",
    "subprocess": "import subprocess\nsubprocess.run(['true'])\n",
    "eval": "eval('1 + 1')\n",
    "open": "open('/tmp/pwned', 'w')\n",
    "getattr_builtins": "getattr(__builtins__, '__import__')('os')\n",
    "builtins_dict": "b = __builtins__\n",
    "dunder_attribute": "import numpy as np\nnp.__dict__\n",
    "subclasses": "().__class__.__bases__[0].__subclasses__()\n",
    "logging_dictconfig": "import logging.config\nlogging.config.dictConfig({'()': 'os.system'})\n",
    "logging_filehandler": "import logging\nlogging.FileHandler('/tmp/pwned')\n",
    "numpy_savetxt": "import numpy as np\nnp.savetxt('/tmp/pwned', [1])\n",
    "numpy_loadtxt": "import numpy as np\nnp.loadtxt('/etc/passwd')\n",
    "numpy_load_pickle": "import numpy as np\nnp.load('x.npy', allow_pickle=True)\n",
    "numpy_tofile": "import numpy as np\nnp.zeros(1).tofile('/tmp/pwned')\n",
    "pandas_read_csv": "import pandas\npandas.read_csv('/etc/passwd')\n",
    "pandas_to_csv": "import pandas\npandas.DataFrame().to_csv('/tmp/pwned')\n",
    "pandas_from_import": "from pandas import read_pickle\n",
    "xarray_open": "import xarray\nxarray.open_dataset('x.nc')\n",
    "xarray_to_netcdf": "def apply(cube):\n    cube.to_netcdf('/tmp/pwned')\n",
    "scipy_io": "from scipy import io\n",
    "scipy_io_module": "import scipy.io\n",
    "openeo_connect": "import openeo\nopeneo.connect('https://example.org')\n",
    "openeo_connection": "from openeo.rest.connection import Connection\n",
    "openeo_udf_runner": "from openeo.udf.run_code import run_udf_code\n",
    "openeo_udf_import_form": "import openeo.udf\nopeneo.connect('https://example.org')\n",
    "star_import": "from numpy import *\n",
    "importlib": "import importlib\n",
    "relative_import": "from . import secrets\n",
    "compile": "exec(compile('1', 'x', 'eval'))\n",
    "globals": "globals()['x'] = 1\n",
    "getattr_alias": "g = getattr\n",
    "pandas_eval": "import pandas\npandas.eval('1 + 1')\n",
    "typing_hints": "import typing\ntyping.get_type_hints(object)\n",
}


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_the_lint_catches_what_a_kernel_may_not_touch(name):
    doc = json.loads(UDP.read_text())
    node = doc["process_graph"]["s3_composite"]["arguments"]["process"]["process_graph"]["runudf1"]
    node["arguments"]["udf"] = BYPASSES[name] + node["arguments"]["udf"]
    findings = [f for f in validate_udp(doc) if f.code == "udf-lint"]
    assert findings, name
    assert all(f.pointer.endswith("/runudf1/arguments/udf") and "line" in f.found for f in findings)


def test_the_released_udfs_pass_the_lint():
    for path in sorted((ROOT / "udp" / "releases").glob("*/efast.json")):
        assert [f for f in validate_udp(json.loads(path.read_text())) if f.code == "udf-lint"] == [], path


# --- serving as GitHub Pages serves ------------------------------------------------------------

def test_serve_lists_no_directories_and_follows_no_links_out(tmp_path):
    import urllib.error
    import urllib.request

    from efast_udp.publish.serve import BackgroundServer

    site = tmp_path / "public"
    (site / "0.1.0").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (site / "0.1.0" / "efast.json").write_text("{}")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (site / "leak.txt").symlink_to(secret)
    (site / "outside").symlink_to(tmp_path)
    with BackgroundServer(site) as server:
        for path in ("0.1.0/", "leak.txt", "outside/secret.txt", "../secret.txt", "%2e%2e/secret.txt"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"{server.url}/{path}", timeout=10)
            assert caught.value.code == 404, path
        with urllib.request.urlopen(f"{server.url}/0.1.0/efast.json", timeout=10) as response:
            assert response.read() == b"{}"


def test_a_url_that_never_answers_times_out_with_one_line(capsys, monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    monkeypatch.setattr(document, "URL_TIMEOUT_S", 1)
    try:
        assert main(["validate", f"http://127.0.0.1:{listener.getsockname()[1]}/efast.json"]) == 2
    finally:
        listener.close()
    assert "cannot fetch" in one_line_error(capsys, "validate")


def test_demo_size_help_and_check_agree(capsys):
    from efast_udp.cli import build_parser

    parser = build_parser("demo")
    demo = next(a for a in parser._subparsers._group_actions if a.dest == "command").choices["demo"]
    help_text = " ".join(demo.format_help().split())
    assert "a multiple of 30 from 30 to 6000" in help_text
    for size in ("100", "0", "6030"):
        assert main(["demo", "--out", "/nonexistent-efast-demo", "--size", size, "--scene-only"]) == 2
        assert "expected a multiple of 30 from 30 to 6000" in one_line_error(capsys, "demo")


def test_help_imports_nothing_heavy():
    code = ("import sys\nfrom efast_udp.cli import main\n"
            "for c in ('run', 'demo', 'bench', 'build', 'validate', 'site', 'diff'):\n"
            "    assert main([c, '--help']) == 0\n"
            "print(sorted(m for m in ('numpy', 'xarray', 'dask', 'openeo', 'jsonschema', 'matplotlib') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
