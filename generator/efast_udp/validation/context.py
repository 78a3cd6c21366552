"""What every check receives: the document, its file name and the graphs built from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from efast_udp.validation import graph as _graph


@dataclass
class Context:
    doc: dict
    #: a file name or URL whose name the ``id`` must equal (catalogue rule), or ``None``
    require_file_name: str | None
    graphs: list[_graph.Graph] = field(default_factory=list)

    @classmethod
    def of(cls, doc: dict, require_file_name: str | None) -> "Context":
        return cls(doc=doc, require_file_name=require_file_name, graphs=_graph.build(doc))

    def nodes(self):
        """Every node of every graph, top-level graph first."""
        for g in self.graphs:
            yield from g.nodes.values()

    def parameter_list(self) -> list[tuple[int, dict]]:
        """``(index, parameter)`` of the UDP parameters that are objects."""
        params = self.doc.get("parameters")
        if not isinstance(params, list):
            return []
        return [(i, p) for i, p in enumerate(params) if isinstance(p, dict)]
