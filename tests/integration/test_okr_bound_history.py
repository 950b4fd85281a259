"""A key result bound to a KPI has a history for every week of the quarter so far whose KPI data exists, read from
the readings (the board's and tree's number for the same scope and period), not only for the weeks someone checked
in: a team that checks in now and then still sees the line move week by week."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from huddle.dashboard.core.periods import Period, parse_period
from huddle.dashboard.services.accounts import Identity
from huddle.pages.okr import history_figure

from tests.conftest import Inbox

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday of 2026-W48: 2026-W47 is a full week behind
# Line 1 runs one early shift in 2026-W42 (OEE 74.79 %, the published example) and one in 2026-W47 (a slower one)
COUNTS = """line,start,end,product,total,good,planned
L1,2026-10-15 06:00,2026-10-15 10:00,,10000,9800,12000
L1,2026-10-15 10:00,2026-10-15 14:00,,9271,9048,12000
L1,2026-11-16 06:00,2026-11-16 10:00,,8000,7700,12000
L1,2026-11-16 10:00,2026-11-16 14:00,,8000,7900,12000
"""
EDDIE = Identity("user", "eddie", "editor")


@pytest.fixture
def services(make_services, database_url: str, inbox: Inbox):  # type: ignore[no-untyped-def]
    """The small plant with Line 1's two shifts loaded, on a Tuesday in late November."""
    built = make_services(database_url, now=NOW)
    inbox.load(built, counts=COUNTS)
    return built


def _bound(services, window: str) -> int:  # type: ignore[no-untyped-def]
    plans = services.okr_plans
    objective = plans.save_objective(EDDIE, "2026-Q4", "L1", "Line 1 back to world class", "Tom")
    return plans.save_key_result(EDDIE, objective, title="Line 1 OEE", kind="increase", start=60.0, target=80.0,
                                 owner="Tom", kpi="oee", kpi_scope="L1", kpi_window=window)


def _history(services, key_result_id: int) -> dict[str, tuple[float | None, int | None]]:  # type: ignore[no-untyped-def]
    kr = next(k for k in services.okrs.quarter("2026-Q4").key_results if k.id == key_result_id)
    return {p.week: (p.value, p.confidence) for p in kr.history}


def test_a_quarter_to_date_key_result_has_a_value_for_every_week_since_its_data_began(services) -> None:  # type: ignore[no-untyped-def]
    key_result = _bound(services, "quarter")
    # one check-in only, this week: the weeks before have none
    services.okr_check_ins.check_in(EDDIE, key_result, 0, value=None, confidence=6)
    history = _history(services, key_result)
    assert list(history) == [f"2026-W{n}" for n in range(40, 49)]  # 1 October to this week

    def to_date(last: date) -> float | None:
        return services.readings.reading("oee", "L1", Period("quarter", date(2026, 10, 1), last)).value

    assert history["2026-W40"] == (None, None) and history["2026-W41"] == (None, None)  # no data yet
    october = to_date(date(2026, 10, 18))
    assert october is not None and round(october, 2) == 74.79
    for week in ("2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46"):
        assert history[week] == (pytest.approx(october), None)  # the quarter to date as it stood that Sunday
    november = to_date(date(2026, 11, 22))
    assert november is not None and round(november, 2) != round(october, 2)
    assert history["2026-W47"] == (pytest.approx(november), None)
    # this week's point is the number the check-in saved and the page shows as the KPI's now
    assert history["2026-W48"] == (pytest.approx(to_date(date(2026, 11, 24))), 6)


def test_a_weekly_key_result_shows_each_full_weeks_own_value(services) -> None:  # type: ignore[no-untyped-def]
    key_result = _bound(services, "week")
    history = _history(services, key_result)

    def week(label: str) -> float | None:
        return services.readings.reading("oee", "L1", parse_period("week", label)).value

    assert history["2026-W42"][0] == pytest.approx(week("2026-W42"))
    assert history["2026-W47"][0] == pytest.approx(week("2026-W47"))
    assert history["2026-W47"][0] != pytest.approx(history["2026-W42"][0])
    assert [w for w, (value, _) in history.items() if value is None] == [
        "2026-W40", "2026-W41", "2026-W43", "2026-W44", "2026-W45", "2026-W46"]  # weeks without a shift run
    # this week is not over: the check-in (and the point) reads the latest full week, as the page's "now" does
    assert history["2026-W48"][0] == pytest.approx(week("2026-W47"))


def test_the_history_chart_draws_the_kpis_weeks(services) -> None:  # type: ignore[no-untyped-def]
    key_result = _bound(services, "quarter")
    kr = next(k for k in services.okrs.quarter("2026-Q4").key_results if k.id == key_result)
    trace = next(t for t in history_figure(kr).to_plotly_json()["data"] if t.get("name") == "KPI value")
    assert list(trace["x"]) == [f"Week {n} 2026" for n in range(40, 49)]
    drawn = [round(v, 2) if v is not None else None for v in trace["y"]]
    assert drawn[:2] == [None, None] and drawn[2] == 74.79 and None not in drawn[2:]


def test_many_periods_read_at_once_are_each_periods_own_readings(services) -> None:  # type: ignore[no-untyped-def]
    kpis = ["oee", "availability", "performance", "quality", "schedule_attainment", "unplanned_downtime", "trir"]
    periods = [Period("quarter", date(2026, 10, 1), date(2026, 10, 18)), parse_period("week", "2026-W47"),
               parse_period("week", "2026-W44"), parse_period("shift", "2026-11-16/E"),
               Period("quarter", date(2026, 10, 1), date(2026, 11, 24))]
    for scope in ("L1", "L2", "a", "plant"):
        many = services.readings.readings_over(kpis, scope, periods)
        assert list(many) == periods
        for period in periods:
            assert many[period] == services.readings.readings(kpis, scope, period), (scope, period.label)


def test_many_scopes_read_at_once_are_each_scopes_own_readings(services) -> None:  # type: ignore[no-untyped-def]
    kpis = ["oee", "availability", "quality", "unplanned_downtime", "trir"]
    periods = [Period("quarter", date(2026, 10, 1), date(2026, 10, 18)), parse_period("week", "2026-W47"),
               parse_period("month", "2026-11"), parse_period("shift", "2026-11-16/E"),
               Period("quarter", date(2026, 10, 1), date(2026, 11, 24))]
    asked = {scope: {p: kpis[: 2 + n] for p in periods[n:]} for n, scope in enumerate(("L1", "L2", "a", "plant"))}
    many = services.readings.readings_by_scope(asked)
    assert {scope: list(read) for scope, read in many.items()} == {scope: periods[n:] for n, scope in
                                                                   enumerate(("L1", "L2", "a", "plant"))}
    for scope, wanted in asked.items():
        for period, keys in wanted.items():
            assert many[scope][period] == services.readings.readings(keys, scope, period), (scope, period.label)
    assert any(r.value is not None for read in many.values() for by_kpi in read.values() for r in by_kpi.values())


def test_many_scopes_values_and_statuses_are_their_readings_own(services) -> None:  # type: ignore[no-untyped-def]
    kpis = ["oee", "availability", "quality", "unplanned_downtime", "trir"]
    periods = [Period("quarter", date(2026, 10, 1), date(2026, 10, 18)), parse_period("week", "2026-W47"),
               parse_period("month", "2026-11"), parse_period("shift", "2026-11-16/E"),
               Period("month", date(2026, 12, 1), date(2026, 12, 3))]
    asked = {scope: {p: kpis for p in periods} for scope in ("L1", "a", "plant")}
    points = services.readings.points_by_scope(asked)
    for scope, wanted in asked.items():
        for period, keys in wanted.items():
            read = services.readings.readings(keys, scope, period)
            assert {k: (p.period, p.value, p.status) for k, p in points[scope][period].items()} == {
                k: (period.label, r.value, r.status) for k, r in read.items()}, (scope, period.label)
    assert any(p.value is not None for read in points.values() for by_kpi in read.values() for p in by_kpi.values())
