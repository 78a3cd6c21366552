"""efast_udp.site.formulas: the plain-text formulas of docs/algorithm.md as well-formed
MathML, prose as text, long lines bounded."""

from __future__ import annotations

import pytest


def test_formulas_as_mathml():
    import xml.etree.ElementTree as ET

    from efast_udp.site import formulas

    math = formulas.line_to_mathml("w(t, T) = score(t) · exp(−(t − T)² / (2σ²))")
    ET.fromstring(math)  # well-formed
    assert ('<msup><mrow><mo stretchy="false">(</mo><mi>t</mi><mo>−</mo><mi>T</mi><mo stretchy="false">)</mo></mrow>'
            '<mn>2</mn></msup>') in math
    assert "<msup><mi>σ</mi><mn>2</mn></msup>" in math and "<mi>exp</mi>" in math
    math = formulas.line_to_mathml("HR_m(T) = Σ_{t∈J} w(t, T) · S2(t) / Σ_{t∈J} w(t, T)")
    assert math.startswith('<div class="formula"><math displaystyle="true"><semantics><mrow><msub><mi>HR</mi><mi>m</mi></msub>')
    assert '<msub><mo largeop="true">Σ</mo><mrow><mi>t</mi><mo>∈</mo><mi>J</mi></mrow></msub>' in math
    math = formulas.line_to_mathml("score(c) = 0      if c is cloudy")
    assert '<mn>0</mn><mspace width="1.5em"/><mtext>if\u00a0</mtext><mi>c</mi><mtext>\u00a0is\u00a0cloudy</mtext>' in math
    math = formulas.line_to_mathml("cloudy_S2(c, t) = P(c, t) ≥ 100 · cloud_tolerance < 1")
    assert "<mi>cloudy_S2</mi>" in math and '<mi mathvariant="normal" class="parameter">cloud_tolerance</mi>' in math
    assert "<mo>&lt;</mo>" in math and ET.fromstring(math) is not None
    ET.fromstring(formulas.line_to_mathml("f(x = (unclosed"))  # still well-formed
    assert formulas.block_to_html("a = b\n\nc = d\n").count("<math") == 2


@pytest.mark.parametrize("line", ["(a_) + b = c", "x_² + a__b", "a_ b", "x ²", "a_", "_", "²"])
def test_odd_formulas_stay_well_formed_mathml(line):
    import xml.etree.ElementTree as ET

    from efast_udp.site import formulas

    math = formulas.line_to_mathml(line)
    root = ET.fromstring(math)
    assert "<sub>" not in math  # the parser's own marker never reaches the page (it closes <math> in HTML)
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        if tag in ("msub", "msup"):
            assert len(element) == 2 and all(child.tag != "mspace" for child in element), (line, math)


def test_prose_around_formulas_is_text_and_long_lines_are_bounded():
    import time

    from efast_udp.site import formulas

    assert "<mtext>\u00a0has\u00a0a\u00a0value</mtext>" in formulas.line_to_mathml("S2(t) has a value")
    assert "<mn>300</mn><mtext>\u00a0m</mtext>" in formulas.line_to_mathml("D = max_distance_to_cloud_m / 300 m")
    assert "<mi>p</mi>" in formulas.line_to_mathml("mean over the pixels p of cell c")  # a variable stays one
    start = time.perf_counter()
    for line in ("(" * 20_000 + "x", "w a" * 50_000):
        assert formulas.line_to_mathml(line).count("<mtext>") == 1  # set as text, as it is
    assert time.perf_counter() - start < 2
