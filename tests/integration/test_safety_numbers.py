"""Safety's numbers are one fact each: days since the last recordable and TRIR of the month and of the rolling
12 months read the same on the board's tiles, under the safety cross, in the API's board and in the readings service.

Hand-made records in the inbox of a small plant (times local, Europe/Berlin): Line 1 had recordables on
10 March and 11 October 2026 18:00 CEST (16:00 UTC); Line 2 never had one and its data begins with the early shift
of Monday 2 November; Line 3 has no data at all. The board shows the early shift of 20 November (06:00–14:00 CET,
ending 13:00 UTC) at 20:00 UTC, while the late shift runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services import board, safety
from huddle.pages.board import render_board

from tests.conftest import SMALL_PLANT, Inbox, client_for

PLANT = (SMALL_PLANT
         .replace("{key: L2, name: Line 2, ideal_cycle_s: 1.0}]",
                  "{key: L2, name: Line 2, ideal_cycle_s: 1.0}, {key: L3, name: Line 3, ideal_cycle_s: 1.0}]")
         .replace("kpis:\n", "kpis:\n  - {key: days_since_recordable, name: Days since last recordable, category: S, "
                             "target: 30, frequency: day, owner: A, data_source: EHS}\n")
         + """\
  - {key: safety, kind: files, record: safety_events, path: "${data_dir}/inbox/safety", settle_seconds: 0}
  - {key: labour, kind: files, record: labour, path: "${data_dir}/inbox/labour", settle_seconds: 0}
""")
assert "L3" in PLANT and "days_since_recordable" in PLANT

SAFETY = """time,location,type,description
2026-03-10 10:00,L1,recordable,cut
2026-10-11 18:00,L1,recordable,burn
2026-11-05 10:00,L2,near_miss,forklift
2026-11-19 10:00,L1,near_miss,trip
"""
# hours worked: 90,000 h on Line 1 in June, 50,000 h on each line in November (Line 2's data begins here)
LABOUR = """line,date,shift,planned_headcount,present_headcount,hours_worked
L1,2026-06-01,E,4000,4000,90000
L1,2026-11-02,E,4000,4000,50000
L2,2026-11-02,E,4000,4000,50000
"""
EARLY = parse_period("shift", "2026-11-20/E")
LATE = parse_period("shift", "2026-11-20/L")
NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def _services(make_services: Any, database_url: str, tmp_path: Path, now: datetime = NOW) -> Any:
    """Services on the plant after the loaders read the safety and labour records."""
    plant = tmp_path / "safety_plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=now, plant=plant)
    outcomes = Inbox(tmp_path / "inbox").load(services, safety=SAFETY, labour=LABOUR)
    assert all(o.status in ("ok", "idle") for o in outcomes), [o.message for o in outcomes]
    return services


def _safety_column(view: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in view["columns"] if c["category"] == "S")


def _tile(column: dict[str, Any], kpi: str) -> dict[str, Any]:
    return next(k for k in column["kpis"] if k["kpi"] == kpi)


def _api_board(services: Any, scope: str, period: str) -> dict[str, Any]:
    response = client_for(services).get(f"/api/v1/board?scope={scope}&grain=shift&period={period}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _texts(component: Any) -> list[str]:
    """Every text in a rendered Dash component tree, in order."""
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [t for c in component for t in _texts(c)]
    return _texts(getattr(component, "children", None))


def _find(component: Any, class_part: str) -> list[Any]:
    """Components whose class names contain a word."""
    found = []
    if isinstance(component, list | tuple):
        for c in component:
            found += _find(c, class_part)
    elif component is not None and not isinstance(component, str | int | float):
        if class_part in (getattr(component, "className", None) or "").split():
            found.append(component)
        found += _find(getattr(component, "children", None), class_part)
    return found


def test_days_since_is_counted_at_the_end_of_the_shift_shown_everywhere(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    # 11 October 16:00 UTC to the early shift's end (20 November 13:00 UTC) is 39 days 21 h; to now it is 40 days
    view = board.board_view(services, "L1", EARLY)
    column = _safety_column(view)
    tile = _tile(column, "days_since_recordable")
    facts = column["safety"]
    assert (tile["raw"], tile["value"], tile["status"]) == (39, "39 days", "green")
    assert tile["period"] == EARLY.label and not tile["own_period"] and tile["note"] == ""
    assert (facts["days_since"]["value"], facts["days_since"]["text"], facts["days_since"]["status"]) == (
        39, "39 days", "green")
    assert facts["days_since"]["label"] == "Days since last recordable"
    assert facts["days_since"]["last_recordable"] == "Sun 11 Oct"
    assert facts["as_of"] == datetime(2026, 11, 20, 13, 0, tzinfo=UTC).isoformat()
    cross = safety.safety_cross(services, services.config, "L1", EARLY, NOW)
    assert cross.numbers.days_since.value == 39
    assert cross.numbers.last_recordable == datetime(2026, 10, 11, 16, 0, tzinfo=UTC)
    assert services.readings.reading("days_since_recordable", "L1", EARLY).value == 39  # the tree's reading

    api = _api_board(services, "L1", EARLY.label)
    s = next(c for c in api["columns"] if c["category"] == "S")
    assert next(k for k in s["kpis"] if k["kpi"] == "days_since_recordable")["value"] == 39
    assert s["safety"]["days_since"]["value"] == 39 and s["safety"]["days_since"]["status"] == "green"

    # the late shift still runs: it counts to now, 40 days, on the tile and under the cross alike
    live = _safety_column(board.board_view(services, "L1", LATE))
    assert _tile(live, "days_since_recordable")["raw"] == 40 == live["safety"]["days_since"]["value"]


def test_month_and_twelve_month_trir_each_carry_a_status(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    column = _safety_column(board.board_view(services, "L1", EARLY))
    month, rolling = column["safety"]["trir_month"], column["safety"]["trir_12m"]
    # November: no recordable over 50,000 h; 21 November 2025 to 20 November 2026: 2 over 140,000 h
    assert (month["value"], month["status"], month["label"], month["period"]) == (
        0, "green", "TRIR, November 2026", "2026-11")
    assert (rolling["numerator"], rolling["denominator"]) == (2, 140_000)
    assert (rolling["text"], rolling["target"], rolling["status"]) == ("2.86", 2, "red")
    assert (rolling["label"], rolling["first"], rolling["last"]) == ("TRIR, last 12 months", "2025-11-21",
                                                                     "2026-11-20")
    tile = _tile(column, "trir")
    assert (tile["raw"], tile["status"], tile["period"]) == (month["value"], month["status"], month["period"])

    plant = _api_board(services, "plant", EARLY.label)
    s = next(c for c in plant["columns"] if c["category"] == "S")
    assert (s["safety"]["trir_month"]["value"], s["safety"]["trir_month"]["status"]) == (0, "green")
    assert (s["safety"]["trir_12m"]["numerator"], s["safety"]["trir_12m"]["denominator"]) == (2, 190_000)
    assert s["safety"]["trir_12m"]["status"] == "red"
    assert next(k for k in s["kpis"] if k["kpi"] == "trir")["value"] == s["safety"]["trir_month"]["value"]


def test_a_clean_record_counts_from_the_start_of_the_data(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    # Line 2's data begins with the early shift of 2 November (05:00 UTC): 18 days 8 h before the shift's end
    column = _safety_column(board.board_view(services, "L2", EARLY))
    facts, tile = column["safety"]["days_since"], _tile(column, "days_since_recordable")
    assert (facts["value"], facts["status"], facts["label"]) == (18, "red", "No recordable since 2 Nov 2026")
    assert facts["last_recordable"] is None
    assert (tile["raw"], tile["status"], tile["note"]) == (18, "red", "No recordable since 2 Nov 2026")
    reading = services.readings.reading("days_since_recordable", "L2", EARLY)
    assert (reading.value, reading.status) == (18, "red")
    assert reading.parts == {"no_recordable_since": datetime(2026, 11, 2, 5, 0, tzinfo=UTC).isoformat()}
    api = next(c for c in _api_board(services, "L2", EARLY.label)["columns"] if c["category"] == "S")
    assert api["safety"]["days_since"]["label"] == "No recordable since 2 Nov 2026"
    assert api["safety"]["days_since"]["value"] == 18

    # a month later the same clean record is 48 days against a target of 30: good news, in green
    later = make_services(database_url, now=datetime(2026, 12, 20, 20, 0, tzinfo=UTC),
                          plant=tmp_path / "safety_plant.yaml")
    december = board.board_view(later, "L2", parse_period("shift", "2026-12-20/E"))
    days = _safety_column(december)["safety"]["days_since"]
    assert (days["value"], days["status"], days["label"]) == (48, "green", "No recordable since 2 Nov 2026")


def test_a_line_without_any_data_has_no_days_since(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    column = _safety_column(board.board_view(services, "L3", EARLY))
    facts = column["safety"]
    assert (facts["days_since"]["value"], facts["days_since"]["status"], facts["days_since"]["text"]) == (
        None, "grey", "—")
    assert facts["days_since"]["label"] == "Days since last recordable"
    assert (facts["trir_month"]["status"], facts["trir_12m"]["status"]) == ("grey", "grey")
    assert _tile(column, "days_since_recordable")["note"] == ""
    # before Line 2's data began it had no data either: the clean record starts with the data
    assert services.readings.reading("days_since_recordable", "L2", parse_period("day", "2026-10-30")).value is None


@pytest.mark.parametrize("scope", ["L1", "L2", "L3"])
def test_the_board_renders_each_safety_number_with_its_status(  # type: ignore[no-untyped-def]
        make_services, tmp_path: Path, scope: str) -> None:
    services = _services(make_services, None, tmp_path)
    view = board.board_view(services, scope, EARLY)
    facts = _safety_column(view)["safety"]
    body = render_board(view)
    rows = _find(body, "cross-fact")
    assert len(rows) == 3
    for row, key in zip(rows, ("days_since", "trir_month", "trir_12m"), strict=True):
        fact = facts[key]
        assert f"status-{fact['status']}" in row.className.split()
        texts = _texts(row)
        assert fact["label"] in texts[0] and fact["text"] in texts
        badge = _find(row, "badge")[0]
        assert badge.className == f"badge status-{fact['status']}"
        assert _texts(badge)[0].endswith({"green": "on target", "red": "off target", "grey": "no data"}[
            fact["status"]])
    if scope == "L2":
        notes = _find(body, "kpi-note")
        assert [_texts(n) for n in notes] == [["No recordable since 2 Nov 2026"]]
