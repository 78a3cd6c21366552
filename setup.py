"""Build hook: the released UDP files (udp/releases/) become package data of efast_udp.

Everything else about the package is in pyproject.toml. ``efast_udp.load_udp`` and
``create_efast_udp`` read ``efast_udp/udp_releases/<version>/efast.json`` in an installed wheel;
an editable install reads the checkout's ``udp/releases/`` directly, so nothing is copied then.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RELEASES = Path(__file__).resolve().parent / "udp" / "releases"


class BuildWithReleases(build_py):
    """``build_py`` that also copies ``udp/releases/<version>/efast.json`` and ``SHA256SUMS``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "efast_udp" / "udp_releases"
        files = sorted(RELEASES.glob("*/efast.json")) + sorted(RELEASES.glob("SHA256SUMS"))
        if not files:
            raise SystemExit(f"no release files in {RELEASES}: build the wheel from a checkout or an sdist")
        for source in files:
            destination = target / source.relative_to(RELEASES)
            destination.parent.mkdir(parents=True, exist_ok=True)
            self.copy_file(str(source), str(destination))


setup(cmdclass={"build_py": BuildWithReleases})
