"""The plain-text formulas of docs/algorithm.md as MathML, for the site's algorithm page.

The document writes its formulas in ``text`` code blocks, one formula a line, so that they read
well on GitHub too; the site turns each line into a ``<math>`` (MathML Core,
which browsers draw themselves: no script, no font download), in a ``<div>`` of its own. The notation is the document's own
and kept linear (``/`` stays a slash):

- a letter, or a name followed by ``(`` (a function: ``score(c)``, ``exp(…)``), is an identifier;
  ``name_x`` and ``name_{…}`` with a short name are subscripts (``HR_m``, ``Σ_{t∈J}``); ``²`` is a
  square of the atom or the bracketed group before it;
- a parameter of the process (a word with an underscore, ``cloud_tolerance``) is set as code;
- other words (``if c is cloudy``, ``otherwise``) are text, and a run of two or more spaces, which
  aligns the columns in the source, is a wide space.

Each formula keeps its source line as an annotation (``<semantics>``), which is what copying it gives.
"""

from __future__ import annotations

import re
from html import escape

TOKEN = re.compile(r"""
    (?P<gap>\s{2,}) | (?P<space>\s) |
    (?P<number>\d+(?:\.\d+)?) | (?P<sum>Σ) |
    (?P<name>[A-Za-zα-ωΑ-Ω][A-Za-z0-9α-ωΑ-Ω]*(?:_[A-Za-z0-9α-ωΑ-Ω]+)*) |
    (?P<square>²) | (?P<open>[(\[{]) | (?P<close>[)\]}]) | (?P<underscore>_) |
    (?P<op>[=≥≤+−·/,∈…<>-]) | (?P<other>.)
""", re.VERBOSE)
OPERATORS = {"-": "−"}
#: a line longer than this, or nesting brackets deeper, is set as text as it is (the formulas of
#: docs/algorithm.md are under 120 characters and 4 levels; the work grows with length x depth)
MAX_LINE = 400
MAX_DEPTH = 16
#: tokens that cannot be a subscript: after them, a ``_`` is the character itself
NOT_A_SCRIPT = ("space", "gap", "close", "square", "underscore")
#: names that are mathematical functions even without a bracket after them
FUNCTIONS = {"exp", "max", "min", "clip", "mean"}


def _tokens(line: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(line)]


def _atom(kind: str, text: str, following: str) -> str:
    if kind == "number":
        return f"<mn>{text}</mn>"
    if kind == "sum":
        return '<mo largeop="true">Σ</mo>'
    if kind == "op":
        return f"<mo>{escape(OPERATORS.get(text, text))}</mo>"
    if kind == "name":
        base, _, sub = text.partition("_")
        if sub and len(base) <= 3 and "_" not in sub:
            return f"<msub><mi>{escape(base)}</mi><mi>{escape(sub)}</mi></msub>"
        if following == "(" or len(text) == 1 or text in FUNCTIONS:
            return f"<mi>{escape(text)}</mi>"
        if sub:
            return f'<mi mathvariant="normal" class="parameter">{escape(text)}</mi>'
        if text.isupper() or any(c.isdigit() for c in text):
            return f"<mi>{escape(text)}</mi>"
        return f"<mtext>{escape(text)}</mtext>"
    return f"<mo>{escape(text)}</mo>"


def _join_text(items: list[str]) -> list[str]:
    """Words next to each other (spaces between them) as one ``<mtext>``, spaced from what is around it."""
    out: list[str] = []
    for item in items:
        if item == " ":
            if out and out[-1].startswith("<mtext>") and not out[-1].endswith("\u00a0</mtext>"):
                out[-1] = out[-1][:-len("</mtext>")] + "\u00a0</mtext>"
            continue
        if item.startswith("<mtext>") and out and out[-1].startswith("<mtext>"):
            out[-1] = out[-1][:-len("</mtext>")] + item[len("<mtext>"):]
            continue
        if item.startswith("<mtext>") and out and not out[-1].startswith("<mspace"):
            item = "<mtext>\u00a0" + item[len("<mtext>"):]
        out.append(item)
    return out


def _is_word(tokens: list, i: int) -> bool:
    """Whether token ``i`` is a word of the text around a formula (set as ``<mtext>``)."""
    if i < 0 or i >= len(tokens) or tokens[i][0] != "name":
        return False
    text = tokens[i][1]
    following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
    return _atom("name", text, following).startswith("<mtext>")


def _neighbour(tokens: list, i: int, step: int) -> int:
    """The index of the token next to ``i`` in direction ``step``, single spaces skipped."""
    i += step
    while 0 <= i < len(tokens) and tokens[i][0] == "space":
        i += step
    return i


#: one-letter words of the prose around formulas, and units after a number ("300 m")
ARTICLES = {"a"}
UNITS = {"m", "s", "d", "h"}


def _letter_is_text(tokens: list, i: int) -> bool:
    """The article in "has a value" (between two words) and a unit after a number ("300 m", at the
    end or before an operator) are text; every other single letter is a variable ("pixels p")."""
    before, after = _neighbour(tokens, i, -1), _neighbour(tokens, i, 1)
    text = tokens[i][1]
    if text in ARTICLES and _is_word(tokens, before) and _is_word(tokens, after):
        return True
    return text in UNITS and 0 <= before and tokens[before][0] == "number" and before < i - 1 and (
        after >= len(tokens) or tokens[after][0] in ("gap", "op"))


def line_to_mathml(line: str) -> str:
    """One formula (a line of the document) as a ``<math>`` element in a ``<div>`` of its own
    (not ``display="block"``, which browsers centre)."""
    tokens = _tokens(line.strip())
    depth = max(0, *(line.count(c) for c in "([{")) if line else 0
    if len(line) > MAX_LINE or depth > MAX_DEPTH:
        tokens = [("text", line.strip())]
    stack: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if stack[-1] == ["<sub>"] and kind in NOT_A_SCRIPT:  # "a_ b", "(a_)": the underscore itself
            stack.pop()
            stack[-1].append("<mo>_</mo>")
        if kind == "text":
            stack[-1].append(f"<mtext>{escape(text)}</mtext>")
        elif kind == "name" and len(text) == 1 and _letter_is_text(tokens, i):
            stack[-1].append(f"<mtext>{escape(text)}</mtext>")
        elif kind == "gap":
            stack[-1].append('<mspace width="1.5em"/>')
        elif kind == "space":
            stack[-1].append(" ")
        elif kind == "open":
            stack.append([f'<mo stretchy="false">{escape(text)}</mo>'] if text != "{" else [])
        elif kind == "close" and len(stack) > 1:
            group = stack.pop()
            if text != "}":
                group.append(f'<mo stretchy="false">{escape(text)}</mo>')
            stack[-1].append("<mrow>" + "".join(_join_text(group)) + "</mrow>")
        elif kind == "square" and stack[-1] and stack[-1][-1] not in (" ", "<sub>") \
                and not stack[-1][-1].startswith("<mspace"):
            stack[-1][-1] = f"<msup>{stack[-1][-1]}<mn>2</mn></msup>"
        elif kind == "square":
            stack[-1].append("<mo>²</mo>")
        elif kind == "underscore" and stack[-1]:
            stack.append(["<sub>"])
        else:
            stack[-1].append(_atom(kind, text, following))
        i += 1
        # a subscript is the one atom (or braced group) after "_"
        while len(stack) > 1 and stack[-1][:1] == ["<sub>"] and len(stack[-1]) == 2:
            script = stack.pop()[1]
            stack[-1][-1] = f"<msub>{stack[-1][-1]}{script}</msub>"
    while len(stack) > 1:  # an unclosed bracket or a trailing "_": keep what it holds
        group = stack.pop()
        if group == ["<sub>"]:
            stack[-1].append("<mo>_</mo>")
            continue
        stack[-1].append("<mrow>" + "".join(_join_text(group)) + "</mrow>")
    body = "".join(_join_text(stack[0]))
    source = escape(line.strip())
    return (f'<div class="formula"><math displaystyle="true"><semantics><mrow>{body}</mrow>'
            f'<annotation encoding="text/plain">{source}</annotation></semantics></math></div>')


def block_to_html(text: str) -> str:
    """A code block of formulas, a ``<math>`` per non-empty line."""
    lines = [line for line in text.splitlines() if line.strip()]
    return '<div class="formulas">\n' + "\n".join(line_to_mathml(line) for line in lines) + "\n</div>\n"
