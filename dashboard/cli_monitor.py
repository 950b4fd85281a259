"""``huddle monitor``: tokens for monitoring systems. ``add NAME`` prints a new token once (Prometheus sends it as
``Authorization: Bearer <token>``); it reads ``/metrics`` and ``/api/v1/health`` and nothing else. ``revoke NAME``
ends it at the monitor's next request; ``list`` shows every token, made when and whether revoked. Each change is
audited."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


def monitor_arguments(parser: argparse.ArgumentParser) -> None:
    """The monitor command's actions and options."""
    parser.add_argument("action", choices=["add", "revoke", "list"])
    parser.add_argument("name", nargs="?", help="add, revoke: the monitor's name, like prometheus")


def cmd_monitor(services: Services, args: argparse.Namespace, who: str) -> int:
    """Run one monitor action against the (home site's) services, which it disposes of; the exit code."""
    from huddle.dashboard.services.accounts import AccountError
    from huddle.dashboard.services.monitors import Monitors

    monitors = Monitors(services.accounts)
    tz = services.config.tz
    try:
        if args.action == "list":
            listed = monitors.listing()
            print(f"{len(listed)} monitor token{'s' if len(listed) != 1 else ''}, times in plant time")
            for m in listed:
                state = f"revoked {m.revoked_at.astimezone(tz):%Y-%m-%d %H:%M}" if m.revoked_at else "in use"
                print(f"{m.name:24} made {m.created_at.astimezone(tz):%Y-%m-%d %H:%M}, {state}")
            return 0
        if not args.name:
            print(f"error: give the monitor's name: huddle monitor {args.action} NAME")
            return 2
        if args.action == "add":
            token = monitors.add(who, args.name)
            print(f"monitor {args.name}: it reads /metrics and /api/v1/health with the header "
                  "'Authorization: Bearer <token>'. The token is shown only now:")
            print(f"  {token}")
            return 0
        monitors.revoke(who, args.name)
        print(f"revoked the monitor {args.name}: its next request is refused")
        return 0
    except AccountError as exc:
        print(f"error: {exc}")
        return 1
    finally:
        services.dispose()
