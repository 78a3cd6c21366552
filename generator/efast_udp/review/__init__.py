"""Release review: what changed between two versions of a process definition, for a person.

    from efast_udp.review import diff_documents, format_text
    diff = diff_documents(old, new)      # structured changes; diff.identical when none
    print(format_text(diff))             # metadata, parameters, graph nodes, UDF code as a patch

Pure functions on parsed JSON: nothing here reads files or the network.
"""

from __future__ import annotations

from efast_udp.review.compare import diff_documents
from efast_udp.review.model import Diff
from efast_udp.review.render import format_stat, format_text, to_json

__all__ = ["Diff", "diff_documents", "format_stat", "format_text", "to_json"]
