"""``huddle check``: the plant file's problems and method warnings, where each source reads (its paths resolved
against the plant file's folder; a folder that does not exist is an error), and the shift times the next year's clock
changes skip or repeat. It ends with "check: ok" or "check: failed" and exits 1 on any error."""

from __future__ import annotations

from huddle.dashboard.core.calendar import now_utc, parse_instant
from huddle.dashboard.core.plant import ConfigError, load_plant
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
        config, since=parse_instant(settings.now, config.tz) if settings.now else now_utc())
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
    errors = [f for f in found if f.level == "error"]
    counts = f"{_count(len(errors), 'error')}, {_count(len(found) - len(errors), 'warning')}" + (
        f", {len(acknowledged)} acknowledged" if acknowledged else "")
    print(f"check: {'failed' if errors else 'ok'} — {counts}")
    return 1 if errors else 0


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"
