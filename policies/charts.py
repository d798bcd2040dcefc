"""Server-side SVG charts for progress pages: no JavaScript, print-ready, accessible.

Two charts: a horizontal bar chart (how many projects at each achievement
level) and a line chart of an indicator's targets and actuals by fiscal year.
Each SVG is ``role="img"`` named by its own ``<title>`` and ``<desc>``; the
page puts the same numbers in a table beside it (the text equivalent).
Series differ by line style and marker shape as well as colour, so they read
in black and white. Styling lives in ``static/css/progress.css``.

Every text that goes into the markup is escaped here. Pure Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

WIDTH = 560
LINE_HEIGHT = 300
BAR_WIDTH = 440
BAR_ROW = 30
BAR_LABEL_WIDTH = 200


def format_quantity(value: Decimal | int | float | None) -> str:
    """1,234.5 — no exponent, no trailing zeros, thousands separated; "" for None."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _open(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", css: str = "") -> str:
    css_attr = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{css_attr}>{escape(text)}</text>'


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[tuple[str, int]]) -> str:
    """Horizontal bars, one per (label, count), the count written at the bar's end."""
    height = BAR_ROW * len(bars) + 12
    scale_width = BAR_WIDTH - BAR_LABEL_WIDTH - 40
    largest = max((count for _, count in bars), default=0) or 1
    parts = _open(chart_id, title, description, BAR_WIDTH, height)
    parts.append(
        f'<line class="axis" x1="{BAR_LABEL_WIDTH}" y1="4" x2="{BAR_LABEL_WIDTH}" '
        f'y2="{height - 4}"/>'
    )
    for index, (label, count) in enumerate(bars):
        top = 6 + index * BAR_ROW
        length = scale_width * count / largest
        parts.append(_text(BAR_LABEL_WIDTH - 8, top + 18, label, anchor="end"))
        if count:
            parts.append(
                f'<rect class="bar" x="{BAR_LABEL_WIDTH}" y="{top + 4}" '
                f'width="{length:.1f}" height="{BAR_ROW - 10}"/>'
            )
        parts.append(_text(BAR_LABEL_WIDTH + length + 6, top + 18, str(count)))
    parts.append("</svg>")
    return "".join(parts)


@dataclass
class Series:
    """One line of a line chart: values by fiscal year (None where there is none)."""

    name: str
    kind: str  # "target" (dashed, hollow squares) or "actual" (solid, filled circles)
    values: dict[int, Decimal | None] = field(default_factory=dict)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    years: list[int],
    year_labels: dict[int, str],
    series: list[Series],
    baseline: tuple[Decimal, str] | None = None,
    unit: str = "",
) -> str:
    """Targets and actuals over fiscal years; a dotted line for the baseline."""
    left, right, top, bottom = 70, 16, 40, 44
    plot_width = WIDTH - left - right
    plot_height = LINE_HEIGHT - top - bottom
    numbers = [float(v) for s in series for v in s.values.values() if v is not None]
    if baseline:
        numbers.append(float(baseline[0]))
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    ticks = nice_ticks(min(low, 0.0) if low >= 0 else low, high)
    floor, ceiling = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_height * (1 - (value - floor) / (ceiling - floor))

    def x_of(index: int) -> float:
        if len(years) == 1:
            return left + plot_width / 2
        return left + 20 + (plot_width - 40) * index / (len(years) - 1)

    parts = _open(chart_id, title, description, WIDTH, LINE_HEIGHT)
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
        )
        parts.append(_text(left - 6, y + 4, format_quantity(Decimal(str(tick))), anchor="end"))
    if unit:
        parts.append(_text(left - 6, top - 12, f"({unit})", anchor="end"))
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_height}" x2="{WIDTH - right}" '
        f'y2="{top + plot_height}"/>'
    )
    for index, year in enumerate(years):
        x = x_of(index)
        parts.append(_text(x, top + plot_height + 18, str(year), anchor="middle"))
        parts.append(_text(x, top + plot_height + 34, year_labels.get(year, ""), anchor="middle"))
    if baseline:
        y = y_of(float(baseline[0]))
        parts.append(
            f'<line class="baseline" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
        )
    for line in series:
        parts.extend(_series(line, years, x_of, y_of))
    parts.extend(_legend(series, baseline, left))
    parts.append("</svg>")
    return "".join(parts)


def _series(line: Series, years, x_of, y_of) -> list[str]:
    """A polyline per run of consecutive years with values, and a marker per value."""
    parts, run = [], []
    points = [
        (x_of(i), y_of(float(line.values[year]))) if line.values.get(year) is not None else None
        for i, year in enumerate(years)
    ]
    for point in [*points, None]:
        if point is not None:
            run.append(point)
            continue
        if len(run) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline class="series-{line.kind}" points="{coords}"/>')
        run = []
    for point in points:
        if point is None:
            continue
        x, y = point
        if line.kind == "target":
            parts.append(
                f'<rect class="marker-target" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"/>'
            )
        else:
            parts.append(f'<circle class="marker-actual" cx="{x:.1f}" cy="{y:.1f}" r="5"/>')
    return parts


def _legend(series: list[Series], baseline, left: int) -> list[str]:
    parts, x = [], left
    for line in series:
        parts.append(f'<line class="series-{line.kind}" x1="{x}" y1="16" x2="{x + 28}" y2="16"/>')
        if line.kind == "target":
            parts.append(f'<rect class="marker-target" x="{x + 9}" y="11" width="10" height="10"/>')
        else:
            parts.append(f'<circle class="marker-actual" cx="{x + 14}" cy="16" r="5"/>')
        parts.append(_text(x + 34, 20, line.name))
        x += 34 + 14 * len(line.name) + 24
    if baseline:
        parts.append(f'<line class="baseline" x1="{x}" y1="16" x2="{x + 28}" y2="16"/>')
        parts.append(_text(x + 34, 20, baseline[1]))
    return parts
