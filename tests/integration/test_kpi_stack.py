"""The KPI stack's read model over a real database (SQLite, and PostgreSQL when its URL is set): every KPI in its
layer with the status and value the board shows for the same shift, its trend over the last shifts, its owner by
the person's name, the tree that holds it; layers top to bottom and filtered by the address's layers."""

from __future__ import annotations

from typing import Any

from huddle.dashboard.services.board import board_view
from huddle.dashboard.services.kpi_stack import stack_view

from tests.conftest import Inbox

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 07:00,,120,100,120
L1,2026-11-20 07:00,2026-11-20 08:00,,112,110,120
L1,2026-11-20 08:00,2026-11-20 09:00,,95,90,120
L1,2026-11-20 10:00,2026-11-20 11:00,,121,120,120
L1,2026-11-19 22:00,2026-11-20 05:00,,700,690,700
"""
STOPS = """line,start,end,reason,category,equipment
L1,2026-11-20 07:00,2026-11-20 07:30,Filler jam,unplanned,Filler
"""
PASSWORD = "Quiet-Harbour-Lantern-42"


def test_the_stack_reads_every_kpi_as_the_board_does(services: Any, inbox: Inbox) -> None:
    inbox.load(services, counts=COUNTS, stops=STOPS)
    services.accounts.add_user("cli", "A", PASSWORD, "viewer", "Anna Roth")  # the plant file names her login
    view = stack_view(services, "L1")
    assert view.period is not None and view.period.label == "2026-11-20/E"  # the shift that just ended
    assert [s.layer.number for s in view.layers] == [5, 4, 3, 2, 1]  # top to bottom on screen
    by_layer = {s.layer.number: [k.key for k in s.kpis] for s in view.layers}
    assert by_layer[2] == list(services.config.kpis)  # the small plant leaves every KPI on layer 2
    assert by_layer[1] == by_layer[3] == by_layer[4] == by_layer[5] == []
    kpis = {k.key: k for k in view.layers[3].kpis}
    tiles = {t["kpi"]: t for column in board_view(services, "L1", view.period)["columns"] for t in column["kpis"]}
    assert set(tiles) <= set(kpis)
    for key, tile in tiles.items():  # one formula, one function: the board's numbers
        assert (kpis[key].reading.value, str(kpis[key].reading.status)) == (tile["raw"], tile["status"]), key
    oee = kpis["oee"]
    assert oee.reading.value is not None and str(oee.reading.status) == "incomplete"  # data to 11:00 only
    assert oee.owner == "Anna Roth" and oee.tree == "oee"
    assert 1 <= len(oee.trend) <= 7 and oee.trend[-1].period == "2026-11-20/E"
    assert oee.trend[-1].value == oee.reading.value
    assert kpis["trir"].trend == ()  # read over its month, not shift by shift
    assert kpis["schedule_attainment"].tree is None
    # the owner "A" has an account: no owner finding; the KPIs in no tree are found
    assert not [f for f in view.findings if f.rule == "owner"]
    assert [f.subject for f in view.findings if f.rule == "orphan"] == [
        "Schedule attainment", "TRIR", "Unplanned downtime"]


def test_the_stack_shows_only_the_layers_asked_for(services: Any, inbox: Inbox) -> None:
    inbox.load(services, counts=COUNTS)
    assert [s.layer.number for s in stack_view(services, "plant", (2,)).layers] == [2]
    only = stack_view(services, "a", (1, 5))
    assert [(s.layer.number, s.kpis) for s in only.layers] == [(5, ()), (1, ())]
    assert only.layers[0].layer.forum_words == "Monthly business review"


def test_the_review_keeps_the_layers_its_address_asks_for(demo_services: Any) -> None:
    from huddle.callbacks import review as wiring

    from tests.unit.test_renderers import drawn, text

    body, _exports = drawn(wiring.show(demo_services, {"scope": "L2", "layer": "3"}))
    said = text(body)
    assert said.startswith("Showing only Layer 3 – Maintenance & reliability ✕ show every layer")
    assert "MTBF" in said and "MTTR" in said
    for other in ("First-pass yield", "Attendance", "Scrap cost"):  # KPIs of other layers are left out
        assert other not in said.split("Biggest losses")[0], other
    clear = [c for c in _links(body) if getattr(c, "className", "") == "chip-clear"]
    assert [c.href for c in clear] == ["/review?scope=L2&month=2026-10"]
    everything = text(wiring.show(demo_services, {"scope": "L2"})[0])
    assert "First-pass yield" in everything and "Showing only" not in everything
    # the pickers keep the filter when the month changes; a layer that does not exist is said in words
    assert wiring.choose(demo_services, "L1", "2026-09", {"scope": "L2", "layer": "3"})["layer"] == "3"
    assert "There is no layer '7'" in text(wiring.show(demo_services, {"layer": "7"})[0])


def _links(node: Any) -> list[Any]:
    children = getattr(node, "children", node if isinstance(node, list) else None)
    found = [node] if hasattr(node, "href") else []
    for child in children if isinstance(children, list | tuple) else [children] if children is not None else []:
        found += _links(child)
    return found
