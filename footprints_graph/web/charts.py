"""Bar charts as server-rendered SVG: the geometry is computed here, templates/chart.html draws it.

Two forms: columns (one bar per ordered category: age groups, years) and rows (horizontal bars, each possibly
stacked from parts: outcomes, subgroups). Every bar carries its number (`data-value`) and a <title>; each
chart comes with the same numbers as a table, for screen readers and for copying.
"""

import math
from dataclasses import dataclass, field

WIDTH = 640
PALETTE_SIZE = 4  # series colours, .series-0 … .series-3 in style.css
INSIDE_LABEL_WIDTH = 36  # the narrowest part of a stacked bar that shows its number on itself


@dataclass(frozen=True)
class Part:
    label: str
    value: int
    series: int = 0


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    series: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Text:
    text: str
    x: float
    y: float
    anchor: str = "middle"
    inside: bool = False  # drawn on a bar (light on dark)


@dataclass
class Chart:
    """A chart ready to draw, with its data as a table (`columns`, `rows`)."""

    id: str
    title: str
    height: float
    bars: list[Bar] = field(default_factory=list)
    labels: list[Text] = field(default_factory=list)  # category names, value labels, tick labels
    gridlines: list[tuple[float, float, float, float]] = field(default_factory=list)
    legend: list[tuple[str, int]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    as_of: str = ""
    sources: list = field(default_factory=list)  # TermViews of the documents that state the numbers
    width: int = WIDTH

    @property
    def summary(self) -> str:
        """The chart in words, for its <desc>: each row with its numbers."""
        rows = [f"{row[0]}: " + ", ".join(f"{column} {cell}" for column, cell in zip(self.columns[1:], row[1:], strict=True))
                for row in self.rows]
        return "; ".join(rows)


def nice_ticks(maximum: int, count: int = 5) -> list[int]:
    """Round tick values from 0 to at least `maximum` (0, 20000, 40000, 60000 for 56437)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, math.ceil(maximum / step) * step + 1, step))


def number(value: int) -> str:
    return f"{value:,}"


def column_chart(chart_id: str, title: str, bars: list[Part], value_label: str) -> Chart:
    """Vertical bars over ordered categories."""
    left, right, top, bottom, plot_height = 64, 12, 24, 36, 220
    ticks = nice_ticks(max((b.value for b in bars), default=0))
    band = (WIDTH - left - right) / max(len(bars), 1)
    scale = plot_height / ticks[-1]
    chart = Chart(chart_id, title, top + plot_height + bottom, columns=["", value_label])
    _vertical_axis(chart, ticks, scale, left, top + plot_height)
    for i, part in enumerate(bars):
        x, height = left + i * band + band * 0.15, part.value * scale
        chart.bars.append(Bar(part.label, part.value, part.series, x, top + plot_height - height, band * 0.7, height))
        chart.labels.append(Text(number(part.value), x + band * 0.35, top + plot_height - height - 6))
        chart.labels.append(Text(part.label, x + band * 0.35, top + plot_height + 20))
        chart.rows.append([part.label, number(part.value)])
    return chart


def _vertical_axis(chart: Chart, ticks: list[int], scale: float, left: float, baseline: float) -> None:
    for tick in ticks:
        y = baseline - tick * scale
        chart.gridlines.append((left, y, WIDTH - 12, y))
        chart.labels.append(Text(number(tick), left - 8, y + 4, "end"))


def row_chart(chart_id: str, title: str, rows: list[tuple[str, list[Part]]],
              series: list[str], total_label: str | None = None) -> Chart:
    """Horizontal bars, one per row, each stacked from its parts (one part: a plain bar). `series` names
    the parts' series for the legend and the table; `total_label` adds a column of row totals."""
    left, right, top, row_height, bar_height = 200, 72, 8, 36, 22
    ticks = nice_ticks(max((sum(p.value for p in parts) for _, parts in rows), default=0))
    scale = (WIDTH - left - right) / ticks[-1]
    height = top + len(rows) * row_height + 28
    chart = Chart(chart_id, title, height, columns=["", *series, *([total_label] if total_label else [])],
                  legend=[(name, i % PALETTE_SIZE) for i, name in enumerate(series)] if len(series) > 1 else [])
    for i, (label, parts) in enumerate(rows):
        _stacked_row(chart, label, parts, left, top + i * row_height, bar_height, scale)
        chart.rows.append([label, *_cells(parts, series), *([number(sum(p.value for p in parts))] if total_label else [])])
    _horizontal_axis(chart, ticks, scale, left, top, height - 28)
    return chart


def _stacked_row(chart: Chart, label: str, parts: list[Part], left: float, y: float, bar_height: float,
                 scale: float) -> None:
    x = left
    for part in parts:
        chart.bars.append(Bar(part.label, part.value, part.series, x, y + 4, part.value * scale, bar_height))
        if len(parts) > 1 and part.value * scale >= INSIDE_LABEL_WIDTH:  # a part wide enough to carry its number
            chart.labels.append(Text(number(part.value), x + part.value * scale / 2, y + 4 + bar_height * 0.7, inside=True))
        x += part.value * scale
    chart.labels.append(Text(label, left - 8, y + 4 + bar_height * 0.7, "end"))
    chart.labels.append(Text(number(sum(p.value for p in parts)), x + 6, y + 4 + bar_height * 0.7, "start"))


def _cells(parts: list[Part], series: list[str]) -> list[str]:
    by_series = {p.series: p.value for p in parts}
    return [number(by_series[i]) if i in by_series else "–" for i in range(len(series))]


def _horizontal_axis(chart: Chart, ticks: list[int], scale: float, left: float, top: float, bottom: float) -> None:
    for tick in ticks:
        x = left + tick * scale
        chart.gridlines.append((x, top, x, bottom))
        chart.labels.append(Text(number(tick), x, bottom + 18))
