"""The focus checks over a real database (SQLite, and PostgreSQL when its URL is set): the owners of the demo
plant's KPIs are checked against the people who have an account, and ``huddle check`` prints a finding for every
rule, in words, with what to do, as advice that never changes its exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.cli_check import cmd_check
from huddle.dashboard.core.focus_checks import RULES
from huddle.dashboard.core.plant import load_plant
from huddle.dashboard.services.kpi_stack import account_names, plant_focus
from huddle.dashboard.settings import DEMO_PLANT, Settings

PASSWORD = "Quiet-Harbour-Lantern-42"


def demo_on(make_services: Callable[..., Any], database_url: str, tmp_path: Path) -> Any:
    """The demo plant's configuration over a fresh database, its source folders made, Tom Becker a user."""
    for folder in ("counts", "stops", "quality", "safety", "labour", "kpi_values", "work_orders"):
        (tmp_path / "inbox" / folder).mkdir(parents=True, exist_ok=True)
    services = make_services(database_url, plant=DEMO_PLANT)
    services.accounts.add_user("cli", "tom.becker", PASSWORD, "editor", "Tom Becker", "filling")
    return services


def test_owners_are_checked_against_the_users_of_the_database(make_services: Callable[..., Any],
                                                              database_url: str, tmp_path: Path) -> None:
    services = demo_on(make_services, database_url, tmp_path)
    assert set(account_names(services.accounts) or []) == {"tom.becker", "Tom Becker"}
    found = plant_focus(services)
    owners = {f.subject: f for f in found if f.rule == "owner"}
    assert set(owners) == {"Anna Schmidt", "Jonas Weber", "Lena Fischer", "Maria Keller", "Paul Wagner",
                           "Sara Braun"}  # Tom Becker has an account
    assert owners["Lena Fischer"].problem == "owns Schedule attainment but has no account in Huddle"
    assert {f.rule for f in found} == set(RULES)
    # Anna Schmidt signs up: her finding goes, the others stay
    services.accounts.add_user("cli", "anna", PASSWORD, "viewer", "Anna Schmidt")
    assert "Anna Schmidt" not in {f.subject for f in plant_focus(services) if f.rule == "owner"}


def test_huddle_check_prints_the_demo_plants_focus_findings(make_services: Callable[..., Any], database_url: str,
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo_on(make_services, database_url, tmp_path).dispose()
    code = cmd_check(Settings(data_dir=tmp_path, database_url=database_url, plant_config=DEMO_PLANT,
                              now="2026-12-01T14:10"))
    out = capsys.readouterr().out
    assert code == 0, out  # warnings and focus findings are advice: the exit code stays 0
    assert "  focus checks (the method's advice, not errors):\n" in out
    layer_two = sum(1 for k in load_plant(DEMO_PLANT).kpis.values() if k.layer == 2)
    assert layer_two > 10  # the demo declares too many for one forum, so the finding shows
    for line in (
            "  focus: Overtime: in no KPI tree: nothing says which result it moves — connect it under the KPI it "
            "drives in a tree, or take it off the catalogue",
            f"  focus: Layer 2 – Supervisor / shift: {layer_two} KPIs: more than the 10 one forum can follow — keep "
            "the 5 to 10 its forum (Shift huddle) acts on; move the others to the layer that moves them, or drop them",
            "  focus: Layer 3 – Maintenance & reliability: 3 KPIs: a layer needs 5 to 10 — add the KPIs its forum "
            "(Maintenance meeting) steers by, or move these to another layer",
            "  focus: Near misses reported: a leaf of the Safety driver tree measured weekly: a leaf is what teams "
            "move every day — measure it at least daily, or put a daily driver of it under it in the tree",
            "  focus: Maria Keller: owns TRIR, Days since last recordable, Near misses reported but has no account in "
            "Huddle — add them as a user with this name, or name an owner who has an account",
            "  focus: Safety driver tree: 1 branch under its root TRIR: 2–4 is the rule — add the other drivers of "
            "TRIR beside it, or make the single branch the root"):
        assert line + "\n" in out, line
    assert "Tom Becker: owns" not in out
    # the tree's branches are said once, as a focus finding, not also as a warning
    assert "branches under the root" not in out
    # the demo's notification channels are off until a mail server and a Teams webhook are set: two warnings
    assert "warning: notifications.channels (ops-teams): off: the environment variable RIVERSIDE_TEAMS_WEBHOOK " \
           "is not set" in out
    printed = out.count("\n  focus: ")
    assert printed >= 20  # every rule has its findings in the demo
    assert out.rstrip().endswith(f"check: ok — 0 errors, 6 warnings, {printed} focus findings")


def test_huddle_check_without_a_database_says_the_owners_are_not_checked(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = cmd_check(Settings(data_dir=tmp_path, plant_config=DEMO_PLANT, now="2026-12-01T14:10"))
    out = capsys.readouterr().out
    assert code == 1  # the demo's source folders do not exist here: errors, as before
    assert "  focus: owners not checked against the users: no database with users yet (huddle init creates it)\n" \
        in out and "has no account" not in out
    assert not (tmp_path / "huddle.sqlite").exists()  # looking does not create the database
