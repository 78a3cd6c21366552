"""Check 2: every node runs a process the back-end knows: one of the pinned openEO process
specifications or one declared in the back-end profile."""

from __future__ import annotations

import difflib
from typing import Iterator

from efast_udp.validation import resources
from efast_udp.validation.context import Context
from efast_udp.pointers import join
from efast_udp.validation.findings import Finding, show

#: Namespaces that mean "a predefined process of the back-end".
_PREDEFINED_NAMESPACES = (None, "backend")


def did_you_mean(word: str, choices) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_process_exists(ctx: Context) -> Iterator[Finding]:
    """An unknown process id fails the whole job on the back-end, after it was queued."""
    version = resources.profile()["processes_version"]
    for node in ctx.nodes():
        pid = node.process_id
        if pid is None or resources.process_spec(pid) is not None:
            continue
        yield Finding(
            code="unknown-process",
            pointer=join(node.pointer, "process_id"),
            found=show(pid),
            expected=f"a process of openEO processes {version} or of the back-end profile",
            message=f"node '{node.id}' uses process '{pid}', which the openEO process specifications "
                    f"{version} and the back-end profile do not define"
                    + did_you_mean(pid, resources.known_process_ids()),
        )


def check_namespace(ctx: Context) -> Iterator[Finding]:
    """A node from another namespace (a user's or a URL's process) cannot be checked here and
    makes the UDP depend on something outside this repository."""
    for node in ctx.nodes():
        namespace = node.data.get("namespace")
        if namespace in _PREDEFINED_NAMESPACES:
            continue
        yield Finding(
            code="namespace",
            pointer=join(node.pointer, "namespace"),
            found=show(namespace),
            expected="null or 'backend' (a predefined process)",
            message=f"node '{node.id}' takes process '{node.process_id}' from namespace {show(namespace)}, "
                    "which is not a predefined process of the back-end",
        )


CHECKS = [check_process_exists, check_namespace]
