"""Bar charts as inline SVG, drawn on the server: no chart library, no script, nothing
fetched from elsewhere. Each bar carries its number as text, so the chart reads without
colour and a screen reader gets a <title> per bar."""

from __future__ import annotations

from typing import List, Tuple

from markupsafe import Markup, escape

ROW = 26
LABEL_WIDTH = 150
BAR_WIDTH = 300


def bars(items: List[Tuple[str, int]], title: str) -> Markup:
    """Horizontal bars, one per (label, value)."""
    top = max((value for _label, value in items), default=0) or 1
    height = ROW * max(1, len(items))
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(items):
        y = index * ROW
        length = round(BAR_WIDTH * value / top)
        parts.append(
            f'<g><title>{escape(label)}: {value}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="13">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 8}" fill="#00695c"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 17}" font-size="13">{value}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(items: List[Tuple[str, int]], title: str) -> Markup:
    """Vertical bars over time (e.g. per week), labels underneath."""
    top = max((value for _label, value in items), default=0) or 1
    step, plot = 44, 160
    width, height = max(1, len(items)) * step + 10, plot + 50
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(items):
        x = 10 + index * step
        length = round(plot * value / top)
        parts.append(
            f'<g><title>{escape(label)}: {value}</title>'
            f'<rect x="{x}" y="{plot - length + 16}" width="{step - 12}" height="{length}" fill="#00695c"></rect>'
            f'<text x="{x + (step - 12) / 2}" y="{plot - length + 12}" text-anchor="middle" font-size="12">{value}</text>'
            f'<text x="{x + (step - 12) / 2}" y="{plot + 32}" text-anchor="middle" font-size="10">'
            f'{escape(label[-3:])}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
