"""Server-rendered SVG bar charts (pygal) that can be inlined under the console's strict CSP.

pygal always writes a <script> (its config) and a <style> into the SVG. A strict CSP would
refuse both inline, so the script is dropped and the style moved out: chart_css() gives it
to a stylesheet served from 'self'. Charts draw only displayed counts: a hidden "<5" gets no bar.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pygal
from pygal.style import Style

# pygal adds an import hook for its map plugins (unused here) that lacks find_spec: every
# later import would warn (ImportWarning), so it is taken out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    font_family="system-ui, sans-serif",
    colors=("#1f5f8b", "#c8702a"),
    title_font_size=16,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    legend_font_size=13,
)
CHART_NAMES = ("commune", "month", "return_mode", "needs")
"""One chart per dashboard table; the name scopes its CSS (#chart-<name>)."""
_NAME = re.compile(r"^[a-z_]{1,32}$")
_SERIES_MAX = 2


@dataclass(frozen=True)
class Series:
    """One measure: its legend and one value per label (None: hidden, no bar)."""

    title: str
    values: Sequence[int | None]


class _Strip:
    """An xml filter: removes scripts and inline styles, keeps the CSS text aside."""

    def __init__(self) -> None:
        self.css: list[str] = []

    def __call__(self, root: Any) -> Any:
        for parent in list(root.iter()):
            for child in list(parent):
                tag = str(child.tag).rsplit("}", 1)[-1]
                # Tooltips need pygal's script; without it they would only cover the bars.
                classes = str(child.get("class", "")).split()
                if tag == "script" or "tooltip" in classes or "tooltip-overlay" in classes:
                    parent.remove(child)
                elif tag == "style":
                    self.css.append(child.text or "")
                    parent.remove(child)
        for element in root.iter():
            for attribute in [a for a in element.attrib if a == "style" or a.startswith("on")]:
                del element.attrib[attribute]
        return root


def _chart(
    name: str, title: str, labels: Sequence[str], series: Sequence[Series], strip: _Strip
) -> Any:
    if not _NAME.match(name) or len(series) > _SERIES_MAX:
        raise ValueError(f"unexpected chart {name!r}")
    height = 120 + 34 * max(len(labels), 1) * max(len(series), 1)
    chart = pygal.HorizontalBar(
        style=STYLE, js=[], disable_xml_declaration=True, width=480, height=min(height, 2400),
        print_values=True, show_y_guides=False, legend_at_bottom=True, truncate_label=40,
        show_legend=len(series) > 1, tooltip_border_radius=0, no_data_text="—",
    )  # fmt: skip
    chart.add_xml_filter(strip)
    chart.uuid = name  # pygal scopes its CSS to #chart-<uuid>: a stable name, one stylesheet
    chart.title = title
    chart.x_labels = list(labels)
    for one in series:
        chart.add(one.title, list(one.values))
    # Charts with one series and with two need the same CSS rules (colours 0 and 1).
    for _ in range(len(series), _SERIES_MAX):
        chart.add("", [])
    return chart


def bar_chart(name: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """An inline <svg> with no script, no style element and no style attribute."""
    chart = _chart(name, title, labels, series, _Strip())
    svg = str(chart.render(is_unicode=True))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)
    if "<script" in svg or "<style" in svg or " style=" in svg:
        raise AssertionError("pygal output still carries a script or an inline style")
    return svg


@cache
def chart_css() -> str:
    """The CSS of every dashboard chart, for a stylesheet served from the console's origin."""
    parts = []
    for name in CHART_NAMES:
        strip = _Strip()
        chart = _chart(name, "", ["x"], [Series("a", [1]), Series("b", [1])], strip)
        chart.render(is_unicode=True)
        parts.extend(strip.css)
    return "\n".join(parts)


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
