"""The failures a command reports with one clear line instead of a traceback.

The classes say *what kind* of failure happened; ``efast_udp.cli`` maps each kind to an exit
code in one place (``exit_code``): 1 when the checked or run thing itself is wrong (an invalid
document, a changed release), 2 when the request is (bad usage, unreadable input, a refused
write, bad parameters).
"""

import difflib


class EfastUdpError(Exception):
    """A user-facing failure; ``str(exc)`` is one line that says what is wrong and where."""


class UsageError(EfastUdpError):
    """Bad command-line arguments or parameter values, or a write the tool refuses to make."""


class UnknownVersion(UsageError, ValueError):
    """A UDP version that was never released (the message names the released ones)."""


class SettingsError(UsageError):
    """A generator setting (pyproject ``[tool.efast-udp]``, environment or ``--set``) is invalid."""


class UnreadableInput(EfastUdpError):
    """A file or URL cannot be read or parsed: missing, too large, too deeply nested, not JSON."""


class NestedTooDeep(UnreadableInput):
    """JSON nested deeper than the reader accepts."""


class InvalidDocument(EfastUdpError):
    """A document was read but fails its checks (validation findings, not a process definition)."""


class ReleaseError(InvalidDocument):
    """A released, immutable file changed, or ``udp/`` is not what the generator renders."""


class IncompatibleClient(EfastUdpError):
    """The installed openeo client builds graphs the generator does not know (another version than
    the pinned one): the set-up is at fault, not the generator."""


class ExecutionError(EfastUdpError):
    """A local run failed inside a process or a UDF; the message names the cause."""


def did_you_mean(word: str, choices) -> str:
    """``" (did you mean 'run'?)"`` when one of ``choices`` is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
