"""The OKR page marks a maintain key result holding or slipping (icon and word, no progress bar) and a bound key
result's months, the red month a green quarter to date hides named in icon and word; the key-result form warns,
and does not refuse, a target equal to the start. Renderers only (``pages/okr_marks.py``, ``pages/okr.py``)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml
from huddle.dashboard.core.okr_scoring import KrStatus, MonthMark
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.pages import okr as okr_page
from huddle.pages import okr_marks

from tests.conftest import SMALL_PLANT
from tests.unit.test_renderers import key_result, one, quarter_model, text, walk


@pytest.fixture(scope="module")
def config() -> PlantConfig:
    """The small plant of the shared fixtures, parsed."""
    return parse_plant(yaml.safe_load(SMALL_PLANT))


MONTHS = [MonthMark("2026-10", 80.1, "green"), MonthMark("2026-11", 72.4, "red"),
          MonthMark("2026-12", 81.0, "green", running=True)]


def test_a_maintain_key_result_shows_holding_or_slipping_and_no_progress_bar(config: PlantConfig) -> None:
    kept = key_result(start=85.0, target=85.0, kpi="", rule="maintain at or above 85.0 %", progress=None,
                      status=KrStatus.SLIPPING, kpi_status="", current=84.2)
    view = quarter_model(objectives=[replace(quarter_model().objectives[0], key_results=[kept],
                                             status=KrStatus.OFF_TRACK)])
    row = one(okr_page.render_objectives(view), "okr-kr-row")
    badge = next(c for c in walk(row) if text(c) == "▼ slipping" and getattr(c, "className", None))
    assert "status-red" in badge.className
    assert not [c for c in walk(row) if getattr(c, "className", None) == "okr-bar"]  # no 0–1 bar for a level
    assert "keeps a level: no progress holding means at or above 85.0 %" in text(row)
    summary = text(okr_page.render_summary(view, config))
    assert "0 on track, 0 need attention, 0 off track, 0 without data, 0 holding, 1 slipping" in summary
    held = okr_marks.okr_badge(KrStatus.HOLDING)
    assert text(held) == "✓ holding" and "status-green" in held.className
    history = text(okr_page.render_history(replace(kept, status=KrStatus.HOLDING), config))
    assert "maintain at or above 85.0 % · now 84.2 % (KPI oee) · ✓ holding" in history and "progress" not in history
    closing = text(okr_page.render_closing_scores(view, config))
    assert "slipping 0.00" in closing  # the score a slipped level would get at the close


def test_a_bound_key_result_shows_its_months_and_the_red_month_the_quarter_hides() -> None:
    kr = key_result(kpi_status="green", months=MONTHS)
    marks = okr_marks.month_marks(kr)
    assert marks is not None
    assert [text(b) for b in walk(marks) if "badge" in (getattr(b, "className", "") or "")] == [
        "Oct 2026: 80.1 % ✓ on target", "Nov 2026: 72.4 % ✗ off target", "Dec 2026 (to date): 81.0 % ✓ on target"]
    red = one(marks, "okr-red-month")
    assert text(red) == "Nov 2026: 72.4 % ✗ off target"
    assert text(one(marks, "okr-red-month-note")) == "red month the quarter to date hides: Nov 2026"
    row = one(okr_page.render_objectives(quarter_model(objectives=[replace(
        quarter_model().objectives[0], key_results=[kr])])), "okr-kr-row")
    assert "Nov 2026: 72.4 % ✗ off target" in text(row)
    # a red quarter hides nothing: the months show, no month is singled out
    quiet = okr_marks.month_marks(replace(kr, kpi_status="red"))
    assert "okr-red-month-note" not in str(quiet) and okr_marks.month_marks(key_result(kpi="", months=[])) is None


def test_the_key_result_form_warns_a_maintain_key_result_and_saves_it() -> None:
    warning = okr_marks.key_result_warning("increase", 85, 85, "%")
    assert text(warning).startswith("! Warning: the target equals the start: this key result keeps 85.0 %")
    assert warning.className == "form-warning"
    assert okr_marks.key_result_warning("increase", 80, 85, "%") is None
    assert okr_marks.key_result_warning("milestone", None, 1, "") is None
    saved = okr_marks.key_result_saved("OEE stays high", "increase", 85, 85, "%")
    assert text(saved).startswith("Saved key result: OEE stays high ! Warning: the target equals the start")
    assert okr_marks.key_result_saved("OEE up", "increase", 80, 85, "%") == "Saved key result: OEE up"
