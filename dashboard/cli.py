"""The ``huddle`` command: demo, serve, scheduler, import, init, check."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dashboard.config import ConfigError, findings, load_plant
from dashboard.settings import Settings, load_settings

log = logging.getLogger("huddle")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.settings, data_dir=args.data_dir, database_url=args.database_url,
                         plant_config=args.plant_config, timezone=getattr(args, "timezone", None),
                         host=getattr(args, "host", None), port=getattr(args, "port", None))


def cmd_check(settings: Settings) -> int:
    """Validate the plant configuration and print its findings; exit 1 on errors."""
    try:
        config = load_plant(settings.plant_path, settings.data_dir)
    except ConfigError as exc:
        print(f"error: {exc}")
        return 1
    found = findings(config)
    print(f"{settings.plant_path}: {config.site_name} ({config.timezone}), {len(config.areas)} areas, "
          f"{len(config.lines)} lines, {len(config.calendar.shifts)} shifts, {len(config.kpis)} KPIs, "
          f"{len(config.trees)} trees, {len(config.sources)} sources")
    for f in found:
        print(f"  {f}")
    errors = [f for f in found if f.level == "error"]
    print(f"{len(errors)} errors, {len(found) - len(errors)} warnings")
    return 1 if errors else 0


def cmd_init(settings: Settings) -> int:
    """Create or upgrade the database."""
    from data.db import init_db, make_engine

    engine = make_engine(settings.db_url)
    try:
        print(init_db(engine))
    finally:
        engine.dispose()
    return 0


def _print_outcome(outcome: object, verbose: bool = True) -> None:
    from data.loaders import RunOutcome

    assert isinstance(outcome, RunOutcome)
    print(f"{outcome.source}: {outcome.status} — {outcome.rows_read} rows read, {outcome.rows_loaded} loaded, "
          f"{outcome.rows_rejected} rejected")
    for f in outcome.files:
        if f.status in ("waiting", "duplicate") or verbose:
            note = f" ({f.note})" if f.note else ""
            print(f"  {f.name}: {f.status}, {f.rows_loaded} loaded, {f.rows_rejected} rejected{note}")
        for row, column, value, reason in f.problems[:20]:
            where = "file" if row == 0 else f"line {row}"
            col = f", column {column}" if column else ""
            val = f" = {value!r}" if value else ""
            print(f"    {where}{col}{val}: {reason}")
        if len(f.problems) > 20:
            print(f"    … {len(f.problems) - 20} more problems (see the Data page)")
    if outcome.status == "failed" and outcome.message:
        print(f"  error: {outcome.message}")


def cmd_import(settings: Settings, paths: list[str], record: str | None) -> int:
    """Load files once and print what was loaded, rejected and why."""
    from dashboard.services import build_services

    services = build_services(settings)
    try:
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            print(f"error: not found: {', '.join(missing)}")
            return 2
        outcome = services.loader.import_files([Path(p) for p in paths], record=record)
        _print_outcome(outcome)
        return 0 if outcome.status in ("ok", "idle") else 1
    finally:
        services.dispose()


def cmd_scheduler(settings: Settings) -> int:
    """Run the loaders on their schedules in this process (blocks)."""
    from dashboard.scheduler import build_scheduler, lock_for
    from dashboard.services import build_services

    services = build_services(settings)
    lock = lock_for(services)
    if not lock.acquire():
        print(f"another scheduler (pid {lock.holder()}) runs the loaders for {settings.data_dir}; standing by")
        lock.acquire(wait=True)
    scheduler = build_scheduler(services, blocking=True)
    print(f"scheduler: {len(services.config.sources)} sources for {services.config.site_name}; Ctrl+C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
        services.dispose()
    return 0


def cmd_serve(settings: Settings, with_scheduler: bool = False, demo_feed: bool = False) -> int:
    """Run the web app (and, for the embedded demo, the scheduler in the same single process)."""
    from dashboard.app import create_app
    from dashboard.services import build_services

    services = build_services(settings)
    scheduler = None
    lock = None
    if with_scheduler:
        from dashboard.scheduler import build_scheduler, lock_for

        lock = lock_for(services)
        if lock.acquire():
            extra = []
            if demo_feed:
                from data.demo import feed_current

                def feed() -> None:
                    feed_current(services.config, settings.data_dir, services.clock())

                extra.append((feed, 60, "demo-feed"))
            scheduler = build_scheduler(services, blocking=False, extra_jobs=extra)
            scheduler.start()
        else:
            print(f"note: another scheduler (pid {lock.holder()}) runs the loaders for this data folder")
            lock = None
    app = create_app(settings, services=services)
    print(f"Huddle on http://{settings.host}:{settings.port}  (data: {settings.data_dir.resolve()})")
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
        if lock:
            lock.release()
        services.dispose()
    return 0


def cmd_demo(settings: Settings, days: int) -> int:
    """Create the demo plant's history (first time), load it, and serve with the loaders running."""
    from dashboard.calendar import now_utc
    from dashboard.services import build_services
    from data.demo import feed_current, generate_history

    settings = settings.with_(plant_config=settings.plant_config)
    services = build_services(settings)
    try:
        inbox = settings.data_dir / "inbox"
        if not inbox.exists():
            started = time.monotonic()
            counts = generate_history(services.config, settings.data_dir, now_utc(), days=days)
            print(f"demo plant: wrote {sum(counts.values())} records of {days} days as export files "
                  f"({time.monotonic() - started:.1f} s)")
        written = time.time()
        feed_current(services.config, settings.data_dir, now_utc())
        # the loaders leave files alone until they have been still for their settle window: wait it out once
        settle = max((s.settle_seconds for s in services.config.sources.values() if s.kind == "files"), default=0)
        time.sleep(max(0.0, written + settle + 0.5 - time.time()))
        started = time.monotonic()
        for outcome in services.loader.run_all(trigger="demo"):
            _print_outcome(outcome, verbose=False)
        print(f"loaded in {time.monotonic() - started:.1f} s")
    finally:
        services.dispose()
    return cmd_serve(settings, with_scheduler=True, demo_feed=True)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = argparse.ArgumentParser(prog="huddle", description="Huddle: daily management for factories.")
    p.add_argument("--settings", help="TOML settings file (or HUDDLE_SETTINGS)")
    p.add_argument("--data-dir", help="data folder: SQLite database, inbox, lock (or HUDDLE_DATA_DIR)")
    p.add_argument("--database-url", help="SQLAlchemy URL of Huddle's database (or HUDDLE_DATABASE_URL)")
    p.add_argument("--plant-config", help="plant configuration YAML (or HUDDLE_PLANT_CONFIG); default: demo")
    p.add_argument("-v", "--verbose", action="store_true", help="log loader runs")
    sub = p.add_subparsers(dest="command", required=True)
    commands = {
        "demo": "run the demo plant: generate, load, serve, keep loading",
        "serve": "run the web app only",
        "scheduler": "run the loaders on their schedules (one process per data folder)",
        "import": "load files once and print what was loaded and rejected",
        "init": "create or upgrade the database",
        "check": "validate the plant configuration and print its findings",
    }
    parsers = {name: sub.add_parser(name, help=text) for name, text in commands.items()}
    for sp in parsers.values():  # the global options are accepted after the command too
        sp.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--database-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--plant-config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for name in ("demo", "serve"):
        parsers[name].add_argument("--port", type=int)
        parsers[name].add_argument("--host")
    parsers["demo"].add_argument("--days", type=int, default=120, help="days of history to generate (first run)")
    parsers["import"].add_argument("paths", nargs="+")
    parsers["import"].add_argument("--record", help="record type, when it cannot be recognised from the folder or "
                                   "header")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``huddle`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = _settings(args)
    except (OSError, ValueError) as exc:
        print(f"error: settings: {exc}")
        return 2
    if args.command == "check":
        return cmd_check(settings)
    if args.command not in ("init",):
        try:
            load_plant(settings.plant_path, settings.data_dir)
        except ConfigError as exc:
            print(f"error: {exc}\nrun 'huddle check' for details")
            return 1
    if args.command == "init":
        return cmd_init(settings)
    if args.command == "import":
        return cmd_import(settings, args.paths, args.record)
    if args.command == "scheduler":
        return cmd_scheduler(settings)
    if args.command == "serve":
        return cmd_serve(settings)
    return cmd_demo(settings, args.days)


if __name__ == "__main__":
    sys.exit(main())
