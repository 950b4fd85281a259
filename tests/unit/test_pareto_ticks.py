"""The Pareto's scales tick evenly on every copy: the page's chart (plotly), the PDF's (reportlab) and the HTML
review's (SVG) cut the minutes and the cumulative share into the same five even steps, so the two scales' ticks sit
at the same heights; and the round tops those steps come from."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from types import SimpleNamespace

import pytest
from huddle.dashboard.core.axes import HEADROOM, STEPS, axis_scale, share_ticks
from huddle.dashboard.exports.review_html import _h_pareto_svg
from huddle.dashboard.exports.review_pdf import _pdf_pareto_chart
from huddle.dashboard.services.events import EventReport, ParetoRow
from huddle.pages.components import pareto_figure
from reportlab.graphics.shapes import String

MINUTES = [8491.0, 3141.0, 3011.0, 2819.0, 1940.0, 1169.0, 878.0]  # the demo's November, uneven on purpose


def report() -> EventReport:
    total = sum(MINUTES)
    rows, running = [], 0.0
    for i, m in enumerate(MINUTES):
        running += m
        rows.append(ParetoRow(f"Reason {i + 1}", m, 10, None, None, m / total, running / total, ("L1",)))
    return EventReport("stops", "Unplanned stops by reason", "minutes", rows, [], 0, total)


def evenly_spaced(heights: list[float]) -> bool:
    gaps = [b - a for a, b in pairwise(heights)]
    return len(gaps) == STEPS and all(g == pytest.approx(gaps[0], rel=1e-6) for g in gaps)


@pytest.mark.parametrize(("value", "top", "step"), [(8491, 10_000, 2000), (2400, 2500, 500), (7, 10, 2),
                                                    (0.3, 0.5, 0.1), (0, 1, 0.2)])
def test_round_tops_in_five_even_steps(value: float, top: float, step: float) -> None:
    got_top, got_step, _digits = axis_scale(value)
    assert (got_top, got_step) == pytest.approx((top, step))
    assert share_ticks() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])


def test_the_pages_pareto_ticks_both_scales_at_the_same_heights() -> None:
    layout = pareto_figure(report())["layout"]
    left, right = layout["yaxis"], layout["yaxis2"]
    assert left["tick0"] == 0 and right["tick0"] == 0
    left_ticks = [i * left["dtick"] / left["range"][1] for i in range(STEPS + 1)]
    right_ticks = [i * right["dtick"] / right["range"][1] for i in range(STEPS + 1)]
    assert evenly_spaced(left_ticks) and left_ticks == pytest.approx(right_ticks)
    assert left["range"] == pytest.approx([0, 10_000 * HEADROOM]) and right["range"] == pytest.approx([0, 105])
    assert left["rangemode"] == "tozero"


def test_the_pdfs_pareto_ticks_both_scales_at_the_same_heights() -> None:
    drawing = _pdf_pareto_chart(SimpleNamespace(stops=report()))  # type: ignore[arg-type]
    assert drawing is not None
    chart = drawing.contents[0]
    assert (chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep) == (0, 10_000, 2000)
    minutes = [chart.y + chart.height * i / STEPS for i in range(STEPS + 1)]  # where the bar chart ticks
    shares = [s.y + 2.5 for s in drawing.contents if isinstance(s, String) and s.text.endswith(" %")]
    assert evenly_spaced(shares) and shares == pytest.approx(minutes)


def test_the_html_pareto_ticks_both_scales_at_the_same_heights() -> None:
    november = SimpleNamespace(first=date(2026, 11, 1))
    svg = _h_pareto_svg(SimpleNamespace(stops=report(), month=november))  # type: ignore[arg-type]
    grid = [float(y) for y in re.findall(r'<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1" stroke="#e1e5ea"', svg)]
    share_labels = re.findall(r'<text x="[\d.]+" y="([\d.]+)"[^>]*>(\d+) %</text>', svg)
    shares = [float(y) - 4 for y, _pct in share_labels]
    assert [int(p) for _y, p in share_labels] == [0, 20, 40, 60, 80, 100]
    assert evenly_spaced(sorted(grid)) and sorted(shares) == pytest.approx(sorted(grid), abs=0.11)
