"""openeo_cdse_local.allocator: glibc's malloc arenas capped at the threaded run's workers, the
user's MALLOC_ARENA_MAX left alone, nothing done where the C library is not glibc."""

import ctypes
import sys

import pytest

from openeo_cdse_local import allocator, schedulers


class FakeLibc:
    """A C library whose ``mallopt`` records its calls and answers ``answer``."""

    def __init__(self, answer: int = 1):
        self.calls = []
        libc = self

        class Mallopt:
            argtypes = restype = None

            def __call__(self, parameter, value):
                libc.calls.append((parameter, value))
                return answer

        self.mallopt = Mallopt()


@pytest.fixture(autouse=True)
def no_user_cap(monkeypatch):
    monkeypatch.delenv(allocator.ENVIRONMENT, raising=False)


@pytest.mark.parametrize("workers, cap", [(1, 2), (2, 2), (5, 5)])
def test_cap_is_the_workers_and_at_least_two(workers, cap):
    libc = FakeLibc()
    assert allocator.cap_arenas(workers, libc) == cap
    assert libc.calls == [(allocator.M_ARENA_MAX, cap)]
    assert libc.mallopt.argtypes == (ctypes.c_int, ctypes.c_int) and libc.mallopt.restype is ctypes.c_int


def test_the_users_malloc_arena_max_wins(monkeypatch):
    monkeypatch.setenv(allocator.ENVIRONMENT, "4")
    libc = FakeLibc()
    assert allocator.cap_arenas(2, libc) is None
    assert libc.calls == []


def test_a_refused_mallopt_is_no_cap():
    assert allocator.cap_arenas(2, FakeLibc(answer=0)) is None


def test_no_glibc_no_cap(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert allocator.glibc() is None
    assert allocator.cap_arenas(2) is None


def test_a_c_library_without_mallopt_is_not_glibc(monkeypatch):
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda name: object())
    assert allocator.glibc() is None


@pytest.mark.skipif(allocator.glibc() is None, reason="glibc only")
def test_glibc_takes_the_cap():
    assert allocator.M_ARENA_MAX == -8  # <malloc.h>
    assert allocator.cap_arenas(2) == 2


@pytest.mark.parametrize("name", ["threads", "processes"])
def test_the_executor_leaves_the_allocator_alone(monkeypatch, name):
    """The commands, which own their process, cap the arenas (efast_udp.commands.run.cap_allocator);
    a notebook calling the Python API keeps its allocator as it is."""
    calls = []
    monkeypatch.setattr(allocator, "cap_arenas", lambda *a, **k: calls.append(a))
    with schedulers.use(name, workers=3) as scheduler:
        assert scheduler.workers == 3
    assert calls == []
