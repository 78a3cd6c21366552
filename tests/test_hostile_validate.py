"""Hostile documents for ``validate`` (issue 20): slow patterns, repeated keys, numbers beyond
range, documents of millions of values. Each ends in bounded time (a subprocess with a timeout,
never a timed assertion) with a finding or one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_support import UDP, one_line_error

from efast_udp import document
from efast_udp.cli import main
from efast_udp.errors import UnreadableInput


def efast_udp(*argv, timeout=120) -> subprocess.CompletedProcess:
    """The command in its own process; a hang fails the test at ``timeout``."""
    return subprocess.run([sys.executable, "-m", "efast_udp", *argv], capture_output=True, text=True, timeout=timeout)


def with_parameter(tmp_path, schema, default, name="hostile.json"):
    doc = json.loads(UDP.read_text())
    doc["parameters"].append({"name": "hostile", "description": "A hostile schema.", "schema": schema,
                              "default": default, "optional": True})
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


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


@pytest.mark.parametrize("text, message", [
    ('{"a": 1, "a": 2}', "the key 'a' appears twice in the object at /"),
    ('{"process_graph": {"n": {"process_id": "x", "arguments": {"v": 1, "w": 0, "v": 2}}}}',
     "the key 'v' appears twice in the object at /process_graph/n/arguments"),
    ('{"x/y": [0, {"k~": 1, "k~": 1}]}', "the key 'k~' appears twice in the object at /x~1y/1"),
    ('{"a": 1e400}', "1e400 is beyond the range of a JSON number"),
    ('{"a": [-1E+999]}', "-1E+999 is beyond the range of a JSON number"),
    ('{"a": 1' + "0" * 400 + "}", "is beyond the range of a JSON number"),
    ('{"a": NaN}', "NaN is not a JSON number"),
    ('{"a": -Infinity}', "-Infinity is not a JSON number"),
])
def test_json_that_openeo_cannot_read_as_written_is_refused(tmp_path, capsys, text, message):
    path = tmp_path / "efast.json"
    path.write_text(text)
    for argv in (["validate", str(path)], ["diff", str(path), str(UDP)]):
        assert main(argv) == 2
        assert message in one_line_error(capsys, argv[0])


def test_the_largest_double_is_still_a_number():
    assert document.parse_json('{"a": 1.7976931348623157e308, "b": -5e-324}', "x") == \
        {"a": 1.7976931348623157e308, "b": -5e-324}


def test_millions_of_strings_are_refused_by_the_value_bound(tmp_path):
    path = tmp_path / "many.json"
    path.write_text("[" + ",".join(['"ab"'] * 1_500_000) + "]")  # 7.5 MB
    assert path.stat().st_size > 7_000_000
    done = efast_udp("validate", str(path), timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"efast-udp validate: error: {path} holds more than 50000 JSON values "
                                   "(objects, arrays, strings, numbers); refusing to read it")


def test_value_count():
    assert document.value_count([]) == 1
    assert document.value_count({"a": [1, 2, {"b": None}]}) == 6
    assert document.value_count(list(range(100)), stop_after=10) == 101
    with pytest.raises(UnreadableInput, match="more than 50000 JSON values"):
        document.parse_json(json.dumps([[0] * 1000] * 60), "x")
    released = json.loads(UDP.read_text())
    assert document.value_count(released) * 20 < document.MAX_VALUES  # room for a listing of 20 releases


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


def test_a_pattern_re_cannot_compile_is_a_schema_finding(tmp_path):
    """x{4294967295} made Python's re raise OverflowError, an internal error (exit 3) before."""
    path = with_parameter(tmp_path, {"type": "string", "pattern": "(?:x{4294967295})"}, "a")
    done = efast_udp("validate", str(path), timeout=60)
    assert done.returncode == 1, done.stderr
    assert "/schema/pattern: [schema] '(?:x{4294967295})' is not a 'regex'" in done.stdout


def test_unrolled_size_of_ordinary_patterns():
    from efast_udp.validation.patterns import unrolled_size

    assert unrolled_size(r"^\d{4}-\d{2}-\d{2}$") == 12
    assert unrolled_size(r"^[a-z]{1,63}\.[a-z]{1,63}$") == 129
    assert unrolled_size("(ab){2}c") == 5
    assert unrolled_size("[]{}]{5}") == 5  # braces inside a class are no repeat
    assert unrolled_size("a{100}" * 3) == 300  # repeats in a row add up, nested ones multiply


def test_run_arguments_are_matched_against_patterns_safely():
    """``run --param`` values and ``--set`` defaults are checked with arguments.schema_problem,
    which used jsonschema's own (backtracking) pattern keyword."""
    code = ("from efast_udp.arguments import schema_problem; "
            "print(schema_problem('a' * 40 + '!', {'type': 'string', 'pattern': '(a|a)+$'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("the pattern '(a|a)+$' takes longer than 0.5 s"), done.stderr
