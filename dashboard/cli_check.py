"""``huddle check``: the plant file's problems and method warnings, where each source reads (its paths resolved
against the plant file's folder; a folder that does not exist is an error), the shift times the next year's clock
changes skip or repeat, notification channels that would send nothing, and the focus checks across the KPI
catalogue (owners checked against the database's users when it has any). It ends with "check: ok" or "check:
failed" and exits 1 on any error; warnings and focus findings never change the exit code."""

from __future__ import annotations

import os

from huddle.dashboard.core.calendar import now_utc, parse_instant
from huddle.dashboard.core.focus_checks import FocusFinding, focus_findings
from huddle.dashboard.core.plant import ConfigError, Finding, PlantConfig, load_plant
from huddle.dashboard.core.plant_checks import findings
from huddle.dashboard.core.plant_paths import describe_source, source_findings
from huddle.dashboard.settings import Settings
from huddle.data.ingest.mapped import mapping_findings


def cmd_check(settings: Settings) -> int:
    """Validate the plant configuration and print its findings; exit 1 on errors."""
    try:
        config = load_plant(settings.plant_path, settings.data_dir)
    except ConfigError as exc:
        print(f"error: {exc}\ncheck: failed")
        return 1
    found = source_findings(config.sources) + mapping_findings(config.sources) + findings(
        config, since=parse_instant(settings.now, config.tz) if settings.now else now_utc(), shape=False) + (
        channel_findings(config, settings))
    print(f"{settings.plant_path}: {config.site_name} ({config.timezone}), {len(config.areas)} areas, "
          f"{len(config.lines)} lines, {len(config.calendar.shifts)} shifts, {len(config.kpis)} KPIs, "
          f"{len(config.trees)} trees, {len(config.sources)} sources")
    for source in config.sources.values():
        print(f"  {describe_source(source)}")
    acknowledged = [f for f in found if f.level == "warning" and config.plant_calendar.acknowledged(f.message)]
    found = [f for f in found if f not in acknowledged]  # the plant file's acknowledge: list: no longer warnings
    for f in found:
        print(f"  {f}")
    for f in acknowledged:
        print(f"  acknowledged: {f.where}: {f.message}")
    focus = _focus(settings, config)
    _baseline_sprints(settings, config)
    errors = [f for f in found if f.level == "error"]
    counts = f"{_count(len(errors), 'error')}, {_count(len(found) - len(errors), 'warning')}" + (
        f", {len(acknowledged)} acknowledged" if acknowledged else "") + (
        f", {_count(len(focus), 'focus finding')}" if focus else "")
    print(f"check: {'failed' if errors else 'ok'} — {counts}")
    return 1 if errors else 0


def _focus(settings: Settings, config: PlantConfig) -> list[FocusFinding]:
    """Print the focus checks' findings (owners against the database's users when there are any) and return them."""
    users = _user_names(settings)
    focus = focus_findings(config, users)
    if focus or users is None:
        print("  focus checks (the method's advice, not errors):")
    for f in focus:
        print(f"  focus: {f}")
    if users is None:
        print("  focus: owners not checked against the users: no database with users yet (huddle init creates it)")
    return focus


def _baseline_sprints(settings: Settings, config: PlantConfig) -> None:
    """Print each tree's baseline sprint as the database has it (nothing is opened or closed by looking: a tree new
    or changed since its last sprint gets one when Huddle next starts)."""
    from huddle.dashboard.core.baseline_sprint import hours_left
    from huddle.dashboard.services.container import build_services
    from huddle.data.db import DatabaseUnusableError
    from sqlalchemy.exc import SQLAlchemyError

    if not config.trees or (not settings.database_url and not (settings.data_dir / "huddle.sqlite").exists()):
        return
    try:
        services = build_services(settings, initialise=False)
    except DatabaseUnusableError:
        return
    try:
        states = services.baselines.tree_states()
        now = services.clock()
    except SQLAlchemyError:  # a database from before the sprints (huddle init upgrades it)
        return
    finally:
        services.dispose()
    for key, state, sprint, signed, total in states:
        name = config.trees[key].name
        if state == "pending" or sprint is None:
            print(f"  baseline: {name} is new or changed since its last sprint: a 48-hour baseline sprint opens "
                  f"when Huddle next starts")
        elif state == "open":
            print(f"  baseline: {name}: sprint open, {hours_left(sprint.due_at, now)} h left, {signed} of {total} "
                  f"KPIs signed off")
        elif state == "due":
            print(f"  baseline: {name}: the sprint's 48 hours ran out with {signed} of {total} KPIs signed off")
        else:
            print(f"  baseline: {name}: last sprint closed ({sprint.outcome.replace('_', ' ')}) on "
                  f"{sprint.closed_at:%Y-%m-%d %H:%M} UTC, {signed} of {total} KPIs signed off")


def _user_names(settings: Settings) -> list[str] | None:
    """The names of the people with an account in the plant's database, or None when it has none yet (a SQLite
    file that does not exist is not created by looking)."""
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.services.kpi_stack import account_names
    from huddle.data.db import DatabaseUnusableError

    if not settings.database_url and not (settings.data_dir / "huddle.sqlite").exists():
        return None
    try:
        services = build_services(settings, initialise=False)
    except DatabaseUnusableError:
        return None
    try:
        return account_names(services.accounts)
    finally:
        services.dispose()


def channel_findings(config: PlantConfig, settings: Settings) -> list[Finding]:
    """Warnings for notification channels that will send nothing: no mail server set, or a webhook's variable not
    set in this environment (the variable is named, never its value)."""
    out = []
    for channel in config.notifications.channels.values():
        where = f"notifications.channels ({channel.key})"
        if channel.is_email and not (settings.smtp_host and settings.smtp_sender):
            out.append(Finding("warning", where, "off: set smtp_host and smtp_sender to send its e-mails"))
        elif not channel.is_email and not channel.url(os.environ):
            out.append(Finding("warning", where, f"off: the environment variable {channel.url_env} is not set"))
    return out


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"
