"""The monthly review's read model on each backend: 12 months ending with the review month, each against the target
in force that month (a target changed during the year does not rewrite history), year to date, red months with the
countermeasures raised for them (and marked when there are none), red streaks as OKR candidates, the month's stops
by reason, the lines side by side, and the API's review with its exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.review import build_review, last_full_month, months_ending

from tests.conftest import SMALL_PLANT, Inbox

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
# OEE 74.79 % on Line 1 in September, October and November (the published example, one early shift a month);
# Line 2 runs well in November only
COUNTS = """line,start,end,product,total,good,planned
L1,2026-09-15 06:00,2026-09-15 10:00,,10000,9800,12000
L1,2026-09-15 10:00,2026-09-15 14:00,,9271,9048,12000
L1,2026-10-15 06:00,2026-10-15 10:00,,10000,9800,12000
L1,2026-10-15 10:00,2026-10-15 14:00,,9271,9048,12000
L1,2026-11-16 06:00,2026-11-16 10:00,,10000,9800,12000
L1,2026-11-16 10:00,2026-11-16 14:00,,9271,9048,12000
L2,2026-11-16 06:00,2026-11-16 14:00,,26000,25900,26000
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-16 07:00;2026-11-16 07:30;Filler jam;unplanned;Filler
L1;2026-11-16 10:00;2026-11-16 10:17;Filler jam;unplanned;Filler
L1;2026-10-15 07:00;2026-10-15 07:30;Capper fault;unplanned;Capper
L1;2026-10-15 10:00;2026-10-15 10:17;Capper fault;unplanned;Capper
L1;2026-09-15 07:00;2026-09-15 07:47;Label misfeed;unplanned;Labeller
"""
# OEE's target was 85 % until November, when the plant set 80 %: September and October keep 85 %
REVIEW_PLANT = SMALL_PLANT.replace(
    "  - {key: oee, name: OEE, category: D, target: 85, owner: A, data_source: MES}",
    "  - {key: oee, name: OEE, category: D, owner: A, data_source: MES,\n"
    "     targets: [{from: 2026-01-01, target: 85}, {from: 2026-11-01, target: 80}]}")


@pytest.fixture
def services(make_services, database_url: str, tmp_path: Path, inbox: Inbox):  # type: ignore[no-untyped-def]
    """The small plant with three months of Line 1 and a countermeasure for October's red OEE."""
    plant = tmp_path / "review-plant.yaml"
    plant.write_text(REVIEW_PLANT, encoding="utf-8")
    built = make_services(database_url, now=NOW, plant=plant)
    inbox.load(built, counts=COUNTS, stops=STOPS)  # no row rejected
    built.actions.raise_action(Identity("user", "eddie", "editor"), "L1", "Capper torque check every shift",
                               "Tom", date(2026, 10, 30), kpi="oee", raised_for=date(2026, 10, 16))
    return built


def test_twelve_months_each_against_its_own_target(services) -> None:  # type: ignore[no-untyped-def]
    month = last_full_month(services.config, NOW)
    assert month == parse_period("month", "2026-11")
    review = build_review(services, "L1", month)
    assert [m.label for m in review.months] == [m.label for m in months_ending(month)]
    assert review.months[0].label == "2025-12" and len(review.months) == 12
    oee = next(r for r in review.rows if r.kpi.key == "oee")
    cells = {c.reading.period: c for c in oee.cells}
    assert round(cells["2026-10"].reading.value, 2) == 74.79
    assert cells["2026-10"].reading.target == 85 and cells["2026-11"].reading.target == 80
    assert cells["2026-08"].reading.value is None and str(cells["2026-08"].reading.status) == "grey"
    assert [str(cells[m].reading.status) for m in ("2026-09", "2026-10", "2026-11")] == ["red"] * 3
    assert oee.red_streak == 3 and oee in review.candidates
    # year to date is a ratio of sums over the three shifts, against the target in force at the month's end
    assert round(oee.ytd.value, 2) == 74.79 and oee.ytd.target == 80
    # the rows come in S Q D C M order
    assert [r.kpi.category for r in review.rows] == sorted((r.kpi.category for r in review.rows), key="SQDCM".index)


def test_red_months_carry_their_countermeasures_or_say_there_are_none(services) -> None:  # type: ignore[no-untyped-def]
    review = build_review(services, "L1", parse_period("month", "2026-11"))
    oee = {c.reading.period: c for c in next(r for r in review.rows if r.kpi.key == "oee").cells}
    assert [a.what for a in oee["2026-10"].countermeasures] == ["Capper torque check every shift"]
    assert not oee["2026-10"].missing_countermeasure
    assert oee["2026-09"].missing_countermeasure and oee["2026-11"].missing_countermeasure
    # the plant's review sees the line's actions too
    plant = build_review(services, "plant", parse_period("month", "2026-11"))
    assert [a.what for a in plant.actions] == ["Capper torque check every shift"]


def test_the_months_losses_and_the_lines_side_by_side(services) -> None:  # type: ignore[no-untyped-def]
    review = build_review(services, "a", parse_period("month", "2026-11"))
    assert [(p.label, round(p.minutes or 0), p.count) for p in review.stops.pareto] == [("Filler jam", 47, 2)]
    october = build_review(services, "a", parse_period("month", "2026-10"))
    assert [p.label for p in october.stops.pareto] == ["Capper fault"]
    assert [s.kpi.key for s in review.lines] == ["oee", "availability", "performance", "quality"]
    oee_lines = review.lines[0].by_line
    assert list(oee_lines) == ["L1", "L2"]
    assert round(oee_lines["L1"][-1].value, 2) == 74.79 and oee_lines["L2"][-2].value is None
    # one grouped query gives what each line's own series gives
    for line in ("L1", "L2"):
        own = services.readings.series_many(["oee", "availability"], line, "month", review.months[0].first,
                                        review.month.last)
        assert [r.as_dict() for r in oee_lines[line]] == [r.as_dict() for r in own["oee"]]
        assert [r.as_dict() for r in review.lines[1].by_line[line]] == [r.as_dict() for r in own["availability"]]
    assert review.why is not None and review.why.previous.label == "2026-10"
    # a line's review shows its own line as the lines' query gives it
    line = build_review(services, "L1", parse_period("month", "2026-11"))
    by_line = services.readings.series_by_line(["oee", "availability", "performance", "quality"], "L1", "month",
                                               line.months[0].first, line.month.last)["L1"]
    assert [s.kpi.key for s in line.lines] == ["oee", "availability", "performance", "quality"]
    assert [[r.as_dict() for r in s.by_line["L1"]] for s in line.lines] == \
        [[r.as_dict() for r in by_line[k]] for k in ("oee", "availability", "performance", "quality")]


def test_each_month_of_the_bowler_reads_as_that_month_alone(services) -> None:  # type: ignore[no-untyped-def]
    # the months' sums come from one query grouped by month in the database: each must be what a reading of that
    # month on its own says, value, data time, coverage and status alike
    month = parse_period("month", "2026-11")
    months = months_ending(month)
    keys = list(services.config.kpis)
    for scope in ("plant", "a", "L1"):
        series = services.readings.series_many(keys, scope, "month", months[0].first, month.last)
        for i, m in enumerate(months):
            alone = services.readings.readings(keys, scope, m)
            assert {k: series[k][i].as_dict() for k in keys} == {k: alone[k].as_dict() for k in keys}, (scope, m)
    series = services.readings.series_many(["oee"], "plant", "month", months[0].first, month.last)["oee"]
    assert [r.period for r in series if r.value is not None] == ["2026-09", "2026-10", "2026-11"]


def test_each_week_of_a_series_reads_as_that_week_alone(services) -> None:  # type: ignore[no-untyped-def]
    # a series' weeks are summed by the database grouped by ISO week, and a week and the one before it are read
    # together by the tree and a node's panel: each must be what a reading of that week on its own says
    first, last = date(2026, 8, 31), date(2026, 11, 29)  # Monday to Sunday: whole weeks
    keys = list(services.config.kpis)
    for scope in ("plant", "a", "L1"):
        series = services.readings.series_many(keys, scope, "week", first, last)
        weeks = [parse_period("week", r.period) for r in series["oee"]]
        assert len(weeks) == 13 and weeks[0].first == first and weeks[-1].last == last
        for i, w in enumerate(weeks):
            alone = services.readings.readings(keys, scope, w)
            assert {k: series[k][i].as_dict() for k in keys} == {k: alone[k].as_dict() for k in keys}, (scope, w)
            both = services.readings.readings_each(keys, scope, (w, w.previous()))
            before = services.readings.readings(keys, scope, w.previous())
            assert {k: r.as_dict() for k, r in both[w].items()} == {k: r.as_dict() for k, r in alone.items()}
            assert {k: r.as_dict() for k, r in both[w.previous()].items()} == \
                {k: r.as_dict() for k, r in before.items()}
    values = [r.value for r in services.readings.series("oee", "plant", "week", first, last)]
    assert any(v is not None for v in values) and any(v is None for v in values)


def test_the_api_serves_the_review_and_its_exports(app_client) -> None:  # type: ignore[no-untyped-def]
    body = app_client.get("/api/v1/review?scope=L1&month=2026-11").get_json()
    oee = next(r for r in body["bowler"] if r["kpi"] == "oee")
    assert [m["target"] for m in oee["months"][-3:]] == [85, 85, 80]
    assert oee["months"][-2]["countermeasures"] and oee["months"][-1]["missing_countermeasure"]
    assert {"kpi": "oee", "red_months": 3} in body["okr_candidates"]
    for ext, start in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("html", b"<!DOCTYPE html")):
        answer = app_client.get(f"/api/v1/review.{ext}?scope=L1&month=2026-11")
        assert answer.status_code == 200 and answer.data.startswith(start), ext
        assert "attachment" in answer.headers["Content-Disposition"]
    assert app_client.get("/api/v1/review.doc?scope=L1").status_code == 404
    assert app_client.get("/api/v1/review?month=2026-13").status_code == 400


def test_the_review_lists_the_causes_behind_the_months_reds(services) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.exports.review_html import review_html
    from huddle.dashboard.exports.review_model import cause_rows
    eddie = Identity("user", "eddie", "editor")
    services.actions.raise_action(eddie, "L1", "Filler seal swap", "Tom", date(2026, 11, 20), kpi="oee",
                                  raised_for=date(2026, 11, 16), cause={
                                      "method": "5why", "whys": ["Filler jammed", "Seal worn"],
                                      "root": "Seal not on the PM plan"})
    services.actions.raise_action(eddie, "L1", "Watch the filler", "Tom", date(2026, 11, 20), kpi="oee",
                                  raised_for=date(2026, 11, 17))  # no cause yet: not listed
    first = services.actions.listing("L1", open_only=False, kpi="oee")
    october = next(a for a in first if a.raised_for == date(2026, 10, 16))
    services.actions.change(eddie, october.id, october.version, cause={  # October's red: not this month's
        "method": "a3", "problem": "OEE red", "cause": "Capper torque drift", "countermeasure": "Torque check"})
    review = build_review(services, "L1", parse_period("month", "2026-11"))
    assert cause_rows(review) == [["OEE", review.scope_name, "Filler seal swap", "5-why", "Seal not on the PM plan"]]
    page = review_html(review)
    assert "Causes behind the reds of November 2026" in page and "Seal not on the PM plan" in page
    assert "Capper torque drift" not in page.split("Causes behind the reds")[1].split("</table>")[0]


def test_the_bowler_and_the_board_say_leading_or_lagging(services, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         make_services, database_url: str) -> None:
    from huddle.dashboard.services.board import board_view
    from huddle.pages.board import render_board
    from huddle.pages.review import bowler

    from tests.integration.test_plant_calendar import _texts
    plant = tmp_path / "leading.yaml"
    plant.write_text(REVIEW_PLANT.replace("name: Availability, category: D,",
                                          "name: Availability, category: D, leading: leading,"), encoding="utf-8")
    built = make_services(database_url, now=NOW, plant=plant)
    review = build_review(built, "L1", parse_period("month", "2026-11"))
    lines = [t for t in _texts(bowler(review)) if " · " in t and t.endswith(("leading", "lagging"))]
    said = {r.kpi.name: lines[i].rsplit(" · ", 1)[1] for i, r in enumerate(review.rows)}
    assert said["Availability"] == "leading" and said["OEE"] == "lagging"
    board = render_board(board_view(built, "L1", parse_period("shift", "2026-11-20/E")))
    assert "leading" in _texts(board) and "lagging" in _texts(board)
