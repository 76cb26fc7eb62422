"""Server-side SVG line charts for the board's trends: no JavaScript, no CDN, readable on a phone.

The chart scales with its container (``viewBox`` + ``width: 100%``); colours and a legend tell the
lines apart, and every point carries a ``<title>`` with its date and value for a tooltip.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f6feb", "#d97706", "#15803d", "#9333ea", "#dc2626", "#0e7490")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per date; None where unknown


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def line_chart(
    *,
    dates: Sequence[datetime.date],
    series: Sequence[Series],
    title: str,
    percent: bool = False,
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """An SVG line chart of ``series`` over ``dates`` (percent charts run from 0 to 100)."""
    left, right, top, bottom = 44, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for s in series for v in s.values if v is not None]
    y_max = 100 if percent else _nice_max(max(known, default=0))
    n = len(dates)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * min(v, y_max) / y_max

    suffix = "%" if percent else ""
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):  # horizontal grid with labels
        value = y_max * k / 4
        gy = y(value)
        label = f"{value:g}{suffix}"
        parts.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#57606a">{escape(label)}</text>'
        )
    if n:
        ticks = sorted({0, n - 1, *range(0, n, max(1, n // 5))})
        for i in ticks:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" '
                'font-size="11" fill="#57606a">'
                f"{dates[i]:%d.%m}</text>"
            )
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = [(x(i), y(v), v, dates[i]) for i, v in enumerate(item.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{path}"/>'
            )
        for px, py, value, day in points:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(item.label)}: {value:g}{suffix} ({day:%d.%m.%Y})</title></circle>"
            )
    parts.append("</svg>")
    legend = "".join(
        '<li><span class="chart-legend__swatch" '
        f'style="background:{PALETTE[i % len(PALETTE)]}"></span>'
        f"{escape(item.label)}</li>"
        for i, item in enumerate(series)
    )
    return mark_safe(
        f'<figure class="chart-figure">{"".join(parts)}'
        f'<ul class="chart-legend">{legend}</ul></figure>'
    )
