"""Dashboard charts: SVG that runs nothing and draws no bar for a hidden count."""

from __future__ import annotations

import re

from bot.services.charts import Series, bar_chart, chart_css


def test_chart_has_no_script_no_inline_style_and_escapes_labels() -> None:
    svg = bar_chart(
        "commune", "Tờ khai <theo> xã", ["Xã <img src=x onerror=alert(1)>", "Phường B"],
        [Series("Tờ khai", [7, None]), Series("Ca", [12, 6])],
    )  # fmt: skip
    assert svg.startswith("<svg ") and 'role="img"' in svg
    assert not re.search(r"<script|<style|<[^>]*\s(style|on\w+)=|javascript:", svg, re.I)
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    values = re.findall(r'<text[^>]*class="value[^"]*"[^>]*>([^<]*)</text>', svg)
    assert sorted(values) == ["12", "6", "7"], "the hidden count draws no bar and no number"
    bars = re.findall(r'<rect [^>]*class="rect reactive tooltip-trigger"', svg)
    assert len(bars) == 3
    assert 'class="tooltip"' not in svg, "tooltips need pygal's script: none are left"


def test_css_lives_outside_the_svg_scoped_to_each_chart() -> None:
    css = chart_css()
    for name in ("commune", "month", "return_mode", "needs"):
        assert f"#chart-{name} " in css
    assert "<" not in css
