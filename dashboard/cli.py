"""The ``huddle`` command: demo, serve, scheduler, import, init, check, user, display, quarantine. Argument
parsing and one thin function per command; the demo plant's people, actions and OKRs are in ``demo.py``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from huddle.dashboard.cli_calendar import calendar_arguments, cmd_calendar
from huddle.dashboard.cli_check import cmd_check
from huddle.dashboard.cli_config import cmd_config, config_arguments
from huddle.dashboard.cli_monitor import cmd_monitor, monitor_arguments
from huddle.dashboard.cli_okr import cmd_okr, okr_arguments
from huddle.dashboard.cli_quarantine import cmd_quarantine, quarantine_arguments
from huddle.dashboard.cli_sessions import cmd_sessions, sessions_arguments
from huddle.dashboard.core.i18n import languages
from huddle.dashboard.core.plant import ConfigError, load_plant
from huddle.dashboard.core.version import app_version
from huddle.dashboard.heap import settle_heap
from huddle.dashboard.logging_setup import FORMATS, configure_logging
from huddle.dashboard.settings import Settings, load_settings
from huddle.dashboard.settings_read import SettingsError

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gives (None where an option is not given)."""
    return {"data_dir": args.data_dir, "database_url": args.database_url, "plant_config": args.plant_config,
            "timezone": getattr(args, "timezone", None), "host": getattr(args, "host", None),
            "port": getattr(args, "port", None), "now": getattr(args, "now", None), "log_format": args.log_format}


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.settings, **_overrides(args))


def _each_site(settings: Settings) -> list[Settings]:
    """Every site's settings (the settings themselves for a single plant); creates PostgreSQL schemas as needed."""
    from huddle.dashboard.web.sites import create_schemas, site_settings
    from huddle.data.db import database_failure
    from sqlalchemy.exc import SQLAlchemyError

    try:
        create_schemas(settings)
    except SQLAlchemyError as exc:
        raise database_failure(settings.db_url, exc) from exc
    return site_settings(settings)


def _services(settings: Settings) -> Services:
    """The site's services; a database that cannot be used, or failed its check at start, stops the command
    (``DatabaseUnusableError``, which ``main`` prints as one line)."""
    from huddle.dashboard.services.container import build_services

    services = build_services(settings)
    if services.database_problem is not None:
        services.dispose()
        raise services.database_problem
    return services


def _one_site(settings: Settings, key: str | None) -> Settings:
    """The settings of the site named ``key`` (the home site, the first listed, when None)."""
    each = _each_site(settings)
    if key is None:
        return each[0]
    for site in each:
        if load_plant(site.plant_path, site.data_dir).site_key == key:
            return site
    raise KeyError(f"no site {key!r} among the configured sites")


def cmd_init(settings: Settings, label: bool = False) -> int:
    """Create or upgrade the database."""
    from alembic.util.exc import CommandError
    from huddle.data.db import check_database, database_failure, init_db, make_engine
    from huddle.data.queries.ledger import advance_data_version
    from sqlalchemy.exc import SQLAlchemyError

    engine = None
    try:
        engine = make_engine(settings.db_url)
        said = init_db(engine)
        problem = check_database(engine)
        if problem is None:  # past every version a screen or cache saw, also when a restore brought an older one
            with engine.begin() as conn:
                said += f"; boards are drawn afresh (data version {advance_data_version(conn)})"
    except (SQLAlchemyError, CommandError, OSError) as exc:
        raise database_failure(settings.db_url, exc) from exc
    finally:
        if engine is not None:
            engine.dispose()
    if problem is not None:
        raise problem
    print(f"{load_plant(settings.plant_path, settings.data_dir).site_key}: {said}" if label else said)
    return 0


def _print_outcome(outcome: object, verbose: bool = True) -> None:
    from huddle.data.ingest.outcomes import RunOutcome

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
    """Load files once and print what was loaded, rejected and why; the exit status says whether all loaded (0),
    some rows or files were refused (1), the import did not run (2) or nothing loaded (3): see ``cli_import``."""
    from huddle.dashboard.cli_import import run_import

    services = _services(settings)
    try:
        return run_import(services, paths, record)
    finally:
        services.dispose()


def cmd_serve(settings: Settings, with_scheduler: bool = False, demo_feed: bool = False) -> int:
    """Run the web app (and, for the embedded demo, the scheduler in the same single process)."""
    from huddle.dashboard.web.app import create_app

    if settings.sites:
        return _serve_sites(settings)
    services = _services(settings)
    scheduler = None
    lock = None
    if with_scheduler:
        from huddle.dashboard.scheduler import build_scheduler, lock_for

        lock = lock_for(services)
        if lock.acquire():
            extra = []
            if demo_feed:
                from huddle.data.demo.feeds import feed_current

                def feed() -> None:
                    feed_current(services.config, settings.data_dir, services.clock())

                extra.append((feed, 60, "demo-feed"))
            scheduler = build_scheduler(services, blocking=False, extra_jobs=extra)
            scheduler.start()
        else:
            print(f"note: another scheduler ({lock.holder() or 'gone by now'}) runs the loaders for this plant")
            lock = None
    app = create_app(settings, services=services)
    print(f"Huddle on http://{settings.host}:{settings.port}  (data: {settings.data_dir.resolve()})")
    if not services.accounts.users() and settings.anonymous_access != "read":
        print("no users yet: nobody can sign in. Create an admin: huddle user add NAME --role admin")
    settle_heap()
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
        if lock:
            lock.release()
        services.dispose()
    return 0


def _serve_sites(settings: Settings, demo_feed: bool = False) -> int:
    """Serve every configured site from one web app. The loaders run in ``huddle scheduler --site KEY``; the
    demo runs each site's loaders (and its live feed) in this process instead."""
    from huddle.dashboard.scheduler import build_scheduler, lock_for
    from huddle.dashboard.web.app import create_app
    from huddle.dashboard.web.sites import build_sites

    sites = build_sites(settings)
    damaged = next((s.database_problem for s in sites.by_key.values() if s.database_problem is not None), None)
    if damaged is not None:
        sites.dispose()
        raise damaged
    running = []
    if demo_feed:
        from huddle.data.demo.feeds import feed_current

        for services in sites.by_key.values():
            lock = lock_for(services)
            if not lock.acquire():
                print(f"note: another scheduler runs the loaders for {services.config.site_name}")
                continue

            def feed(services: object = services) -> None:
                feed_current(services.config, services.settings.data_dir, services.clock())  # type: ignore[attr-defined]

            scheduler = build_scheduler(services, blocking=False, extra_jobs=[(feed, 60, "demo-feed")])
            scheduler.start()
            running.append((scheduler, lock))
    app = create_app(settings, sites=sites)
    names = ", ".join(f"{s.config.site_name} ({s.config.timezone})" for s in sites.by_key.values())
    print(f"Huddle on http://{settings.host}:{settings.port} for {len(sites.by_key)} sites: {names}")
    settle_heap()
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        for scheduler, lock in running:
            scheduler.shutdown(wait=False)
            lock.release()
        sites.dispose()
    return 0


def cmd_demo(settings: Settings, days: int, sign_in_required: bool = False, sites: int = 1,
             mqtt: str | None = None, language: str | None = None) -> int:
    """Create the demo plant's history (first time), load it, and serve with the loaders running; with
    ``sites=2`` a second plant in another time zone is served beside it."""
    from huddle.dashboard.demo import demo_settings, prepare_demo

    settings = demo_settings(settings, sign_in_required=sign_in_required, sites=sites, mqtt=mqtt,
                             language=language)
    credentials = prepare_demo(_each_site(settings), settings.data_dir, days, open_services=_services,
                               report=lambda outcome: _print_outcome(outcome, verbose=False))
    if credentials:
        name, password = credentials.split()
        print(f"sign in to change things as {name} / {password} (kept in {settings.data_dir / 'demo-admin.txt'})")
    people = settings.data_dir / "demo-people.txt"
    for line in people.read_text().splitlines() if people.exists() else []:
        username, password, who = line.split(" ", 2)
        print(f"  or as {username} / {password} ({who})")
    if settings.sites:
        return _serve_sites(settings, demo_feed=True)
    return cmd_serve(settings, with_scheduler=True, demo_feed=True)



def _read_password(args: argparse.Namespace) -> str:
    """A new password from standard input (--password-stdin) or typed twice at a prompt."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    """Manage users: add, passwd, role, disable, enable, list."""
    from huddle.dashboard.services.accounts import AccountError

    services = _services(settings)
    accounts = services.accounts
    actor = f"cli:{_os_user()}"
    try:
        if args.action == "list":
            for u in accounts.users():
                state = "disabled" if u.disabled else "active"
                last = u.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if u.last_login_at else "never"
                home = u.scope or "site"
                print(f"{u.username:20} {u.role:8} {home:8} {state:9} last sign-in {last}  {u.display_name}")
            return 0
        if not args.name:
            print("error: give the user name")
            return 2
        if args.action == "add":
            accounts.add_user(actor, args.name, _read_password(args), args.role or "viewer", args.display_name or "",
                              args.scope)
            print(f"added {args.name} as {args.role or 'viewer'}" + (f" of {args.scope}" if args.scope else ""))
        elif args.action == "passwd":
            accounts.set_password(actor, args.name, _read_password(args))
            print(f"changed the password of {args.name}; their open sessions end")
        elif args.action in ("role", "set"):
            if not args.role and args.scope is None:
                print("error: give --role viewer, operator, editor or admin, and/or --scope LINE, AREA or site")
                return 2
            steps = [("scope", args.scope), ("role", args.role)]  # an operator needs a line before the role,
            for what, value in steps if args.role == "operator" else steps[::-1]:  # and keeps it until another role
                if what == "scope" and value is not None:
                    accounts.set_scope(actor, args.name, value)
                    print(f"{args.name} works in {value}")
                elif what == "role" and value:
                    accounts.set_role(actor, args.name, value)
                    print(f"{args.name} is now {value}")
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(actor, args.name, args.action == "disable")
            print(f"{args.name} is {args.action}d")
        return 0
    except (AccountError, ValueError) as exc:
        print(f"error: {exc}")
        return 1
    finally:
        services.dispose()


def cmd_display(settings: Settings, args: argparse.Namespace) -> int:
    """Manage wall-TV displays: add (prints the screen's link once), revoke, list."""
    from huddle.dashboard.services.accounts import AccountError

    services = _services(settings)
    try:
        if args.action == "list":
            for d in services.accounts.displays():
                state = f"revoked {d.revoked_at:%Y-%m-%d}" if d.revoked_at else "live"
                seen = d.last_seen_at.strftime("%Y-%m-%d %H:%M UTC") if d.last_seen_at else "never"
                print(f"{d.name:20} {state:18} last seen {seen}  opens {d.start_path}")
            return 0
        if not args.name:
            print("error: give the display name")
            return 2
        if args.action == "add":
            token = services.accounts.add_display(f"cli:{_os_user()}", args.name, args.start or "/?kiosk=1")
            base = args.base_url or f"http://{settings.host}:{settings.port}"
            print(f"display {args.name}: open this link once on the screen (it is shown only now):")
            print(f"  {base.rstrip('/')}/display/{token}")
        else:
            services.accounts.revoke_display(f"cli:{_os_user()}", args.name)
            print(f"revoked {args.name}: the screen is signed out at its next refresh")
        return 0
    except AccountError as exc:
        print(f"error: {exc}")
        return 1
    finally:
        services.dispose()


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = argparse.ArgumentParser(prog="huddle", description="Huddle: daily management for factories.")
    p.add_argument("--settings", help="TOML settings file (or HUDDLE_SETTINGS)")
    p.add_argument("--data-dir", help="data folder: SQLite database, inbox, lock (or HUDDLE_DATA_DIR)")
    p.add_argument("--database-url", help="SQLAlchemy URL of Huddle's database (or HUDDLE_DATABASE_URL)")
    p.add_argument("--plant-config", help="plant configuration YAML (or HUDDLE_PLANT_CONFIG); default: demo")
    p.add_argument("-v", "--verbose", action="store_true", help="log one line per load run (source, files, rows)")
    p.add_argument("--log-format", choices=FORMATS, help="json: one JSON object per log line (or HUDDLE_LOG_FORMAT)")
    p.add_argument("--version", action="version", version=f"huddle {app_version()}")
    p.add_argument("--now", help="run as at this moment, e.g. 2027-01-01T06:30 in plant time (or HUDDLE_NOW): the "
                   "clock starts there and runs on, to train people or show a plant as it was or will be")
    sub = p.add_subparsers(dest="command", required=True)
    commands = {
        "demo": "run the demo plant: generate, load, serve, keep loading",
        "serve": "run the web app only",
        "scheduler": "run the loaders on their schedules (one process per data folder)",
        "import": "load files once and print what was loaded and rejected",
        "init": "create or upgrade the database",
        "check": "validate the plant configuration and print its findings",
        "user": "manage users: add, passwd, role, set (role and/or home scope), disable, enable, list",
        "display": "manage wall-TV display links: add, revoke, list",
        "quarantine": "the loaders' refused rows: list, retry, dismiss (with a reason)",
        "sessions": "who is signed in: list, revoke (one session or every session of a user)",
        "config": "show the settings in effect and where each came from (secrets masked)",
        "monitor": "tokens for monitoring systems (read /metrics and health only): add, revoke, list",
        "calendar": "the plant's planned days off (holidays, shutdowns): import a CSV file, list",
        "okr": "a quarter's objectives and key results: import a YAML file (all or nothing)",
    }
    parsers = {name: sub.add_parser(name, help=text) for name, text in commands.items()}
    for sp in parsers.values():  # the global options are accepted after the command too
        sp.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--database-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--plant-config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--now", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--log-format", choices=FORMATS, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for name in ("demo", "serve"):
        parsers[name].add_argument("--port", type=int)
        parsers[name].add_argument("--host")
    parsers["demo"].add_argument("--days", type=int, default=120, help="days of history to generate (first run)")
    parsers["demo"].add_argument("--sites", type=int, choices=[1, 2], default=1,
                                 help="2: serve a second plant (Lakeside, America/Chicago) beside Riverside")
    parsers["demo"].add_argument("--mqtt", metavar="URL", help="the machines publish their counts and states to "
                                 "this MQTT broker (mqtt://127.0.0.1:1883) and the plant reads them from it")
    parsers["demo"].add_argument("--language", choices=languages(),
                                 help="the language the demo plant speaks (its plant file's site.language)")
    parsers["demo"].add_argument("--sign-in-required", action="store_true",
                                 help="ask everyone to sign in, as a real plant would (default: anyone may read)")
    parsers["user"].add_argument("action", choices=["add", "passwd", "role", "set", "disable", "enable", "list"])
    parsers["user"].add_argument("name", nargs="?")
    parsers["user"].add_argument("--role", choices=["viewer", "operator", "editor", "admin"])
    parsers["user"].add_argument("--scope", help="the person's home line or area key, or 'site' for the whole site")
    parsers["user"].add_argument("--display-name", help="the person's name as pages show it")
    parsers["user"].add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    parsers["display"].add_argument("action", choices=["add", "revoke", "list"])
    parsers["display"].add_argument("name", nargs="?")
    parsers["display"].add_argument("--start", help="the page the screen opens (default /?kiosk=1)")
    parsers["display"].add_argument("--base-url", help="the address TVs reach Huddle at, for the printed link")
    quarantine_arguments(parsers["quarantine"])
    sessions_arguments(parsers["sessions"])
    config_arguments(parsers["config"])
    monitor_arguments(parsers["monitor"])
    calendar_arguments(parsers["calendar"])
    okr_arguments(parsers["okr"])
    for name in ("scheduler", "import"):
        parsers[name].add_argument("--site", help="with several sites: which one (default: the first listed)")
    parsers["import"].add_argument("paths", nargs="+")
    parsers["check"].add_argument("--source", nargs=2, metavar=("KEY", "FILE"), help="preview how FILE maps "
                                  "through source KEY: its first rows as read and first refusals; nothing stored")
    parsers["import"].add_argument("--record", help="record type, when it cannot be recognised from the folder or "
                                   "header")
    return p


LONG_RUNNING = {"scheduler": "huddle-scheduler", "serve": "huddle-web", "demo": "huddle-web"}  # and their
# database connections' application_name; these log at INFO (one line per load run), one-off commands warnings only


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``huddle`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        if args.command == "config":
            return cmd_config(args, _overrides(args))
    except (OSError, ValueError) as exc:  # every problem on a line of its own, naming the key: no traceback
        for problem in exc.problems if isinstance(exc, SettingsError) else [str(exc)]:
            print(f"error: settings: {problem}", file=sys.stderr)
        return 2
    running = args.command in LONG_RUNNING
    configure_logging(args.verbose, settings.log_format, logging.INFO if running else logging.WARNING)
    from huddle.data.db import DatabaseUnusableError, name_connections

    name_connections(LONG_RUNNING.get(args.command, "huddle-cli"))

    try:
        return _dispatch(args, settings)
    except DatabaseUnusableError as exc:  # one line naming the database and what to do, not a traceback
        print(f"error: {exc.message}")
        return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command the arguments name."""
    if args.command == "check" and getattr(args, "source", None):  # how one file would map through a source
        from huddle.dashboard.cli_preview import cmd_preview

        return cmd_preview(settings, *args.source)
    if args.command == "check":
        return max(cmd_check(s) for s in _each_site(settings))
    if args.command not in ("init",):
        for plant in settings.sites or (settings.plant_path,):
            try:
                load_plant(plant, settings.data_dir)
            except ConfigError as exc:
                print(f"error: {exc}\nrun 'huddle check' for details")
                return 1
    if args.command == "init":
        return max(cmd_init(s, label=len(settings.sites) > 1) for s in _each_site(settings))
    if settings.sites and args.command != "serve":  # one site's loaders; people and displays are the home site's
        try:
            settings = _one_site(settings, getattr(args, "site", None))
        except KeyError as exc:
            print(f"error: {exc.args[0]}")
            return 2
    if args.command == "import":
        return cmd_import(settings, args.paths, args.record)
    if args.command == "scheduler":
        from huddle.dashboard.cli_scheduler import cmd_scheduler

        return cmd_scheduler(_services(settings))
    if args.command == "user":
        return cmd_user(settings, args)
    if args.command == "display":
        return cmd_display(settings, args)
    if args.command == "quarantine":
        return cmd_quarantine(_services(settings), args, f"cli:{_os_user()}")
    if args.command == "sessions":
        return cmd_sessions(_services(settings), args, f"cli:{_os_user()}")
    if args.command == "monitor":
        return cmd_monitor(_services(settings), args, f"cli:{_os_user()}")
    if args.command == "calendar":
        return cmd_calendar(_services(settings), args, f"cli:{_os_user()}")
    if args.command == "okr":
        return cmd_okr(_services(settings), args, f"cli:{_os_user()}")
    if args.command == "serve":
        return cmd_serve(settings)
    return cmd_demo(settings, args.days, args.sign_in_required, args.sites, args.mqtt, args.language)


if __name__ == "__main__":
    sys.exit(main())
