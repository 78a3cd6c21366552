"""What a release review sees: the structured changes between two process definitions.

Every change is located by a path a reviewer can follow in the JSON: a JSON-pointer-like path
inside the changed thing (``/arguments/context/scale``), and for graph nodes a node path through
callbacks (``fused/process/runudf1``: node ``runudf1`` of the callback in argument ``process`` of
node ``fused``). Old and new values are kept whole; shortening them is the formatter's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar

from efast_udp.review.textdiff import line_counts, split_lines
from efast_udp.pointers import MISSING

Item = TypeVar("Item")
Changed = TypeVar("Changed")


@dataclass(frozen=True)
class Change:
    """One value that differs at ``path``; ``old``/``new`` is ``MISSING`` where there is none."""

    path: str
    old: object = MISSING
    new: object = MISSING

    @property
    def kind(self) -> str:
        """``added`` (nothing before), ``removed`` (nothing after) or ``changed``."""
        if self.old is MISSING:
            return "added"
        if self.new is MISSING:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class ParameterChange:
    """A parameter present in both versions whose definition differs (description, schema, ...)."""

    name: str
    changes: list[Change]


@dataclass
class Section(Generic[Item, Changed]):
    """One section of the diff: what only the new version has, what only the old one had, and
    what both have but differently. False when nothing changed."""

    added: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class ParameterChanges(Section[dict, ParameterChange]):
    """Parameters matched by name: whole definitions added or removed, per-field changes, and
    ``order`` = (old names, new names) of the kept parameters when clients would list them differently."""

    order: tuple[list[str], list[str]] | None = None

    def __bool__(self) -> bool:
        return super().__bool__() or bool(self.order)


@dataclass(frozen=True)
class NodeEntry:
    """A graph node that exists in only one version, with its process."""

    path: str
    process_id: object


@dataclass(frozen=True)
class NodeChange:
    """A node in both versions whose process or arguments differ (paths relative to the node);
    changes inside its callbacks are reported as nodes of their own, UDF code in the UDF section."""

    path: str
    process_id: object
    changes: list[Change]


class NodeChanges(Section[NodeEntry, NodeChange]):
    """Graph nodes matched by node path."""


@dataclass(frozen=True)
class Udf:
    """The inline code of a ``run_udf`` node that exists in only one version."""

    path: str
    code: str

    @property
    def lines(self) -> int:
        return len(split_lines(self.code))


@dataclass(frozen=True)
class UdfChange:
    """A ``run_udf`` node in both versions whose code differs."""

    path: str
    old: str
    new: str

    @cached_property
    def _counts(self) -> tuple[int, int]:
        return line_counts(self.old, self.new)

    @property
    def added_lines(self) -> int:
        """How many ``+`` lines the code diff has."""
        return self._counts[0]

    @property
    def removed_lines(self) -> int:
        """How many ``-`` lines the code diff has."""
        return self._counts[1]


class UdfChanges(Section[Udf, UdfChange]):
    """Embedded UDF code, matched by the node path of its ``run_udf`` node."""


@dataclass
class Diff:
    """All semantic differences between two process definitions, section by section."""

    metadata: list[Change] = field(default_factory=list)
    parameters: ParameterChanges = field(default_factory=ParameterChanges)
    nodes: NodeChanges = field(default_factory=NodeChanges)
    udfs: UdfChanges = field(default_factory=UdfChanges)

    @property
    def identical(self) -> bool:
        """True when a client could not tell the two definitions apart."""
        return not (self.metadata or self.parameters or self.nodes or self.udfs)
