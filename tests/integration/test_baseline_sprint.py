"""The baseline sprint over a real database (SQLite, and PostgreSQL when its URL is set): a new tree opens a sprint,
an unchanged one does not, a changed one replaces it; editors fill the checklist, the owner signs off, which records
a dated baseline at the sprint's scope and never overwrites the earlier ones; the sprint closes complete or when
time runs out, saying what was missing; a line's baseline falls back to its area's, the plant's, the plant file's."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.baselines import BaselineError
from huddle.dashboard.services.identity import Identity
from huddle.data.models import AuditEntry
from sqlalchemy import select

from tests.conftest import NEEDS_REAL_TIMED_WAITS, SMALL_NOW, SMALL_PLANT

OWNER = Identity("user", "anna", "editor", "A")  # the small plant names its owner "A"
EDITOR = Identity("user", "ed", "editor", "Ed Itor")
VIEWER = Identity("user", "vi", "viewer", "Vi Ewer")


def _fill(services: Any, sprint: Any, value: float = 60.0) -> None:
    for i in sprint.items:
        services.baselines.save(EDITOR, sprint.id, i.item.kpi, i.item.version, value=value, source="MES",
                                frequency="shift", no_source=False)


def test_a_new_tree_opens_one_sprint_with_a_line_per_kpi(services: Any, make_services: Any,
                                                         database_url: str) -> None:
    sprint = services.baselines.view("oee", proposals=True)
    assert sprint is not None and sprint.open and sprint.scope == "plant"
    assert sprint.due_at == SMALL_NOW + timedelta(hours=48)
    assert [i.item.kpi for i in sprint.items] == ["oee", "availability", "performance", "quality"]
    assert sprint.items[0].item.source == "MES" and sprint.items[0].item.frequency == "shift"
    assert sprint.items[0].proposed is None  # nothing loaded: no value to propose
    again = make_services(database_url, now=SMALL_NOW + timedelta(hours=1))  # the same tree on the next start
    assert again.baselines.sync_trees() == []
    assert again.baselines.view("oee").id == sprint.id


def test_a_changed_tree_replaces_the_open_sprint(services: Any, make_services: Any, database_url: str,
                                                 tmp_path: Path) -> None:
    first = services.baselines.view("oee")
    changed = tmp_path / "changed.yaml"
    changed.write_text(SMALL_PLANT.replace("children: [availability, performance, quality], formula: product}",
                                           "children: [availability, performance, quality], formula: product}\n"
                                           "      - {parent: availability, children: [unplanned_downtime]}"),
                       encoding="utf-8")
    later = make_services(database_url, now=SMALL_NOW + timedelta(hours=3), plant=changed)
    sprint = later.baselines.view("oee")
    assert sprint.id != first.id and len(sprint.items) == 5 and sprint.open
    with later.sessions() as session:
        from huddle.data.queries.baselines import sprint as sprint_row
        old = sprint_row(session, first.id)
        assert old.outcome == "replaced" and old.closed_at == SMALL_NOW + timedelta(hours=3)


def test_the_owner_signs_off_and_the_last_sign_off_closes_the_sprint(services: Any) -> None:
    sprint = services.baselines.view("oee")
    _fill(services, sprint)
    sprint = services.baselines.view("oee")
    oee = sprint.items[0].item
    with pytest.raises(BaselineError, match=r"only the KPI's owner \(A\)"):
        services.baselines.sign_off(EDITOR, sprint.id, "oee", oee.version)
    with pytest.raises(ForbiddenError):
        services.baselines.sign_off(Identity("user", "a", "viewer", "A"), sprint.id, "oee", oee.version)
    signed = services.baselines.sign_off(OWNER, sprint.id, "oee", oee.version)
    assert signed.signed_by == "anna" and services.baselines.view("oee").signed == 1
    with pytest.raises(BaselineError, match="already signed off"):
        services.baselines.sign_off(OWNER, sprint.id, "oee", signed.version)
    assert services.baselines.baseline_at("oee", "plant").baseline.value == 60.0
    for i in services.baselines.view("oee").items[1:]:
        services.baselines.sign_off(OWNER, sprint.id, i.item.kpi, i.item.version)
    closed = services.baselines.view("oee")
    assert not closed.open and closed.outcome == "complete" and closed.closed_at == SMALL_NOW
    with pytest.raises(BaselineError, match="closed"):
        services.baselines.save(EDITOR, sprint.id, "oee", 3, value=1.0, source="x", frequency="day", no_source=False)
    with services.sessions() as session:
        actions = [a.action for a in session.scalars(select(AuditEntry))]
    assert actions.count("baseline.sprint.save") == 4 and actions.count("baseline.sprint.sign_off") == 4


def test_bad_input_and_stale_forms_are_refused_in_words(services: Any) -> None:
    sprint = services.baselines.view("oee")
    item = sprint.items[0].item
    with pytest.raises(ForbiddenError):
        services.baselines.save(VIEWER, sprint.id, "oee", item.version, value=1.0, source="", frequency="",
                                no_source=False)
    with pytest.raises(BaselineError, match="must be a number"):
        services.baselines.save(EDITOR, sprint.id, "oee", item.version, value=float("nan"), source="",
                                frequency="", no_source=False)
    with pytest.raises(BaselineError, match="from the list"):
        services.baselines.save(EDITOR, sprint.id, "oee", item.version, value=1.0, source="", frequency="often",
                                no_source=False)
    with pytest.raises(BaselineError, match="not ready to sign off: no current value"):
        services.baselines.sign_off(OWNER, sprint.id, "oee", item.version)
    services.baselines.save(EDITOR, sprint.id, "oee", item.version, value=1.0, source="MES", frequency="day",
                            no_source=False)
    with pytest.raises(BaselineError, match="someone changed"):
        services.baselines.save(EDITOR, sprint.id, "oee", item.version, value=2.0, source="MES", frequency="day",
                                no_source=False)
    assert services.baselines.view("oee").items[0].item.value == 1.0  # nothing half-written


def test_time_running_out_closes_the_sprint_with_what_was_missing(services: Any, make_services: Any,
                                                                  database_url: str) -> None:
    sprint = services.baselines.view("oee")
    services.baselines.save(EDITOR, sprint.id, "quality", sprint.items[3].item.version,
                            value=None, source="", frequency="month", no_source=True)
    late = make_services(database_url, now=SMALL_NOW + timedelta(hours=49))
    closed = late.baselines.view("oee")
    assert closed.outcome == "timed_out" and closed.closed_at == sprint.due_at
    assert closed.missing["quality"] == ["sign_off"]
    assert closed.missing["oee"] == ["value", "sign_off"]


def test_a_baseline_is_kept_per_scope_with_its_history_and_falls_back_in_order(services: Any) -> None:
    from huddle.data.queries.baselines import add_baseline

    with services.sessions.begin() as session:
        for scope, value, hours in (("plant", 60.0, 0), ("a", 62.0, 1), ("plant", 64.0, 2)):
            add_baseline(session, kpi="oee", scope=scope, value=value, on=SMALL_NOW.date(), source="MES",
                         adopted_by="anna", adopted_at=SMALL_NOW + timedelta(hours=hours), frequency="shift")
    assert services.baselines.baseline_at("oee", "plant").baseline.value == 64.0
    assert services.baselines.baseline_at("oee", "L1") is None
    assert services.baselines.fallback("oee", "L1").scope == "a"
    assert services.baselines.fallback("oee", "a").baseline.value == 64.0
    assert services.baselines.fallback("quality", "L1") is None  # nothing recorded, nothing in the plant file
    # the panel's one read: what is recorded at the scope and what it shows there
    line_own, line_shown = services.baselines.in_force("oee", "L1")
    assert line_own is None and (line_shown.scope, line_shown.baseline.value) == ("a", 62.0)
    area_own, area_shown = services.baselines.in_force("oee", "a")
    assert area_own == area_shown and (area_own.scope, area_own.baseline.value) == ("a", 62.0)
    plant_own, plant_shown = services.baselines.in_force("oee", "plant")
    assert plant_own == plant_shown and plant_own.baseline.value == 64.0
    assert services.baselines.in_force("quality", "L1") == (None, None)
    history = services.baselines.records("oee", "plant")
    assert [r["value"] for r in history] == [64.0, 60.0]  # both kept, the newest first


def test_the_tree_panel_shows_the_baseline_of_the_scope_on_screen_or_says_whose_it_leans_on(services: Any) -> None:
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.services.drilldown import as_dict, node_detail
    from huddle.data.queries.baselines import add_baseline
    from huddle.pages.tree import baseline_words

    day = Period("day", SMALL_NOW.date(), SMALL_NOW.date())
    config = services.config
    assert baseline_words(node_detail(services, "oee", "oee", "L1", day), config) == "none recorded for Line 1 – Area A"
    with services.sessions.begin() as session:
        for scope, value in (("plant", 60.0), ("L1", 58.5)):
            add_baseline(session, kpi="oee", scope=scope, value=value, on=SMALL_NOW.date(), source="MES",
                         adopted_by="anna", adopted_at=SMALL_NOW, frequency="shift")
    line1 = node_detail(services, "oee", "oee", "L1", day)
    assert baseline_words(line1, config) == "58.5 % on Fri 20 Nov (MES)"
    assert as_dict(line1)["definition"]["baseline"]["scope"] == "L1"
    line2 = node_detail(services, "oee", "oee", "L2", day)
    assert baseline_words(line2, config) == ("none recorded for Line 2 – Area A; Example Plant's: 60.0 % on "
                                             "Fri 20 Nov (MES)")


def test_huddle_check_says_each_trees_sprint_without_opening_one(tmp_path: Path, plant_file: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from huddle.dashboard.cli_check import cmd_check
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings
    from huddle.data.db import init_db, make_engine

    settings = Settings(data_dir=tmp_path, plant_config=plant_file, now="2026-11-20T21:00")
    engine = make_engine(f"sqlite:///{tmp_path / 'huddle.sqlite'}")
    init_db(engine)  # a database, but no process has started on the plant file yet
    engine.dispose()
    cmd_check(settings)
    assert ("baseline: OEE tree is new or changed since its last sprint: a 48-hour baseline sprint opens when Huddle "
            "next starts") in capsys.readouterr().out
    build_services(settings).dispose()  # the web app, the scheduler or any command starting on it
    cmd_check(settings)
    said = capsys.readouterr().out  # each process's clock starts at settings.now: the sprint opened seconds later
    assert re.search(r"baseline: OEE tree: sprint open, 4[89] h left, 0 of 4 KPIs signed off", said), said


@NEEDS_REAL_TIMED_WAITS
def test_processes_starting_together_compare_the_trees_one_after_the_other(services: Any) -> None:
    """The web app and the scheduler start together after a tree changed: the second to look waits for the first
    to have opened the sprint (and then finds it), so a changed tree never gets two."""
    import threading

    from huddle.data.queries.baselines import hold_sprints

    looked = threading.Event()

    def second() -> None:
        with services.sessions.begin() as session:
            hold_sprints(session)
            looked.set()

    with services.sessions.begin() as first:
        hold_sprints(first)
        waiting = threading.Thread(target=second)
        waiting.start()
        assert not looked.wait(0.5)  # held back while the first looks and opens
    assert looked.wait(10)  # and let in once it has committed
    waiting.join(10)
