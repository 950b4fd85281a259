"""The OKR cycle's two honest readings, on SQLite and PostgreSQL: a maintain key result (target equal to start) is
planned with a warning (form, file, API) and scored holding or slipping on the page's read model, the API and the
exports; a key result bound to a KPI reads this month or the quarter to date, and its months show the red month a
green quarter to date hides, each month the readings service's own number and status."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from huddle.dashboard.core.okr_scoring import KrStatus
from huddle.dashboard.core.periods import Period
from huddle.dashboard.exports.okr_checkins import checkins_csv, checkins_workbook
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.review import candidate_kpis
from openpyxl import load_workbook

from tests.conftest import Inbox
from tests.integration.test_okr_import import ORIGIN, _signed_in

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tuesday 1 December, 13:00 in Berlin: the early shift is running
# Line 1's quality: October on target (99.98 %), November off it (98.5 %), December so far on it (100 %); the
# quarter to date (99.93 %) is on target and would hide November
COUNTS = """line,start,end,product,total,good,planned
L1,2026-10-15 06:00,2026-10-15 14:00,,20000,19995,20000
L1,2026-11-16 06:00,2026-11-16 14:00,,1000,985,1000
L1,2026-12-01 06:00,2026-12-01 13:00,,7000,7000,7000
"""
EDDIE = Identity("user", "eddie", "editor")


@pytest.fixture
def services(make_services: Any, database_url: str, inbox: Inbox) -> Any:
    """The small plant with Line 1's three months loaded, on the first day of December."""
    built = make_services(database_url, now=NOW)
    inbox.load(built, counts=COUNTS)
    return built


def _objective(services: Any) -> int:
    return services.okr_plans.save_objective(EDDIE, "2026-Q4", "L1", "Line 1 makes it right first time", "Tom")


def _kr(services: Any, key_result_id: int) -> Any:
    return next(k for k in services.okrs.quarter("2026-Q4").key_results if k.id == key_result_id)


def test_a_maintain_key_result_is_stored_and_holds_or_slips(services: Any) -> None:
    objective = _objective(services)
    plans, check_ins = services.okr_plans, services.okr_check_ins
    kept = plans.save_key_result(EDDIE, objective, title="Changeovers stay short", kind="decrease", start=20,
                                 target=20, unit="min", owner="Tom")  # a warning, not a refusal
    moving = plans.save_key_result(EDDIE, objective, title="Jams per week", kind="decrease", start=12, target=4,
                                   owner="Tom")
    kr = _kr(services, kept)
    assert kr.maintain and kr.status is KrStatus.NO_DATA and kr.rule == "maintain at or below 20 min"
    check_ins.check_in(EDDIE, kept, 0, value=18, confidence=8)
    check_ins.check_in(EDDIE, moving, 0, value=8, confidence=6)
    kr = _kr(services, kept)
    assert (kr.progress, kr.status) == (None, KrStatus.HOLDING)  # below a level to keep low: holding
    check_ins.check_in(EDDIE, kept, 1, value=23, confidence=8)  # the week's correction: above it now
    view = services.okrs.quarter("2026-Q4")
    kr = next(k for k in view.key_results if k.id == kept)
    assert (kr.progress, kr.status) == (None, KrStatus.SLIPPING)
    # the objective stands where its weakest key result stands: slipping counts as off track; its progress is
    # the moving key result's alone (the level adds no progress)
    assert view.objectives[0].status is KrStatus.OFF_TRACK
    assert view.objectives[0].progress == pytest.approx(0.5)
    assert "confidence 8/10 but off track" in (kr.disagreement or "")
    shown = view.as_dict()["objectives"][0]["key_results"][0]
    assert (shown["status"], shown["maintain"], shown["progress"]) == ("slipping", True, None)
    rows = services.okrs.check_in_rows("2026-Q4")
    parsed = list(csv.DictReader(io.StringIO(checkins_csv(rows).decode("utf-8-sig"))))
    assert {r["Key result status now"] for r in parsed if r["Key result"] == "Changeovers stay short"} == {"slipping"}
    book = load_workbook(io.BytesIO(checkins_workbook(view, rows)))
    sheet = book["Key results"]
    heads = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[3] == "Changeovers stay short")
    assert row[heads.index("Status")] == "slipping" and row[heads.index("Progress")] is None


def test_a_maintain_key_result_scores_one_when_held_at_the_close(make_services: Any, database_url: str) -> None:
    planning = make_services(database_url, now=NOW)
    objective = _objective(planning)
    held = planning.okr_plans.save_key_result(EDDIE, objective, title="Scrap stays low", kind="decrease", start=2,
                                              target=2, unit="%", owner="Tom")
    slipped = planning.okr_plans.save_key_result(EDDIE, objective, title="OEE stays high", kind="increase",
                                                 start=80, target=80, unit="%", owner="Tom")
    planning.okr_check_ins.check_in(EDDIE, held, 0, value=1.8, confidence=7)
    planning.okr_check_ins.check_in(EDDIE, slipped, 0, value=79, confidence=7)
    closing = make_services(database_url, now=datetime(2026, 12, 28, 12, 0, tzinfo=UTC))
    assert closing.okr_plans.close_quarter(EDDIE, "2026-Q4") == 2
    scores = {k.title: k.score for k in closing.okrs.quarter("2026-Q4").key_results}
    assert scores == {"Scrap stays low": 1.0, "OEE stays high": 0.0}


def test_the_file_and_the_api_store_a_maintain_key_result_with_a_warning(services: Any, tmp_path: Path,
                                                                        plant_file: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    document = {"quarter": "2026-Q4", "objectives": [{
        "title": "Line 1 keeps its quality", "scope": "L1", "owner": "Tom", "key_results": [
            {"title": "Quality stays up", "kind": "increase", "start": 99.9, "target": 99.9, "owner": "Tom",
             "kpi": "quality"},
            {"title": "Jams per week", "kind": "decrease", "start": 12, "target": 4, "owner": "Tom"}]}]}
    client = _signed_in(services, ("erin", "erin-editor-password"), "editor")
    answer = client.post("/api/v1/okr", json=document, headers=ORIGIN)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["warnings"] == [
        'objective 1 ("Line 1 keeps its quality"), key result 1 ("Quality stays up"): target: the target equals the '
        "start: this key result keeps 99.9 rather than moving it, so it is scored holding (while at or above 99.9) "
        "or slipping, not by progress; keeping a level is the KPI's job on the board, an OKR's is to move one"]
    kr = next(k for k in client.get("/api/v1/okr?quarter=2026-Q4").get_json()["objectives"][0]["key_results"]
              if k["title"] == "Quality stays up")
    assert (kr["maintain"], kr["status"], kr["progress"]) == (True, "holding", None)  # 99.93 % to date

    from huddle.dashboard.cli import main

    document["objectives"][0]["title"] = "Line 1 keeps its quality, again"
    (tmp_path / "okrs.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    code = main(["--data-dir", str(tmp_path), "--plant-config", str(plant_file), "--now", "2026-12-01T13:00",
                 "--database-url", services.settings.database_url, "okr", "import", str(tmp_path / "okrs.yaml")])
    said = capsys.readouterr().out
    assert code == 0, said
    assert ('warning: ' + str(tmp_path / "okrs.yaml") + ': objective 1 ("Line 1 keeps its quality, again"), '
            'key result 1 ("Quality stays up"): target: the target equals the start') in said
    assert "okr: imported 1 objectives with 2 key results" in said


def _bound(services: Any, window: str) -> int:
    return services.okr_plans.save_key_result(EDDIE, _objective(services), title="Line 1 quality",
                                              kind="increase", start=99.0, target=99.9, owner="Tom",
                                              kpi="quality", kpi_scope="L1", kpi_window=window)


def test_a_red_month_shows_inside_a_green_quarter_to_date(services: Any) -> None:
    kr = _kr(services, _bound(services, "quarter"))
    readings = services.readings

    def reading(first: date, last: date, grain: str = "month") -> Any:
        return readings.reading("quality", "L1", Period(grain, first, last))

    quarter = reading(date(2026, 10, 1), date(2026, 12, 1), "quarter")
    assert kr.current == pytest.approx(quarter.value) and kr.kpi_status == "green" == str(quarter.status)
    months = [(m.month, m.value, m.status, m.running) for m in kr.months]
    assert months == [
        ("2026-10", pytest.approx(reading(date(2026, 10, 1), date(2026, 10, 31)).value), "green", False),
        ("2026-11", pytest.approx(98.5), "red", False),
        ("2026-12", pytest.approx(reading(date(2026, 12, 1), date(2026, 12, 1)).value), "green", True)]
    assert [m.month for m in kr.red_months] == ["2026-11"]
    shown = services.okrs.quarter("2026-Q4").as_dict()["objectives"][0]["key_results"][0]
    assert shown["red_months"] == ["2026-11"]
    assert [(m["month"], m["status"], m["to_date"]) for m in shown["months"]] == [
        ("2026-10", "green", False), ("2026-11", "red", False), ("2026-12", "green", True)]
    rows = services.okrs.check_in_rows("2026-Q4")
    assert rows == []  # nobody checked in: the workbook's key-result sheet still says the months
    book = load_workbook(io.BytesIO(checkins_workbook(services.okrs.quarter("2026-Q4"), rows)))
    heads = [c.value for c in book["Key results"][1]]
    said = next(book["Key results"].iter_rows(min_row=2, values_only=True))[heads.index("Bound KPI by month")]
    assert "Nov 2026: 98.5 % ✗ off target" in said and "Dec 2026 (to date): 100.0 % ✓ on target" in said
    # the same month is the review's: one red month is not yet a candidate objective (three running are)
    november = Period("month", date(2026, 11, 1), date(2026, 11, 30))
    assert [c.kpi.key for c in candidate_kpis(services, "L1", november)] == []


def test_a_key_result_can_read_this_month_to_date(services: Any) -> None:
    kr = _kr(services, _bound(services, "month"))
    december = services.readings.reading("quality", "L1", Period("month", date(2026, 12, 1), date(2026, 12, 1)))
    assert kr.current == pytest.approx(december.value) and kr.kpi_window == "month"
    assert kr.source == "Quality at Line 1 – Area A, month to date (1 Dec–1 Dec)"
    # the month to date is green, and November, the latest complete month, was red: it is named
    assert [m.month for m in kr.red_months] == ["2026-11"]


def test_an_incomplete_month_is_never_called_red(make_services: Any, database_url: str, inbox: Inbox) -> None:
    services = make_services(database_url, now=NOW)
    # November's data stops at 10:00 of a shift that ran to 14:00: the month has gaps, it is not red
    inbox.load(services, counts=COUNTS.replace("L1,2026-11-16 06:00,2026-11-16 14:00,,1000,985,1000",
                                               "L1,2026-11-16 06:00,2026-11-16 10:00,,1000,985,1000"))
    kr = _kr(services, _bound(services, "quarter"))
    november = next(m for m in kr.months if m.month == "2026-11")
    assert november.status == "incomplete" and kr.red_months == []


def test_a_candidate_objectives_red_months_are_the_ones_a_bound_key_result_shows(make_services: Any,
                                                                                 database_url: str,
                                                                                 tmp_path: Path) -> None:
    from tests.integration.test_review import COUNTS as REVIEW_COUNTS
    from tests.integration.test_review import NOW as DECEMBER
    from tests.integration.test_review import REVIEW_PLANT, STOPS

    plant = tmp_path / "review-plant.yaml"
    plant.write_text(REVIEW_PLANT, encoding="utf-8")
    services = make_services(database_url, now=DECEMBER, plant=plant)  # Line 1's OEE red September to November
    Inbox(tmp_path / "inbox").load(services, counts=REVIEW_COUNTS, stops=STOPS)
    november = Period("month", date(2026, 11, 1), date(2026, 11, 30))
    (candidate,) = [c for c in candidate_kpis(services, "L1", november) if c.kpi.key == "oee"]
    objective = _objective(services)
    kr = _kr(services, services.okr_plans.save_key_result(EDDIE, objective, title="Line 1 OEE", kind="increase",
                                                          start=70.0, target=80.0, owner="Tom", kpi="oee",
                                                          kpi_scope="L1"))
    # the quarter's complete months the key result shows red are the last of the candidate's red streak, read by the
    # same readings service with the same statuses
    complete = [m for m in kr.months if not m.running]
    assert [(m.month, m.status) for m in complete] == [("2026-10", "red"), ("2026-11", "red")]
    assert candidate.red_months == 3 and candidate.latest.value == pytest.approx(complete[-1].value)
    # December has no data yet, so the quarter to date is stale, not red: November's red is named beside it
    assert kr.kpi_status == "stale" and [m.month for m in kr.red_months] == ["2026-11"]
