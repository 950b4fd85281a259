"""The demo plant's people, actions and OKRs, and the preparation of a demo site: its history written as export
files, the current shift fed, everything loaded, then the first actions and this quarter's OKRs with their weekly
check-ins, so ``huddle demo`` opens on a plant with a story (Line 2's filler jams) rather than on empty pages.

Each step runs once: a second ``huddle demo`` on the same data folder keeps what the first one made."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import TYPE_CHECKING

from huddle.dashboard.core.okr_scoring import OkrError
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.escalations import EscalationService
from huddle.dashboard.services.okr_quarter import OkrQuarters
from huddle.dashboard.services.okr_weekly import OkrCheckIns
from huddle.dashboard.services.okrs import quarter_weeks
from huddle.dashboard.settings import DEMO_PLANT, DEMO_SECOND_SITE, Settings
from huddle.data.demo.feeds import feed_current, generate_history

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services
    from huddle.data.ingest.outcomes import RunOutcome

#: the demo's people beside the admin: (user name, name, role, home scope), for the shop floor and the tiers
DEMO_PEOPLE = (("olga.novak", "Olga Novak", "operator", "L1"), ("tom.becker", "Tom Becker", "editor", "filling"))
#: who checks in on each key result of the demo's OKRs
OKR_AUTHORS = {"attainment": "maria.lopez", "complaints": "maria.lopez", "oee": "anna.schmidt",
               "downtime": "tom.becker", "star_wheel": "tom.becker", "trained": "jonas.weber", "jams": "tom.becker",
               "shortages": "lena.fischer", "packing_attainment": "lena.fischer", "fpy_held": "jonas.weber"}
#: each key result's weekly check-ins: (value, confidence, what moved, what blocks) per week, oldest first; bound key
#: results take the KPI's value
OKR_STORIES: dict[str, list[tuple[float | None, int, str, str]]] = {
    "attainment": [(None, c, m, "") for c, m in [
        (7, "Weekly plan frozen on Thursdays"), (7, ""), (7, "Packing caught up"), (6, "Line 2 short again"),
        (6, ""), (5, "Line 2 jams cost two orders"), (5, ""), (5, "Waiting for the star wheel")]],
    "complaints": [(v, c, m, "") for v, c, m in [
        (1, 8, "One label complaint"), (1, 8, ""), (2, 7, "Underfill complaint from Nordmarkt"), (2, 7, ""),
        (1, 8, ""), (3, 5, "Two underfill complaints: Line 2 night shift"), (2, 6, "Underfill checks retrained"),
        (2, 6, "")]],
    "oee": [(None, 8, m, "") for m in [
        "Kick-off", "", "Changeover standard on Line 3", "", "Line 4 speed-up trial", "", "",
        "Line 3 and 4 above target"]],
    "downtime": [(None, c, m, b) for c, m, b in [
        (7, "Baseline week", ""), (7, "", ""), (6, "Jams creeping up on nights", ""),
        (5, "Root cause: worn star wheel", "Replacement star wheel on order"),
        (4, "Shift-start filler checks", "Star wheel delivery slipped to week 48"),
        (4, "", "Star wheel delivery slipped to week 48"),
        (3, "Jams at twice the spring rate", "No spare star wheel"),
        (3, "Temporary shims fitted", "Star wheel arrives week 48; fitting needs a 6-hour stop")]],
    "star_wheel": [(0, c, m, b) for c, m, b in [
        (8, "Order placed", ""), (8, "", ""), (7, "", ""), (6, "Supplier confirmed", ""),
        (5, "", "Delivery slipped"),
        (5, "", "Delivery slipped"), (5, "Stop planned for the weekend of week 48", ""), (6, "", "")]],
    "trained": [(v, c, m, b) for v, c, m, b in [
        (0, 7, "Standard written", ""), (3, 7, "First session", ""), (6, 8, "", ""), (9, 8, "Night crew done", ""),
        (11, 8, "", ""), (13, 8, "", ""), (15, 8, "Late crew done", ""),
        (17, 5, "Two more", "Both trainers off sick this week")]],
    "jams": [(v, c, m, "") for v, c, m in [
        (12, 7, ""), (13, 6, ""), (15, 6, "Jams on nights"), (19, 5, "Worn star wheel found"),
        (22, 4, "Shift-start checks"), (21, 4, ""), (24, 3, ""), (20, 4, "Shims help a little")]],
    "shortages": [(v, c, m, "") for v, c, m in [
        (9, 7, ""), (8, 7, "Second magazine ordered"), (6, 8, "Second magazine fitted at Line 4"), (4, 8, ""),
        (3, 8, ""), (3, 8, ""), (2, 9, "Kanban loop for cartons")]],
    "packing_attainment": [(None, c, m, "") for c, m in [
        (7, ""), (7, ""), (8, "Magazine fitted"), (8, ""), (8, ""), (8, ""), (8, "")]],
    "fpy_held": [(None, c, m, "") for c, m in [
        (8, "Level agreed at the quarter's start"), (8, ""), (8, ""), (7, "Seal change on Line 2"), (7, ""), (7, ""),
        (6, "Rework up on nights"), (6, "")]],
}


def demo_settings(settings: Settings, *, sign_in_required: bool = False, sites: int = 1,
                  mqtt: str | None = None, language: str | None = None) -> Settings:
    """The demo's settings: anyone on this machine may read unless sign-in is required; with ``sites=2`` a second
    plant in another time zone beside the first; with ``mqtt`` (a broker's URL) the plant's machines publish their
    counts and states to that broker and the plant reads them from it; with ``language`` the plant speaks it."""
    if not sign_in_required:
        settings = settings.with_(anonymous_access="read")  # a local demo: anyone on this machine may read
    home = demo_plant_copy(settings.data_dir, mqtt, language) if mqtt or language else DEMO_PLANT
    if sites > 1:
        settings = settings.with_(sites=(home, DEMO_SECOND_SITE))
    elif home != DEMO_PLANT:
        settings = settings.with_(plant_config=home)
    return settings


def demo_plant_copy(data_dir: Path, mqtt: str | None = None, language: str | None = None) -> Path:
    """The demo plant written into the data folder with an MQTT source on the broker at ``mqtt`` and/or speaking
    ``language``."""
    import yaml
    from huddle.dashboard.demo_words import name_demo_plant

    raw = yaml.safe_load(DEMO_PLANT.read_text(encoding="utf-8"))
    if mqtt:
        raw["sources"].append({"key": "machines", "kind": "mqtt", "url": mqtt, "schedule": "every 5 s",
                               "description": "machine counts and states (MQTT)"})
    if language:
        raw["site"]["language"] = language
        name_demo_plant(raw, language)
    path = Path(data_dir) / "demo_plant_live.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# the demo plant as huddle demo --mqtt/--language asked for it (written by huddle demo)\n"
                    + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def prepare_demo(sites: Sequence[Settings], people_dir: Path, days: int, *,
                 open_services: Callable[[Settings], Services], report: Callable[[RunOutcome], None]) -> str:
    """Prepare every demo site in turn (the home site, the first, also gets the admin); the admin's 'name password'
    line, or '' when it is no longer kept."""
    credentials = ""
    for index, site in enumerate(sites):
        services = open_services(site)
        try:
            if index == 0:  # people are the home site's
                credentials = demo_admin(services, people_dir)
                demo_people(services, people_dir)
            prepare_demo_site(services, site.data_dir, days, seed=7 + 4 * index, report=report)
        finally:
            services.dispose()
    return credentials


def prepare_demo_site(services: Services, data_dir: Path, days: int, seed: int,
                      report: Callable[[RunOutcome], None]) -> None:
    """One demo site: its history as export files (first time), the current shift so far, loaded; its actions and
    this quarter's OKRs (once)."""
    name = services.config.site_name
    if not (data_dir / "inbox").exists():
        started = time.monotonic()
        counts = generate_history(services.config, data_dir, services.clock(), days=days, seed=seed)
        print(f"{name}: wrote {sum(counts.values())} records of {days} days as export files "
              f"({time.monotonic() - started:.1f} s)")
    written = time.time()
    feed_current(services.config, data_dir, services.clock(), publish=False)  # the broker's feed: once served
    # the loaders leave files alone until they have been still for their settle window: wait it out once
    settle = max((s.settle_seconds for s in services.config.sources.values() if s.kind == "files"), default=0)
    time.sleep(max(0.0, written + settle + 0.5 - time.time()))
    started = time.monotonic()
    for outcome in services.loader.run_all(trigger="demo"):
        report(outcome)
    print(f"{name}: loaded in {time.monotonic() - started:.1f} s")
    demo_actions(services)
    demo_escalations(services)
    demo_okrs(services)
    demo_baselines(services)


def demo_baselines(services: Services) -> int:
    """The demo's baseline sprints (once): the delivery and safety trees' sprints are worked through and closed,
    each owner signing off their KPIs; the OEE tree's is in progress, its first KPIs signed off, two lines filled in
    but not yet signed, the rest open (a KPI without data gets the "no data source" finding). Line 2 ran a sprint of
    its own on the OEE tree, so its tree shows its own baselines. Returns the sign-offs made."""
    baselines = services.baselines
    sprints = {key: baselines.view(key) for key in services.config.trees}
    if any(i.item.version > 1 for s in sprints.values() if s for i in s.items):
        return 0  # worked already
    editor = Identity("user", "tom.becker", "editor", "Tom Becker")
    signed = 0
    for key, sprint in sprints.items():
        if sprint is not None and sprint.open:
            signed += _work_sprint(services, key, "plant", editor, leave=3 if key == "oee" else 0)
    if "oee" in services.config.trees and "L2" in services.config.lines:
        baselines.open_sprint(editor, "oee", "L2")
        signed += _work_sprint(services, "oee", "L2", editor, leave=0)
    return signed


def _work_sprint(services: Services, tree: str, scope: str, editor: Identity, leave: int) -> int:
    """Fill in a sprint's lines from the data and have each owner sign them off, leaving the last ``leave`` lines
    open and the two before them unsigned (when any are left)."""
    baselines = services.baselines
    sprint = baselines.view(tree, scope, proposals=True)
    if sprint is None:
        return 0
    lines = sprint.items[:len(sprint.items) - leave]
    signed = 0
    for n, line in enumerate(lines):
        finding = line.proposed is None
        item = baselines.save(editor, sprint.id, line.item.kpi, line.item.version,
                              value=None if finding else round(line.proposed, 2),  # type: ignore[arg-type]
                              source=line.item.source or "shift log", frequency=line.item.frequency,
                              no_source=finding)
        if leave and n >= len(lines) - 2:
            continue  # filled in, waiting for its owner
        owner = Identity("user", line.owner.lower().replace(" ", "."), "editor", line.owner)
        baselines.sign_off(owner, sprint.id, item.kpi, item.version)
        signed += 1
    return signed


def demo_admin(services: Services, data_dir: Path) -> str:
    """The demo's first admin: created once with a random password kept in the data folder (0600)."""
    path = data_dir / "demo-admin.txt"
    if not services.accounts.users():
        password = secrets.token_urlsafe(12)
        services.accounts.add_user("cli", "admin", password, "admin", "Demo admin")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"admin {password}\n")
    return path.read_text().strip() if path.exists() else ""


def demo_people(services: Services, data_dir: Path) -> list[str]:
    """Line 1's operator and the Filling area's leader (tier 2), each created once with a random password kept
    in the data folder (0600); their 'name password role of scope' lines."""
    path = data_dir / "demo-people.txt"
    known = {u.username for u in services.accounts.users()}
    lines = path.read_text().splitlines() if path.exists() else []
    for username, name, role, scope in DEMO_PEOPLE:
        if username in known:
            continue
        password = secrets.token_urlsafe(12)
        services.accounts.add_user("cli", username, password, role, name, scope)
        lines.append(f"{username} {password} {role} of {services.config.scope_name(scope)}")
    if lines:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    return lines


def demo_actions(services: Services) -> int:
    """The demo plant's first actions: Line 2's filler, an overdue one, a closed one, and last month's
    countermeasures for Line 2 (once)."""
    actions = services.actions
    if actions.listing("plant", open_only=False):
        return 0
    who = Identity("user", "admin", "admin")
    today = actions.today()
    filler = actions.raise_action(who, "L2", "Replace the filler star wheel and check the infeed guide",
                                  "Tom Becker", today + timedelta(days=3), kpi="oee",
                                  raised_for=today - timedelta(days=2))
    # OEE at Line 2 is red again after last month's checks: the new action carries an A3 of why
    actions.change(who, filler.id, filler.version, status="in_progress", cause={
        "method": "a3", "problem": "OEE at Line 2 red again for two days; filler jams are back",
        "cause": "Star wheel replaced, but the infeed guide was never realigned to it",
        "countermeasure": "Realign the infeed guide to the new star wheel; add the guide to the weekly PM",
        "check": "Filler jams per shift on the hour-by-hour board for two weeks", "result": ""})
    actions.raise_action(who, "L2", "Retrain night crew on underfill checks", "Jonas Weber",
                         today - timedelta(days=2), kpi="scrap_rate", raised_for=today - timedelta(days=9))
    done = actions.raise_action(who, "packing", "Second carton magazine at Line 4", "Lena Fischer",
                                today - timedelta(days=5), kpi="schedule_attainment",
                                raised_for=today - timedelta(days=20))
    actions.change(who, done.id, done.version, status="done", result="Magazine fitted; no shortage stops since")
    # last month's countermeasures for Line 2's red months, as the monthly review links them; its schedule
    # attainment was red too and got none, which the review marks
    month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    found = month_start + timedelta(days=24)
    root = actions.raise_action(who, "L2", "Filler jams doubled since mid-month: find the root cause at the star "
                                "wheel and infeed", "Tom Becker", found + timedelta(days=5), kpi="availability",
                                raised_for=found)
    actions.change(who, root.id, root.version, status="done",
                   result="Star wheel worn 0.8 mm; replacement ordered, infeed guide realigned")
    checks = actions.raise_action(who, "L2", "Check the filler at every shift start until the star wheel is "
                                  "replaced", "Anna Schmidt", found + timedelta(days=20), kpi="oee",
                                  raised_for=found + timedelta(days=1))
    actions.change(who, checks.id, checks.version, status="in_progress", cause={
        "method": "5why", "whys": ["The filler jammed several times a shift", "Bottles tipped at the star wheel",
                                   "The star wheel pockets were worn 0.8 mm", "The star wheel is not on the PM plan"],
        "root": "Wear parts of the filler have no PM interval"})
    return 5


def demo_escalations(services: Services) -> int:
    """The demo's escalations (once): a line asked its area for a spare part yesterday and got its answer, to be
    heard at its next huddle; another area has left a line waiting past its limit (overdue); the first area passed a
    staffing gap up to the plant meeting."""
    if services.escalations.listing():
        return 0
    now = services.clock()
    areas = [a for a in services.config.areas.values() if a.lines]
    first, second = areas[0], areas[-1]
    admin = Identity("user", "admin", "admin")
    leader = Identity("user", "tom.becker", "editor", "Tom Becker", first.key)

    def hours_ago(hours: float) -> EscalationService:
        """The escalations as at a moment before now (the demo's history of the last day)."""
        return EscalationService(services.config, services.sessions, services.accounts,
                                 lambda: now - timedelta(hours=hours))

    line = first.lines[-1]
    wheel = hours_ago(27).raise_escalation(admin, line, "The filler star wheel is worn: we need a spare before the "
                                           "weekend", source="note")
    wheel = hours_ago(25).accept(leader, wheel.id, wheel.version, "Tom Becker",
                                 (now + timedelta(days=2)).astimezone(services.config.tz).date())
    hours_ago(20).answer(leader, wheel.id, wheel.version, "Spare star wheel ordered; fitted Tuesday on the early shift")
    hours_ago(30).raise_escalation(admin, second.lines[-1], "Cartons from the new supplier jam the magazine every "
                                   "hour: we need the old ones back until it is sorted", source="note")
    hours_ago(3).raise_escalation(leader, first.key, f"{first.name} is two operators short on the late shift all "
                                  "next week", source="note")
    return 3


def demo_okrs(services: Services) -> int:
    """The demo plant's OKRs for this quarter, cascaded company → plant → area and line, with a check-in for
    every week so far (once); one key result is bound to Line 2's drifting downtime. Returns the check-ins saved."""
    okrs = services.okrs
    quarter = okrs.current_quarter()
    if okrs.quarter(quarter.label).objectives:
        return 0
    krs = _okr_plan(services, quarter)
    tz = services.config.tz
    now = services.clock()
    weeks = [w for w in quarter_weeks(quarter) if w.first <= okrs.today()][-8:]
    saved = 0
    seen = dict.fromkeys(krs, 0)
    for i, week in enumerate(weeks):
        # each week's meeting is on its Thursday at 10:00 (or earlier today, in the week that is running)
        meeting = datetime.combine(max(week.first + timedelta(days=3), quarter.first), time_of_day(10), tzinfo=tz)
        at = min(meeting.astimezone(UTC), now - timedelta(minutes=30))
        at_meeting = OkrCheckIns(OkrQuarters(services.config, services.sessions, services.readings, lambda at=at: at),
                                 services.accounts)
        for name, key in krs.items():
            j = i + 8 - len(weeks)  # the stories are eight weeks long; a shorter quarter so far takes their ends
            if j >= len(OKR_STORIES[name]):
                continue  # a seven-week story has not checked in this week yet: the meeting view shows it
            value, confidence, moved, blocks = OKR_STORIES[name][j]
            try:
                at_meeting.check_in(Identity("user", OKR_AUTHORS[name], "editor"), key, seen[name], value=value,
                                    confidence=confidence, moved=moved, blocks=blocks, week=week.label)
            except OkrError:
                continue  # a bound KPI without data that week (a short demo history): no check-in
            seen[name] += 1
            saved += 1
    return saved


def _okr_plan(services: Services, quarter: Period) -> dict[str, int]:
    """This quarter's objectives and key results, saved; each key result's id by its story's name."""
    plans = services.okr_plans
    plan = Identity("user", "admin", "admin")
    q = quarter.label
    company = plans.save_objective(plan, q, "company", "Be the supplier our customers never have to chase",
                                   "Maria Lopez")
    place = services.config.site_name.split()[0]  # "Riverside"
    plant = plans.save_objective(plan, q, "plant", f"Run {place}'s lines the way they ran in spring", "Anna Schmidt",
                                 parent_id=company)
    line2 = plans.save_objective(plan, q, "L2", "Stop the filler jams on Line 2", "Tom Becker", parent_id=plant)
    packing = plans.save_objective(plan, q, "packing", "Pack without carton shortages", "Lena Fischer",
                                   parent_id=plant)
    week_target = services.readings.reading("unplanned_downtime", "L2", quarter_weeks(quarter)[0]).target or 1200.0
    return {
        "attainment": plans.save_key_result(plan, company, title="Plant schedule attainment", kind="increase",
                                            start=88.0, target=95.0, owner="Maria Lopez", kpi="schedule_attainment",
                                            kpi_scope="plant"),
        "complaints": plans.save_key_result(plan, company, title="Customer complaints in the month",
                                            kind="stay_below", start=None, target=2, unit="complaints",
                                            owner="Maria Lopez"),
        "oee": plans.save_key_result(plan, plant, title="Plant OEE, quarter to date", kind="increase", start=63.0,
                                     target=68.0, owner="Anna Schmidt", kpi="oee", kpi_scope="plant"),
        # a level to keep, not to move: planned with a warning and scored holding or slipping
        "fpy_held": plans.save_key_result(plan, plant, title="Plant first-pass yield held", kind="increase",
                                          start=97.0, target=97.0, owner="Jonas Weber", kpi="fpy", kpi_scope="plant"),
        "downtime": plans.save_key_result(plan, plant, title="Line 2 unplanned downtime per week",
                                          kind="stay_below", start=None, target=round(week_target, -1),
                                          owner="Tom Becker", kpi="unplanned_downtime", kpi_scope="L2",
                                          kpi_window="week", weight=2.0),
        "star_wheel": plans.save_key_result(plan, line2, title="New filler star wheel commissioned",
                                            kind="milestone", start=None, target=1, owner="Tom Becker"),
        "trained": plans.save_key_result(plan, line2, title="Operators trained on the filler start-up standard",
                                         kind="increase", start=0, target=24, unit="people", owner="Jonas Weber"),
        "jams": plans.save_key_result(plan, line2, title="Filler jams per week (maintenance log)", kind="decrease",
                                      start=12, target=4, unit="jams", owner="Tom Becker"),
        "shortages": plans.save_key_result(plan, packing, title="Carton shortage stops per week", kind="decrease",
                                           start=9, target=2, unit="stops", owner="Lena Fischer"),
        "packing_attainment": plans.save_key_result(plan, packing, title="Packing schedule attainment",
                                                    kind="increase", start=90.0, target=96.0, owner="Lena Fischer",
                                                    kpi="schedule_attainment", kpi_scope="packing"),
    }
