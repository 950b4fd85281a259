"""The JSON API returns what the worked examples predict once their raw records are dropped in the inbox."""

from __future__ import annotations

import pytest

from tests.conftest import Inbox

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,1200
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,1200
L2,2026-11-20 06:00,2026-11-20 14:00,,2200,2110,2400
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned;Filler
L1;2026-11-20 10:00;2026-11-20 10:17;Filler jam;unplanned;Filler
"""


@pytest.fixture
def services(make_services, database_url: str, inbox: Inbox):  # type: ignore[no-untyped-def]
    """The small plant after the scheduled loaders read the inbox (app_client serves it)."""
    built = make_services(database_url)
    outcomes = inbox.load(built, counts=COUNTS, stops=STOPS)
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.message for o in outcomes]
    return built


def test_values_reproduce_the_published_oee_example(app_client) -> None:  # type: ignore[no-untyped-def]
    body = app_client.get("/api/v1/values?kpi=oee,availability,performance,quality&scope=L1"
                      "&grain=shift&period=2026-11-20/E").get_json()
    values = {v["kpi"]: v for v in body["values"]}
    assert round(values["availability"]["value"], 2) == 88.81
    assert round(values["performance"]["value"], 2) == 86.11
    assert round(values["quality"]["value"], 2) == 97.80
    assert round(values["oee"]["value"], 2) == 74.79
    assert values["oee"]["numerator"] == 18848 and values["oee"]["denominator"] == 420 * 60
    assert values["oee"]["status"] == "red"


def test_values_reproduce_schedule_attainment(app_client) -> None:  # type: ignore[no-untyped-def]
    body = app_client.get("/api/v1/values?kpi=schedule_attainment&line=L2&grain=day&period=2026-11-20").get_json()
    assert round(body["values"][0]["value"], 2) == 87.92


def test_plant_rollup_is_ratio_of_sums(app_client) -> None:  # type: ignore[no-untyped-def]
    body = app_client.get("/api/v1/values?kpi=oee&scope=plant&grain=day&period=2026-11-20").get_json()
    plant = body["values"][0]
    # L1: 18,848 good in 420 min; L2: 2,110 good in 420 min (ideal cycle 1 s for both)
    assert plant["numerator"] == 18848 + 2110
    assert plant["denominator"] == 2 * 420 * 60
    assert round(plant["value"], 2) == round(100 * (18848 + 2110) / (2 * 25200), 2)


def test_series_and_grey_days(app_client) -> None:  # type: ignore[no-untyped-def]
    body = app_client.get("/api/v1/values?kpi=oee&scope=L1&grain=day&from=2026-11-19&to=2026-11-20").get_json()
    days = body["series"]["oee"]
    assert [d["period"] for d in days] == ["2026-11-19", "2026-11-20"]
    assert days[0]["value"] is None and days[0]["status"] == "grey"
    assert round(days[1]["value"], 2) == 74.79


def test_board_tree_health_and_definitions(app_client) -> None:  # type: ignore[no-untyped-def]
    board = app_client.get("/api/v1/board?scope=L1&date=2026-11-20&shift=E").get_json()
    assert [c["category"] for c in board["columns"]] == ["S", "Q", "D", "C", "M"]
    delivery = next(c for c in board["columns"] if c["category"] == "D")
    assert delivery["status"] == "red"
    tree = app_client.get("/api/v1/tree?tree=oee&scope=L1&grain=shift&period=2026-11-20/E").get_json()
    root = tree["nodes"][0]
    assert root["key"] == "oee" and root["red_below"] is True and root["formula"] == "product"
    health = app_client.get("/api/v1/health").get_json()
    assert {s["key"] for s in health["sources"]} == {"counts", "stops"}
    assert all(s["last_success"]["status"] == "ok" for s in health["sources"])
    kpis = app_client.get("/api/v1/kpis").get_json()["kpis"]
    assert {k["key"] for k in kpis} >= {"oee", "trir"}


@pytest.mark.parametrize("query, message", [
    ("scope=L9", "unknown scope 'L9'"),
    ("kpi=nope", "kpi: unknown nope"),
    ("grain=fortnight", "grain: expected one of"),
    ("grain=week&period=2026-47", "expected like 2026-W47"),
    ("grain=shift&period=2026-11-20/X", "shift 'X' is not a shift"),
    ("from=2026-11-01", "from and to: give both"),
])
def test_bad_parameters_get_a_clear_400(app_client, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = app_client.get(f"/api/v1/values?{query}")
    assert response.status_code == 400
    assert message in response.get_json()["error"]


OUTSIDE = "is outside the dates Huddle can show (1900-01-01 to 9998-12-31)"


@pytest.mark.parametrize("address, message", [
    ("/api/v1/board?date=9999-12-31&shift=N", f"date: 9999-12-31 {OUTSIDE}"),
    ("/api/v1/board?date=1899-12-31&shift=E", f"date: 1899-12-31 {OUTSIDE}"),
    ("/api/v1/board?date=2026-11-20&shift=X", "shift 'X' is not a shift"),
    ("/api/v1/tree?grain=day&period=0001-01-01", f"period: 0001-01-01 {OUTSIDE}"),
    ("/api/v1/tree?grain=year&period=9999", f"period: 9999 {OUTSIDE}"),
    ("/api/v1/tree/node?grain=week&period=0001-W01", f"period: 0001-W01 {OUTSIDE}"),
    ("/api/v1/review?month=0001-02", f"month: 0001-02 {OUTSIDE}"),
    ("/api/v1/review.xlsx?month=9999-12", f"month: 9999-12 {OUTSIDE}"),
    ("/api/v1/okr?quarter=0001-Q1", f"quarter: 0001-Q1 {OUTSIDE}"),
    ("/api/v1/okr/checkins.csv?quarter=9999-Q4", f"quarter: 9999-Q4 {OUTSIDE}"),
    ("/api/v1/values?from=0001-01-01&to=2026-11-20", f"from: 0001-01-01 {OUTSIDE}"),
    ("/api/v1/values?from=2026-11-20&to=31.12.2026", "to: day '31.12.2026'"),
    ("/api/v1/values?from=2026-11-20&to=2026-11-01", "from: 2026-11-20 comes after to (2026-11-01)"),
    ("/api/v1/values?grain=shift&period=9999-12-31/N", f"period: 9999-12-31/N {OUTSIDE}"),
])
def test_dates_outside_the_calendar_get_a_400_naming_the_parameter(app_client, address: str,  # type: ignore[no-untyped-def]
                                                                   message: str) -> None:
    response = app_client.get(address)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


@pytest.mark.parametrize("address", ["/api/v1/board?date=1900-01-01&shift=N", "/api/v1/board?date=9998-12-31&shift=N",
                                     "/api/v1/tree?grain=week&period=9998-W52", "/api/v1/review?month=1900-01",
                                     "/api/v1/okr?quarter=9998-Q4"])
def test_the_first_and_last_dates_huddle_can_show_are_answered(app_client, address: str) -> None:  # type: ignore[no-untyped-def]
    assert app_client.get(address).status_code == 200


def test_an_unexpected_failure_answers_json(app_client, services, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def broken() -> list[dict[str, str]]:
        raise RuntimeError("catalogue unavailable")

    monkeypatch.setattr(services.catalogue, "definitions", broken)
    response = app_client.get("/api/v1/kpis")
    assert response.status_code == 500
    assert response.get_json() == {"error": "the server could not answer this request (the error is logged)"}
    assert "catalogue unavailable" in caplog.text and "/api/v1/kpis" in caplog.text


def test_a_totals_target_is_per_line_and_shift(app_client) -> None:  # type: ignore[no-untyped-def]
    line = app_client.get("/api/v1/values?kpi=unplanned_downtime&scope=L1&grain=shift&period=2026-11-20/E").get_json()
    assert (line["values"][0]["value"], line["values"][0]["target"], line["values"][0]["status"]) == (47, 30, "red")
    plant = app_client.get("/api/v1/values?kpi=unplanned_downtime&scope=plant&grain=day&period=2026-11-20").get_json()
    # two lines ran one shift each: the day's target for the plant is 2 × 30 minutes
    day = plant["values"][0]
    assert (day["value"], day["target"], day["status"]) == (47, 60, "green")


def test_board_marks_a_red_kpi_without_an_action_and_lists_actions(app_client, services) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from huddle.dashboard.services.accounts import Identity

    def oee_item() -> dict:  # type: ignore[type-arg]
        board = app_client.get("/api/v1/board?scope=L1&date=2026-11-20&shift=E").get_json()
        delivery = next(c for c in board["columns"] if c["category"] == "D")
        return next(k for k in delivery["kpis"] if k["kpi"] == "oee")

    assert oee_item()["status"] == "red" and oee_item()["needs_action"] is True
    services.actions.raise_action(Identity("user", "eddie", "editor"), "L1", "Fix the filler jams", "Tom",
                                  date(2026, 11, 23), kpi="oee", raised_for=date(2026, 11, 20))
    assert oee_item()["needs_action"] is False
    listed = app_client.get("/api/v1/actions?scope=plant").get_json()["actions"]
    assert [(a["scope"], a["what"], a["overdue"]) for a in listed] == [("L1", "Fix the filler jams", False)]


def test_tree_says_why_the_root_moved_against_the_previous_period(app_client) -> None:  # type: ignore[no-untyped-def]
    tree = app_client.get("/api/v1/tree?tree=oee&scope=L1&grain=day&period=2026-11-20").get_json()
    why = {c["kpi"]: c for c in tree["why"]["contributions"]}
    assert tree["why"]["against"] == "2026-11-19"
    assert why["oee"]["before"] is None and why["oee"]["contribution"] is None  # no data the day before: not zero
