"""Bytes per run over time as a small server-rendered SVG bar chart (no JavaScript)."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 600, 120


def bytes_per_run_chart(runs) -> SafeString:
    points = [r for r in reversed(list(runs)[:40]) if r.finished_at]
    if not points:
        return mark_safe("")
    top = max(max(r.bytes_done for r in points), 1)
    step = WIDTH / len(points)
    bars = []
    for i, run in enumerate(points):
        height = max(1.0, (HEIGHT - 20) * run.bytes_done / top)
        label = escape(f"{run.target_label} {run.finished_at:%Y-%m-%d %H:%M}: {filesizeformat(run.bytes_done)}")
        bars.append(
            f'<rect class="status-{run.status}" x="{i * step + 1:.1f}" y="{HEIGHT - height:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{height:.1f}"><title>{label}</title></rect>'
        )
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="bytes per run" '
        f'width="100%" height="{HEIGHT}" fill="#0b7a75">{"".join(bars)}</svg>'
    )
