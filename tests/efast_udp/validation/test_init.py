"""efast_udp.validation: importing the package stays cheap (jsonschema loads on the first
check)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_api_does_not_load_jsonschema():
    """The generator imports efast_udp.validation on every build; the heavy part loads lazily."""
    code = "import sys, efast_udp.validation; print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
