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

from cli_support import CALL, UDP, one_line_error
from efast_udp import document, net, project, settings
from efast_udp.cli import main
from efast_udp.errors import SettingsError
from efast_udp.project import ROOT
from efast_udp.validation import validate_udp

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
    (["run", "--udp", str(UDP), "--data", "{tmp}", "--out", "{tmp}/file.txt", *CALL], "it is a file, not a directory"),
    (["run", "--udp", str(UDP), "--data", "{tmp}/file.txt", "--out", "{tmp}/out", *CALL], "--data"),
    (["run", "--udp", str(UDP), "--data", "{tmp}", "--out", "{tmp}/out", *CALL, "--dask-report", "{tmp}/file.txt"],
     "choose a new file"),
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
    # found in review: private internals and re-exported modules of the allowed libraries
    "typing_reexported_builtins": "import typing\ntyping.stdlib_re.enum.bltns.exec('import os')\n",
    "typing_forwardref_eval": "from typing import ForwardRef\nForwardRef('1')._evaluate({}, {}, frozenset())\n",
    "numpy_private_globals": "import numpy as np\nnp._globals.enum.bltns.exec('import os')\n",
    "numpy_private_open": "import numpy as np\nnp.lib._datasource._open('/tmp/pwned', 'w').write('x')\n",
    "operator_by_name": "import typing\ntyping.operator.methodcaller('system', 'id')\n",
    "xarray_pathlib": "import xarray as xr\nxr.core.utils.Path('/tmp/pwned').unlink()\n",
    "scipy_shutil": "import scipy\nscipy._lib._testutils.shutil.rmtree('/tmp/x')\n",
    "scipy_importlib": "import scipy\nscipy._importlib.import_module('subprocess')\n",
    "builtins_getattr_attribute": "import numpy as np\nb = np.ma.core.inspect.builtins\nb.getattr(b, '_' + '_import_' + '_')('os')\n",
    "format_string_walk": "import numpy as np\n'{0.__globals__[os].environ}'.format(np.sum)\n",
    "format_without_dunder_text": "import numpy as np\nt = '{0.' + '_' * 2 + 'globals' + '_' * 2 + '}'\nt.format(np.sum)\n",
    "pandas_pickle": "import pandas\npandas.compat.pickle_compat.pkl.loads(b'')\n",
    "pandas_private_socket": "import pandas\npandas._testing.pa.util.socket.socket()\n",
    "numpy_inspect": "import numpy\nnumpy.ma.core.inspect.stack()\n",
    "decorator_builtins": "import numpy as np\n@np.ma.core.inspect.builtins.exec\ndef f():\n    pass\n",
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
            assert caught.value.code == (400 if ".." in path or "%2e%2e" in path else 404), path
        with urllib.request.urlopen(f"{server.url}/0.1.0/efast.json", timeout=10) as response:
            assert response.read() == b"{}"


def test_a_url_that_never_answers_times_out_with_one_line(capsys, monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    monkeypatch.setattr(net, "TIMEOUT_S", 1)
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


# --- found in review ---------------------------------------------------------------------------

def test_a_rerun_with_a_bad_option_leaves_the_previous_outputs_alone(small_scene, small_data, tmp_path, capsys):
    out = tmp_path / "out"
    call = ["run", "--udp", str(UDP), "--data", str(small_data), "--out", str(out), "--quiet", "--no-quicklooks",
            "--no-geotiff", "--param", f"spatial_extent={json.dumps(small_scene.spatial_extent)}",
            "--param", f"temporal_extent={json.dumps(small_scene.temporal_extent)}"]
    assert main(call) == 0
    capsys.readouterr()  # the summary line of the good run (stderr)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for bad in (["--param", "interval_days=-3"], ["--scheduler", "bogus"], ["--workers", "0"], ["--chunk-px", "0"],
                ["--scheduler", "distributed", "--memory-limit", "banana"], ["--param", "interval_days=1e400"]):
        assert main(call + bad) == 2, bad
        one_line_error(capsys, "run")
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before, bad
    assert main(call[:6] + [str(tmp_path / "new")] + call[7:] + ["--param", "interval_days=-3"]) == 2
    assert not (tmp_path / "new").exists()


def test_site_refuses_to_replace_its_folder_when_someone_added_a_file(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["site", "--out", str(site)]) == 0
    capsys.readouterr()
    (site / "mynotes.txt").write_text("precious")
    assert main(["site", "--out", str(site)]) == 2
    assert "did not write (mynotes.txt)" in one_line_error(capsys, "site")
    assert (site / "mynotes.txt").read_text() == "precious"


def test_a_symbolic_link_in_an_own_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "scene"
    assert main(["demo", "--scene-only", "--size", "30", "--out", str(out), "--quiet"]) == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / "parameters.json").unlink()
    (out / "parameters.json").symlink_to(victim)
    assert main(["demo", "--scene-only", "--size", "30", "--out", str(out), "--quiet"]) == 2
    assert "symbolic link (parameters.json)" in one_line_error(capsys, "demo")
    assert victim.read_text() == "keep"


def test_files_that_git_cannot_vouch_for_are_not_overwritten(tmp_path, monkeypatch, capsys):
    from efast_udp import git

    monkeypatch.setattr(git, "git", lambda *a, **k: None)  # git missing, or refusing the repository
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(ROOT / "Makefile")]) == 2
    assert "git cannot say whether the checkout tracks it" in one_line_error(capsys, "build")
    out = tmp_path / "x.json"  # outside any checkout: git is not needed
    out.write_text("mine")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(out)]) == 0


@pytest.mark.parametrize("target, why", [("file.txt/sub.json", "is a file, not a directory"), ("fifo", "not a regular file"),
                                         ("link.json", "not a regular file")])
def test_build_output_must_be_a_regular_file_under_folders(tmp_path, capsys, target, why):
    (tmp_path / "file.txt").write_text("keep")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link.json").symlink_to(tmp_path / "file.txt")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(tmp_path / target)]) == 2
    assert why in one_line_error(capsys, "build")
    assert (tmp_path / "file.txt").read_text() == "keep"


def test_a_refused_build_creates_no_folders(tmp_path, capsys):
    assert main(["build", "--set", "no_such=1", "-o", str(tmp_path / "a" / "b.json")]) == 2
    one_line_error(capsys, "build")
    assert not (tmp_path / "a").exists()


def test_a_new_output_file_is_created_exclusively(tmp_path):
    from efast_udp.errors import UsageError
    from efast_udp.outputs import new_file

    target = new_file(tmp_path / "bench.json", "--json")
    (tmp_path / "bench.json").write_text("appeared meanwhile")
    with pytest.raises(UsageError, match="appeared while the command ran"):
        target.write_text("{}")
    assert (tmp_path / "bench.json").read_text() == "appeared meanwhile"


@pytest.mark.parametrize("text, message", [
    ('{"id": ' + "9" * 5000 + "}", "not valid JSON"),
    ('{"id": "\\udfff"}', "unpaired UTF-16 surrogate"),
    ('{"id": NaN}', "NaN is not a JSON number"),
    ('{"id": Infinity}', "Infinity is not a JSON number"),
])
def test_json_that_is_not_json_is_one_line(tmp_path, capsys, text, message):
    path = tmp_path / "efast.json"
    path.write_text(text)
    for argv in (["validate", str(path)], ["validate", "--json", str(path)], ["diff", str(path), str(path)]):
        assert main(argv) == 2
        assert message in one_line_error(capsys, argv[0])


class _Drip(http.server.BaseHTTPRequestHandler):
    """Sends a promised body one byte at a time, each just before the socket timeout."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                import time
                time.sleep(0.3)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_a_slow_body_stops_at_the_deadline(capsys, monkeypatch):
    import time

    monkeypatch.setattr(net, "DEADLINE_S", 2)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.monotonic()
        assert main(["validate", f"http://127.0.0.1:{server.server_port}/efast.json"]) == 2
        assert time.monotonic() - start < 10
    finally:
        server.shutdown()
        server.server_close()
    assert "no complete answer within 2 s" in one_line_error(capsys, "validate")


def test_an_oversized_release_file_is_not_read(tmp_path, capsys):
    import shutil

    shutil.copytree(ROOT / "udp", tmp_path / "udp")
    with (tmp_path / "udp" / "releases" / "0.1.0" / "efast.json").open("r+b") as f:
        f.truncate(document.MAX_BYTES + 1)
    assert main(["site", "--udp-dir", str(tmp_path / "udp"), "--out", str(tmp_path / "site")]) == 2
    assert "larger than 10 MiB" in one_line_error(capsys, "site")


def test_run_refuses_processes_it_does_not_run_and_collection_paths(small_data, tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    arguments = doc["process_graph"]["s2_input"]["arguments"]  # a valid UDP that would reach the network
    doc["process_graph"]["s2_input"]["process_id"] = "load_stac"
    arguments["url"] = "http://127.0.0.1:9/catalog.json"
    del arguments["id"], arguments["featureflags"]
    (tmp_path / "stac.json").write_text(json.dumps(doc))
    argv = ["run", "--udp", str(tmp_path / "stac.json"), "--data", str(small_data), "--out", str(tmp_path / "o"), *CALL]
    assert main(argv) == 2
    assert "node 's2_input' uses process 'load_stac', which the local executor does not run" in one_line_error(capsys, "run")
    assert not (tmp_path / "o").exists()
    from openeo_cdse_local.data import collection_path
    from openeo_cdse_local.errors import InvalidData

    with pytest.raises(InvalidData, match="not a plain name"):
        collection_path(small_data, "../../etc/passwd")


@pytest.mark.parametrize("argv, message", [
    (["publish-backend", "--url", "https://[::1", "--udp", str(UDP)], "not a URL"),
    (["serve", "--host", "::1", "--dir", str(ROOT)], "only the loopback interface"),
])
def test_malformed_addresses_are_one_line(capsys, argv, message):
    assert main(argv) == 2
    assert message in one_line_error(capsys, argv[0])


def test_catalogue_names_and_listing_ids(tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    for name in ("efast.txt", "efast"):
        (tmp_path / name).write_text(json.dumps(doc))
        assert main(["validate", "--catalogue", str(tmp_path / name)]) == 1
        assert "[id-mismatch]" in capsys.readouterr().out
    (tmp_path / "processes.json").write_text(json.dumps({"processes": [doc, doc], "links": []}))
    assert main(["validate", str(tmp_path / "processes.json")]) == 1
    assert "defines process 'efast' twice" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["build", "-o", "/proc/efast-udp-test.json"],
    ["build", "-o", "/tmp/" + "b" * 300 + ".json"],
    ["demo", "--scene-only", "--size", "60", "--out", "/proc/efast-udp-test"],
    ["site", "--out", "/proc/efast-udp-test"],
    ["validate", "/tmp/" + "a" * 300],
])
def test_paths_the_system_refuses_are_one_line_not_an_internal_error(argv, capsys):
    """/proc, /sys and names over 255 bytes: the file system says no; that is a bad request
    (exit 2, one line), not a bug (exit 3)."""
    assert main(argv) == 2
    err = one_line_error(capsys, argv[0])
    assert "internal error" not in err


def test_a_run_that_fails_while_writing_leaves_no_partial_output(small_scene, small_data, tmp_path, capsys,
                                                                   monkeypatch):
    """A full disk while the GeoTIFFs are made: one line, exit 2, and the NetCDF written before
    it is removed again (it would look like a result)."""
    import errno
    import os

    from openeo_cdse_local import geotiff_writer

    def no_space(self):  # as close does when the COG conversion fails: the temporary files go, the error stays
        self.abort()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.paths[0]))

    monkeypatch.setattr(geotiff_writer.GeoTIFFWriter, "close", no_space)
    from run_support import argv

    out = tmp_path / "o"
    assert main(argv(small_scene, small_data, out, "--no-quicklooks")) == 2
    assert "No space left on device" in one_line_error(capsys, "run")
    assert not [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".efast-udp")]
