"""``huddle sessions``: who is signed in, from the shell. ``list`` shows the live sign-in sessions (``--all`` also
those ended or expired, with why), ``revoke`` ends one session by the start of its id as ``list`` shows it, or every
session of a user (``--user``); each revoke is audited and the browser is signed out at its next request."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.dashboard.services.accounts import SignedIn
    from huddle.dashboard.services.container import Services


def sessions_arguments(parser: argparse.ArgumentParser) -> None:
    """The sessions command's actions and options."""
    parser.add_argument("action", choices=["list", "revoke"])
    parser.add_argument("session", nargs="?", help="revoke: the session, by the start of its id as list shows it")
    parser.add_argument("--user", help="revoke: every session of this user")
    parser.add_argument("--all", action="store_true", help="list: also sessions that ended or expired")
    parser.add_argument("--limit", type=int, default=200, help="list: at most this many (default 200)")


def _line(s: SignedIn, tz: object) -> str:
    def at(when: object) -> str:
        return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]

    state = f"ended {at(s.ended_at)} ({s.ended_why})" if s.ended_at else f"until {at(s.expires_at)}"
    agent = f"  {s.user_agent[:60]}" if s.user_agent else ""
    return (f"{s.short_id}  {s.username:20} from {s.address or '?':15} signed in {at(s.created_at)}, "
            f"last seen {at(s.last_seen_at)}, {state}{agent}")


def cmd_sessions(services: Services, args: argparse.Namespace, who: str) -> int:
    """Run one sessions action against the (home site's) services, which it disposes of; the exit code."""
    from huddle.dashboard.services.accounts import AccountError

    accounts = services.accounts
    try:
        if args.action == "list":
            shown = accounts.signed_in(live_only=not args.all, limit=max(args.limit, 1))
            print(f"{len(shown)} session{'s' if len(shown) != 1 else ''}"
                  + (" (live and ended)" if args.all else " signed in now") + ", times in plant time")
            for s in shown:
                print(_line(s, services.config.tz))
            return 0
        if args.user:
            ended = accounts.revoke_sessions_of(who, args.user)
            print(f"ended {ended} session{'s' if ended != 1 else ''} of {args.user}")
            return 0
        if not args.session:
            print("error: name the session (the start of its id, as 'huddle sessions list' shows it) or --user")
            return 2
        one = accounts.revoke_session(who, args.session)
        print(f"ended the session of {one.username} from {one.address or '?'}: that browser is signed out at its "
              "next request")
        return 0
    except AccountError as exc:
        print(f"error: {exc}")
        return 1
    finally:
        services.dispose()
