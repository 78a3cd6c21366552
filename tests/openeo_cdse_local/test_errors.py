"""The kinds of failure of a local run: one base class, request errors (``InvalidData``,
``Unsupported``) apart from computation errors (``ProcessFailure`` and its ``UdfError`` and
``OverlapResolverMissing``), each message one line as given; the module imports only the standard library."""

import ast
import sys
from pathlib import Path

import pytest

from openeo_cdse_local import errors
from openeo_cdse_local.errors import (ExecutorError, InvalidData, OverlapResolverMissing, ProcessFailure, UdfError,
                                      Unsupported)

KINDS = (InvalidData, Unsupported, ProcessFailure, UdfError, OverlapResolverMissing)
#: what a caller's ``except`` of each kind catches
CAUGHT_BY = {
    InvalidData: {InvalidData},
    Unsupported: {Unsupported},
    ProcessFailure: {ProcessFailure, UdfError, OverlapResolverMissing},
    UdfError: {UdfError},
    OverlapResolverMissing: {OverlapResolverMissing},
}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_is_an_executor_error_and_no_builtin_one(kind):
    assert issubclass(kind, ExecutorError)
    assert not issubclass(kind, (ValueError, OSError, RuntimeError))  # such handlers catch none of them


def test_the_base_class_derives_from_exception_only():
    assert ExecutorError.__bases__ == (Exception,)


@pytest.mark.parametrize("handler", KINDS, ids=lambda k: k.__name__)
def test_a_handler_of_one_kind_catches_exactly_its_family(handler):
    caught = set()
    for kind in KINDS:
        try:
            raise kind("x")
        except handler:
            caught.add(kind)
        except ExecutorError:
            pass
    assert caught == CAUGHT_BY[handler]


def test_the_request_errors_are_not_computation_errors():
    """``efast-udp run`` maps the two families to different exit codes."""
    for kind in (InvalidData, Unsupported):
        assert not issubclass(kind, ProcessFailure)
    assert not issubclass(InvalidData, Unsupported) and not issubclass(Unsupported, InvalidData)


def test_the_message_is_the_one_given():
    error = UdfError("apply_metadata: no bands here")
    assert str(error) == "apply_metadata: no bands here" and error.args == ("apply_metadata: no bands here",)
    with pytest.raises(ProcessFailure, match=r"^merge_cubes: the cubes overlap$"):
        raise OverlapResolverMissing("merge_cubes: the cubes overlap")


def test_the_module_imports_nothing_beyond_the_standard_library():
    """``session`` raises ``Unsupported`` and must stay light for a command line's start."""
    tree = ast.parse(Path(errors.__file__).read_text("utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in imported if name} <= set(sys.stdlib_module_names) | {"__future__"}
