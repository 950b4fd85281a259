"""``huddle quarantine``: the loaders' refused rows from the shell. ``list`` shows the open problems (or resolved,
dismissed, all), ``retry`` validates refused rows again against the plant configuration as it is now and loads
those that pass, ``dismiss`` closes problems that need no fix, with a reason (audited). Problems are named by
their number ("problem 12"), which ``list`` shows."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services
    from huddle.dashboard.services.quarantine import Problem


def quarantine_arguments(parser: argparse.ArgumentParser) -> None:
    """The quarantine command's actions and options."""
    parser.add_argument("action", choices=["list", "retry", "dismiss"])
    parser.add_argument("problems", nargs="*", type=int, metavar="NUMBER",
                        help="problem numbers, as list shows them (retry, dismiss)")
    parser.add_argument("--status", choices=["open", "resolved", "dismissed", "all"], default="open",
                        help="list: which problems (default: the open ones)")
    parser.add_argument("--source", help="list, retry --all: one source's problems only")
    parser.add_argument("--limit", type=int, default=200, help="list: at most this many (default 200)")
    parser.add_argument("--all", action="store_true", help="retry: every open problem")
    parser.add_argument("--reason", help="dismiss: why the problems need no fix (kept with them and audited)")
    parser.add_argument("--by", help="dismiss, retry: who does it, as the audit trail names them (default: "
                        "cli:<your login>)")
    parser.add_argument("--site", help="with several sites: which one (default: the first listed)")


def _line(problem: Problem, tz: object) -> str:
    found = problem.found_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
    return f"problem {problem.id}  {problem.where}: {problem.what}  ({problem.source}, found {found})"


def cmd_quarantine(services: Services, args: argparse.Namespace, who: str) -> int:
    """Run one quarantine action against the site's services (which it disposes of); the exit code."""
    from huddle.dashboard.services.quarantine import QuarantineError

    try:
        if args.action == "list":
            return _list(services, args)
        if args.action == "retry":
            return _retry(services, args, args.by or who)
        return _dismiss(services, args, args.by or who)
    except QuarantineError as exc:
        print(f"error: {exc}")
        return 1
    finally:
        services.dispose()


def _list(services: Services, args: argparse.Namespace) -> int:
    tz = services.config.tz
    counts = services.quarantine.counts(args.source)
    shown = services.quarantine.problems(args.status, args.source, limit=max(args.limit, 1))
    print(f"{counts['open']} open, {counts['resolved']} resolved, {counts['dismissed']} dismissed"
          + (f" (source {args.source})" if args.source else ""))
    for p in shown:
        print(_line(p, tz) + ("" if p.status == "open" else f"  — {p.state}"))
    total = sum(counts.values()) if args.status == "all" else counts[args.status]
    if total > len(shown):
        print(f"… {total - len(shown)} more (use --limit)")
    return 0


def _retry(services: Services, args: argparse.Namespace, who: str) -> int:
    if bool(args.problems) == args.all:
        print("error: give the problem numbers to retry, or --all")
        return 2
    done = services.quarantine.retry(who, args.problems or None, source=args.source if args.all else None)
    tz = services.config.tz
    for p in done.loaded:
        print(f"loaded: {_line(p, tz)}")
    for p, why in done.still:
        print(f"still refused: {_line(p, tz)}\n    now: {why}")
    for p, why in done.skipped:
        print(f"not retried: {_line(p, tz)}\n    {why}")
    print(f"{done.rows_loaded} rows loaded ({len(done.loaded)} problems resolved), {len(done.still)} problems still "
          f"refused, {len(done.skipped)} not retried")
    return 1 if done.still else 0


def _dismiss(services: Services, args: argparse.Namespace, who: str) -> int:
    if not args.problems:
        print("error: give the numbers of the problems to dismiss (huddle quarantine list shows them)")
        return 2
    if not (args.reason or "").strip():
        print("error: give --reason: why these problems need no fix (kept with them and in the audit trail)")
        return 2
    done = services.quarantine.dismiss(who, args.problems, args.reason)
    tz = services.config.tz
    for p in done.dismissed:
        print(f"dismissed: {_line(p, tz)}")
    for p, why in done.skipped:
        print(f"left as it is: {_line(p, tz)} — {why}")
    return 0
