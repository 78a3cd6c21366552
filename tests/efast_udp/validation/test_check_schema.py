"""efast_udp.validation.check_schema: a pattern that Python's re cannot compile is a schema
finding, not an internal error."""

from __future__ import annotations

from cli_support import efast_udp
from validation_support import with_parameter


def test_a_pattern_re_cannot_compile_is_a_schema_finding(tmp_path):
    """x{4294967295} made Python's re raise OverflowError, an internal error (exit 3) before."""
    path = with_parameter(tmp_path, {"type": "string", "pattern": "(?:x{4294967295})"}, "a")
    done = efast_udp("validate", str(path), timeout=60)
    assert done.returncode == 1, done.stderr
    assert "/schema/pattern: [schema] '(?:x{4294967295})' is not a 'regex'" in done.stdout
