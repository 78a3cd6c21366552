"""The C allocator under a threaded run: glibc's malloc arenas capped at the worker threads.

glibc gives a thread that finds the heap busy an arena of its own, up to 8 per core (16 on two
cores). The worker threads of a run allocate and free window-sized arrays, and memory freed in
one arena is not reused by another, so each arena keeps its own high-water mark. Capped at the
number of worker threads, the default run's peak RSS measured on the 2-core machine
(alternate runs on the same scenes, wall times within the noise):

- 300 px demo scene: 902–975 MiB with glibc's default, 823–893 MiB capped (three runs each);
- 1200 px demo scene: 1429–1482 MiB with the default, 1249–1282 MiB capped (two runs each).

The setting holds for the rest of the process, so the commands that own their process set it
(``efast-udp run`` and ``demo``: ``efast_udp.commands.run.cap_allocator``), not the executor: a
notebook calling the Python API keeps its allocator as it is. A user who sets
``MALLOC_ARENA_MAX`` chose a cap before the process started: that one stays.
Other C libraries (musl, macOS) have no arenas to cap; nothing is done there.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: ``<malloc.h>``: the ``mallopt`` parameter that bounds the number of arenas
M_ARENA_MAX = -8
#: the environment variable by which glibc takes a cap from the user
ENVIRONMENT = "MALLOC_ARENA_MAX"
#: fewest arenas: the main thread's and one the workers share
MIN_ARENAS = 2


def glibc():
    """This process's C library when it is glibc (it has ``mallopt``), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return None
    return libc


def cap_arenas(workers: int, libc=None) -> int | None:
    """Let glibc create at most ``max(MIN_ARENAS, workers)`` malloc arenas from now on; returns
    the cap, or None when nothing was capped (``MALLOC_ARENA_MAX`` set, not glibc, or refused)."""
    if os.environ.get(ENVIRONMENT):
        return None
    libc = glibc() if libc is None else libc
    if libc is None:
        return None
    cap = max(MIN_ARENAS, int(workers))
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return cap if mallopt(M_ARENA_MAX, cap) == 1 else None
