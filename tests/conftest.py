import errno
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ci import in_ci  # noqa: E402
from efast_udp import net  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI nothing may be skipped: a skip there means a check silently did not run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI, which must run every test: {reason}"


def is_loopback(host) -> bool:
    """A loopback address by the product's own rule (``efast_udp.net.is_loopback``), or the name
    ``localhost``, by which some tests reach their servers on this machine."""
    return isinstance(host, str) and (host.lower() in ("localhost", "localhost.localdomain") or net.is_loopback(host))


def pytest_configure(config):
    """Tests and the servers they start use loopback only: a name lookup or a connection beyond
    it fails at once, as on a machine without network (a test whose stand-in is bypassed would
    otherwise wait for a real server, or reach one)."""
    real_getaddrinfo, real_connect, real_connect_ex = socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not is_loopback(host.decode() if isinstance(host, bytes) else host):
            raise socket.gaierror(socket.EAI_NONAME, f"the tests use loopback only, not {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def refused(sock, address) -> bool:
        return sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0])

    def connect(sock, address):
        if refused(sock, address):
            raise OSError(errno.ENETUNREACH, f"the tests use loopback only, not {address[0]!r}")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        return errno.ENETUNREACH if refused(sock, address) else real_connect_ex(sock, address)

    socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = getaddrinfo, connect, connect_ex


#: The small demo scene the local-run tests share: 60 x 60 px, 30 days, a 10-day S2 gap.
SMALL_SCENE = dict(size_px=60, n_days=30, gap_days=(10, 15), green_up_day=13.0, s3_cloudy_days=(2, 9, 20))


@pytest.fixture(scope="session")
def small_scene():
    from efast_udp.demo.scene import SceneConfig, make_scene

    return make_scene(SceneConfig(**SMALL_SCENE))


@pytest.fixture(scope="session")
def small_data(small_scene, tmp_path_factory):
    """The small scene's collections, written once for the session."""
    path = tmp_path_factory.mktemp("small-data")
    small_scene.write(path)
    return path


@pytest.fixture(scope="session")
def run_out(small_scene, small_data, tmp_path_factory):
    """``efast-udp run`` on the small scene without quicklooks (``outputs_support.argv``), once
    per session (per worker) for the modules that read its outputs; never written to (a test that
    reruns or tampers works on ``outputs_support.copy_of``). ``local/test_runner.py`` and
    ``test_api.py`` have runs of their own under the same name."""
    from efast_udp.cli import main
    from outputs_support import argv

    out = tmp_path_factory.mktemp("outputs") / "out"
    assert main(argv(small_data, out, small_scene, "--no-quicklooks")) == 0
    return out
