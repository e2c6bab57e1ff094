"""The benchmark's section of docs/performance.md: tables of the figures, the targets with their verdicts, and
the replacement of the "Scale benchmark" section (the file's other sections belong to other benchmarks)."""

import math
import re
from collections.abc import Iterable
from pathlib import Path

from measure import Timings, exponent

HEADING = "## Scale benchmark"
GIB = 1 << 30


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def latency(timings: Timings | None) -> str:
    """p50 (p95) in ms, or why there is no time."""
    if timings is None:
        return "—"
    if timings.failure and not timings.seconds:
        return timings.failure
    return f"{ms(timings.p50)} ({ms(timings.p95)})"


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator and denominator else None


def times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×" if value < 10 else f"{value:,.0f}×"


def size(value: int) -> str:
    return f"{value / GIB:.2f} GiB" if value >= GIB / 4 else f"{value / (1 << 20):,.0f} MiB"


def count(value: float) -> str:
    return f"{value:,.0f}"


def geometric_mean(values: list[float]) -> float | None:
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def growth(sizes: list[int], values: list[float | None]) -> str:
    fitted = exponent([float(s) for s in sizes], [v or 0 for v in values])
    return "—" if fitted is None else f"{fitted:.2f}"


def verdict(met: bool | None, missed_by: str = "") -> str:
    if met is None:
        return "not measured"
    return "met" if met else f"missed{': ' + missed_by if missed_by else ''}"


def replace_section(document: Path, section: str, heading: str = HEADING) -> None:
    """Put `section` (which starts with `heading`) in place of the old one, or at the end."""
    text = document.read_text(encoding="utf-8") if document.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip() + "\n\n", text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    document.write_text(text.rstrip() + "\n", encoding="utf-8")
