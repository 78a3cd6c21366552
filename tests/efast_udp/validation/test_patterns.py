"""efast_udp.validation.patterns (issue 20): schema patterns are matched safely: a slow
pattern ends in bounded time with a finding that names it (a subprocess with a timeout, never
a timed assertion), and one too large to compile is refused without compiling."""

from __future__ import annotations

import pytest

from cli_support import efast_udp
from validation_support import with_parameter


@pytest.mark.parametrize("schema, default", [
    ({"type": "string", "pattern": "(a+)+$"}, "a" * 40 + "!"),
    ({"type": "string", "pattern": "(a|a)+$"}, "a" * 40 + "!"),
    ({"type": "string", "pattern": "(a|aa)+$"}, "a" * 40 + "!"),
    ({"type": "object", "patternProperties": {"(a|a)+$": {}}}, {"a" * 40 + "!": 1}),
    ({"type": "object", "patternProperties": {"(a|a)+$": {}}, "additionalProperties": False}, {"a" * 40 + "!": 1}),
])
def test_a_catastrophic_pattern_ends(tmp_path, schema, default):
    done = efast_udp("validate", str(with_parameter(tmp_path, schema, default)), timeout=60)
    assert done.returncode == 1, done.stderr
    assert "[invalid-default] the default of parameter 'hostile' does not match its schema" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_slow_pattern_names_itself():
    from efast_udp.validation.values import value_error

    _, message = value_error("a" * 40 + "!", {"type": "string", "pattern": "(a|a)+$"})
    assert message.startswith("the pattern '(a|a)+$' takes longer than 0.5 s")
    assert value_error("abc", {"type": "string", "pattern": "^a.c$"}) is None
    assert "does not match" in value_error("abd", {"type": "string", "pattern": "^a.c$"})[1]


@pytest.mark.parametrize("pattern, message", [
    ("((((a{100}){100}){100}){100})", "has more than 100000 atoms once its {n} repeats are written out"),
    ("(a{1000}){1000}", "has more than 100000 atoms"),
    ("x" * 20_000, "is longer than 10000 characters"),
])
def test_a_pattern_too_large_to_compile_is_refused_without_compiling(tmp_path, pattern, message):
    """The first one alone made the regex engine take gigabytes (killed) while compiling."""
    done = efast_udp("validate", str(with_parameter(tmp_path, {"type": "string", "pattern": pattern}, "aaa")),
                     timeout=60)
    assert done.returncode == 1 and message in done.stdout, done.stdout + done.stderr


def test_unrolled_size_of_ordinary_patterns():
    from efast_udp.validation.patterns import unrolled_size

    assert unrolled_size(r"^\d{4}-\d{2}-\d{2}$") == 12
    assert unrolled_size(r"^[a-z]{1,63}\.[a-z]{1,63}$") == 129
    assert unrolled_size("(ab){2}c") == 5
    assert unrolled_size("[]{}]{5}") == 5  # braces inside a class are no repeat
    assert unrolled_size("a{100}" * 3) == 300  # repeats in a row add up, nested ones multiply
