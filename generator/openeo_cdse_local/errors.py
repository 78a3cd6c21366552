"""What can go wrong in a local run, by kind; ``str(exc)`` is one line naming the cause.

A caller (``efast-udp run``) maps the kinds to its exit codes: ``InvalidData`` and
``Unsupported`` are about the request (bad files, a graph this executor does not run),
``ProcessFailure`` and ``UdfError`` about the computation.
"""


class ExecutorError(Exception):
    """Base class: a failure of a local run, with a one-line message."""


class InvalidData(ExecutorError):
    """A local collection file breaks a rule the computation relies on (grid, labels, units...)."""


class Unsupported(ExecutorError):
    """A process, argument or method that this executor does not run (it says which)."""


class ProcessFailure(ExecutorError):
    """A process could not compute its result from valid input (the message says why)."""


class UdfError(ProcessFailure):
    """A UDF raised an exception (typically a bad UDP parameter); the message is the UDF's."""


class OverlapResolverMissing(ProcessFailure):
    """``merge_cubes`` of overlapping cubes without an ``overlap_resolver`` (openEO's error name)."""
