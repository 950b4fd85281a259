"""The board's refresh as a TV sends it: a full board once, then nothing while nothing changed, and a new board
as soon as a loader stores new data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from huddle.dashboard.web.address import BoardAddress

from tests.conftest import SMALL_PLANT, client_for, write_past

ORIGIN = {"Origin": "http://localhost"}


def refresh(client: Any, view: dict[str, Any], key: str | None, initial: bool = False) -> Any:
    """POST the board's refresh callback the way the browser does (``initial``: its first call, on page load)."""
    payload = {
        "output": "..board-body.children...board-key.data..",
        "outputs": [{"id": "board-body", "property": "children"}, {"id": "board-key", "property": "data"}],
        "inputs": [{"id": "board-refresh", "property": "n_intervals", "value": 3},
                   {"id": "board-cycle", "property": "n_intervals", "value": None},
                   {"id": "board-view", "property": "data", "value": view},
                   {"id": "action-changed", "property": "data", "value": 0}],
        "state": [{"id": "board-key", "property": "data", "value": key}],
        "changedPropIds": [] if initial else ["board-refresh.n_intervals"],
    }
    return client.post("/_dash-update-component", json=payload, headers=ORIGIN)


def test_refresh_sends_nothing_until_the_data_changes(make_services, tmp_path: Path) -> None:
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    write_past(tmp_path / "inbox/counts/a.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 06:00,2026-11-20 10:00,10000,9800,12000\n")
    services.loader.run_all()
    client = client_for(services)
    view = BoardAddress.from_query({"scope": "L1", "date": "2026-11-20", "shift": "E"}).as_view()
    first = refresh(client, view, None)
    assert first.status_code == 200 and len(first.data) > 5000
    key = first.get_json()["response"]["board-key"]["data"]
    again = refresh(client, view, key)
    assert again.status_code == 204 and again.data == b""  # nothing changed: nothing sent
    write_past(tmp_path / "inbox/counts/b.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 10:00,2026-11-20 14:00,9271,9048,12000\n")
    services.loader.run_all()
    changed = refresh(client, view, key)
    assert changed.status_code == 200 and changed.get_json()["response"]["board-key"]["data"] != key
    assert "18,848" not in first.get_data(as_text=True) and "18,848" in changed.get_data(as_text=True)


def test_a_failing_loader_shows_as_a_strip_and_old_data_of_a_running_shift_as_stale(make_services,  # type: ignore[no-untyped-def]
                                                                                    tmp_path: Path) -> None:
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.services.board import board_view

    # OEE is fed hourly here; the late shift runs (21:30 plant time) but its counts stopped at 15:00
    plant = tmp_path / "hourly.yaml"
    plant.write_text(SMALL_PLANT.replace("{key: oee, name: OEE, category: D, target: 85,",
                                         "{key: oee, name: OEE, category: D, target: 85, frequency: hour,"))
    services = make_services(None, now=datetime(2026, 11, 20, 20, 30, tzinfo=UTC), plant=plant)
    write_past(tmp_path / "inbox/counts/a.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 14:00,2026-11-20 15:00,3000,2950,3100\n")
    services.loader.run_all()  # the stops folder does not exist: that loader fails
    late = Period("shift", date(2026, 11, 20), date(2026, 11, 20), "L")
    view = board_view(services, "L1", late)
    assert view["failing_sources"] == ["stops"]
    client = client_for(services)
    late_view = BoardAddress.from_query({"scope": "L1", "date": "2026-11-20", "shift": "L"}).as_view()
    body = refresh(client, late_view, None)
    assert "Loader failing: stops" in body.get_data(as_text=True)
    delivery = next(c for c in view["columns"] if c["category"] == "D")
    tiles = {k["kpi"]: k for k in delivery["kpis"]}
    assert tiles["oee"]["status"] == "stale"  # 6.5 h old, an hourly KPI allows 1 h (+1 h grace): never an old green
    assert tiles["availability"]["status"] != "stale"  # fed per shift: 6.5 h is within what a shift allows


def test_top_losses_carry_their_cost_where_the_line_has_one(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.services.board import board_view

    plant = tmp_path / "costed.yaml"
    plant.write_text(SMALL_PLANT.replace("timezone: Europe/Berlin}", "timezone: Europe/Berlin, currency: EUR}")
                     .replace("{key: L1, name: Line 1, ideal_cycle_s: 1.0}",
                              "{key: L1, name: Line 1, ideal_cycle_s: 1.0, downtime_cost_per_hour: 600}"))
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC), plant=plant)
    write_past(tmp_path / "inbox/stops/s.csv", "line;start;end;reason;category\n"
               "L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned\n"
               "L1;2026-11-20 10:00;2026-11-20 10:17;Filler jam;unplanned\n"
               "L2;2026-11-20 08:00;2026-11-20 08:50;Capper fault;unplanned\n")
    write_past(tmp_path / "inbox/counts/c.csv", "line,start,end,total,good\nL1,2026-11-20 06:00,2026-11-20 14:00,1,1\n")
    services.loader.run_all()
    view = board_view(services, "plant", Period("shift", date(2026, 11, 20), date(2026, 11, 20), "E"))
    losses = {x["reason"]: x for x in view["losses"]}
    assert losses["Capper fault"]["minutes"] == 50 and losses["Capper fault"]["cost"] == ""  # Line 2 has no rate
    assert losses["Filler jam"]["minutes"] == 47 and losses["Filler jam"]["cost"] == "470 EUR"  # 47 min × 600/h


def test_a_burst_of_screens_renders_each_board_once() -> None:
    import threading
    import time

    from huddle.dashboard.web.render_cache import LocalRenderCache

    cache, renders = LocalRenderCache(size=2), []

    def render() -> str:
        renders.append(1)
        time.sleep(0.05)
        return "board"

    threads = [threading.Thread(target=cache.get_or_render, args=("v1|L1", render)) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(renders) == 1
    cache.get_or_render("v1|L2", render)
    cache.get_or_render("v2|L1", render)  # the oldest key leaves
    cache.get_or_render("v1|L1", render)
    assert len(renders) == 4


def test_a_board_is_rendered_once_per_language(make_services) -> None:  # type: ignore[no-untyped-def]
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    client = client_for(services)
    view = BoardAddress.from_query({"scope": "L1", "date": "2026-11-20", "shift": "E"}).as_view()
    english = refresh(client, view, None)
    services.config.language = "de"  # as a plant file with site.language: de, read again
    german = refresh(client, view, None)  # same site, data version, scope and shift: not the English render
    assert english.status_code == german.status_code == 200
    assert "– no data" in english.get_data(as_text=True) and "– no data" not in german.get_data(as_text=True)
    assert "– keine Daten" in german.get_data(as_text=True)
    keys = [a.get_json()["response"]["board-key"]["data"] for a in (english, german)]
    assert keys[0].split("|")[:4] == keys[1].split("|")[:4] and keys[0] != keys[1]


def test_the_kept_board_is_what_dash_would_send(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.services.board import board_view
    from huddle.dashboard.web.render_cache import plain
    from huddle.pages.board import render_board
    from plotly.io.json import to_json_plotly

    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    write_past(tmp_path / "inbox/counts/a.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 06:00,2026-11-20 10:00,10000,9800,12000\n")
    services.loader.run_all()
    for scope in ("plant", "L1"):
        body = render_board(board_view(services, scope, Period("shift", date(2026, 11, 20), date(2026, 11, 20), "E")))
        assert plain(body) == json.loads(to_json_plotly(body)) and to_json_plotly(plain(body)) == to_json_plotly(body)
