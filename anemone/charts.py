"""Server-rendered SVG charts for the dashboards: no JavaScript, a viewBox so they scale down to a phone,
labelled axes, and a ``<title>`` on every bar or point so hovering (or a long press) says what it is.

Two shapes cover every picture: ``hbars`` (one labelled horizontal bar per row against an optional limit —
a quota, a cap, an overdue threshold) and ``timeline`` (one bar or point per run over a time axis). Colours
come from CSS classes in static/css/anemone.css (the CSP allows no inline style).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360  # viewBox units; the SVG is drawn at 100% of its box, so 1 unit ≈ 1 CSS pixel on a phone
LEFT, RIGHT = 58, 10  # room for the y-axis tick labels, and a margin
FONT = 11


@dataclass
class Row:
    """One horizontal bar: its label, value, an optional limit (drawn as a tick) and what hovering says."""

    label: str
    value: float
    limit: float | None = None
    css: str = "ok"
    tooltip: str = ""


@dataclass
class Point:
    """One run on a timeline: when, how much, its colour class and what hovering says."""

    at: datetime
    value: float
    css: str = "ok"
    tooltip: str = ""


def _svg(height: float, title: str, body: list[str], shape: str) -> SafeString:
    return mark_safe(
        f'<svg class="chart {shape}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, words: str, *, css: str = "axis", anchor: str = "start") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(words)}</text>'


def hbars(rows: list[Row], *, title: str, axis_label: str, fmt: Callable[[float], str]) -> SafeString:
    """A labelled bar per row, scaled to the largest value or limit, with 0 / half / top ticks on the axis."""
    if not rows:
        return mark_safe("")
    top = max([1.0, *(r.value for r in rows), *(r.limit or 0 for r in rows)]) * 1.05
    span = WIDTH - 8 - RIGHT
    row_h = 34
    body = []
    for i, row in enumerate(rows):
        y = 6 + i * row_h
        width = max(1.0, span * min(row.value, top) / top) if row.value else 0
        tip = escape(row.tooltip or f"{row.label}: {fmt(row.value)}")
        body.append(_text(8, y + FONT, row.label, css="label"))
        body.append(f'<rect class="track" x="8" y="{y + 15}" width="{span:.1f}" height="12"/>')
        body.append(f'<rect class="bar-{row.css}" x="8" y="{y + 15}" width="{width:.1f}" height="12">'
                    f'<title>{tip}</title></rect>')
        if row.limit:
            x = 8 + span * row.limit / top
            body.append(f'<line class="limit" x1="{x:.1f}" x2="{x:.1f}" y1="{y + 12}" y2="{y + 30}">'
                        f'<title>{tip}</title></line>')
    axis_y = 6 + len(rows) * row_h + 4
    body.append(f'<line class="axis-line" x1="8" x2="{8 + span}" y1="{axis_y}" y2="{axis_y}"/>')
    for fraction, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
        body.append(_text(8 + span * fraction, axis_y + 13, fmt(top * fraction), anchor=anchor))
    body.append(_text(8 + span / 2, axis_y + 28, axis_label, css="axis-label", anchor="middle"))
    return _svg(axis_y + 34, title, body, "hbars")


def timeline(points: list[Point], *, start: datetime, end: datetime, title: str, y_label: str, x_label: str,
             fmt: Callable[[float], str], dots: bool = False) -> SafeString:
    """One bar (or dot) per run between start and end; the x axis is dated, the y axis says what it counts."""
    if not points:
        return mark_safe("")
    height, top_pad, bottom = 156, 24, 124
    span_x, span_y = WIDTH - LEFT - RIGHT, bottom - top_pad
    top = max(1.0, *(p.value for p in points)) * 1.05
    seconds = max(1.0, (end - start).total_seconds())

    def x_of(when: datetime) -> float:
        return LEFT + span_x * min(max((when - start).total_seconds() / seconds, 0), 1)

    body = [_text(2, 12, y_label, css="axis-label"),
            f'<line class="axis-line" x1="{LEFT}" x2="{LEFT}" y1="{top_pad}" y2="{bottom}"/>',
            f'<line class="axis-line" x1="{LEFT}" x2="{LEFT + span_x}" y1="{bottom}" y2="{bottom}"/>']
    said: set[str] = set()  # a tick that would repeat its neighbour's words ("0 s", "0 s", "1 s") is left out
    for fraction in (0, 0.5, 1):
        y, words = bottom - span_y * fraction, fmt(top * fraction)
        if words not in said:
            said.add(words)
            body.append(_text(LEFT - 3, y + 4, words, anchor="end"))
    # A short history is dated by the hour (or the second, when it spans minutes), a long one by the day.
    tick_format = "H:i:s" if seconds < 600 else "TIME_FORMAT" if seconds < 86400 else "SHORT_DATE_FORMAT"
    for fraction, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
        when = formats.date_format(timezone.localtime(start + (end - start) * fraction), tick_format)
        if when not in said:
            said.add(when)
            body.append(_text(LEFT + span_x * fraction, bottom + 14, when, anchor=anchor))
    body.append(_text(LEFT + span_x / 2, bottom + 28, x_label, css="axis-label", anchor="middle"))
    width = max(2.0, min(10.0, span_x / max(len(points), 1) - 1))
    for point in sorted(points, key=lambda p: p.at):
        x, size = x_of(point.at), span_y * point.value / top
        tip = f"<title>{escape(point.tooltip)}</title>"
        if dots:
            body.append(f'<circle class="dot-{point.css}" cx="{x:.1f}" cy="{bottom - size:.1f}" r="3.5">{tip}</circle>')
        else:
            size = max(size, 1.0)
            body.append(f'<rect class="bar-{point.css}" x="{x - width / 2:.1f}" y="{bottom - size:.1f}" '
                        f'width="{width:.1f}" height="{size:.1f}">{tip}</rect>')
    return _svg(height, title, body, "timeline")
