"""``huddle calendar``: the plant's planned days off. ``import FILE`` reads a CSV file of holidays and shutdowns
(columns ``date`` or ``from`` and ``to``, ``name``, optional ``scope`` — plant, an area or a line — and ``kind``) and
stores it in place of the file imported before; ``list`` shows every planned day in force, the plant file's and the
imported ones. A file with any problem is refused whole, each problem named with its line (exit 1)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


def calendar_arguments(parser: argparse.ArgumentParser) -> None:
    """The calendar command's actions and options."""
    parser.add_argument("action", choices=["import", "list"])
    parser.add_argument("file", nargs="?", help="import: the CSV file of planned days")


def cmd_calendar(services: Services, args: argparse.Namespace, who: str) -> int:
    """Run one calendar action against the services, which it disposes of; the exit code."""
    from huddle.dashboard.core.plant_calendar import read_planned_csv
    from huddle.dashboard.services.planned import import_planned, plant_calendar

    try:
        if args.action == "list":
            with services.sessions() as session:
                planned = plant_calendar(services.config, session).planned
            print(f"{len(planned)} planned {'entry' if len(planned) == 1 else 'entries'}")
            for p in sorted(planned, key=lambda p: (p.first, p.scope)):
                days = f"{p.first:%a %d %b %Y}" + (f" – {p.last:%a %d %b %Y}" if p.last != p.first else "")
                where = services.config.site_name if p.scope == "plant" else services.config.scope_name(p.scope)
                print(f"  {days}: {p.name} ({p.kind}, {where})")
            return 0
        if not args.file:
            print("error: give the file: huddle calendar import FILE")
            return 2
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: {args.file}: cannot be read ({exc})\ncalendar: failed")
            return 1
        entries, problems = read_planned_csv(text)
        problems = problems or import_planned(services, who, entries)
        if problems:
            for problem in problems:
                print(f"error: {args.file}: {problem}")
            print("calendar: failed — nothing imported")
            return 1
        days = sum((p.last - p.first).days + 1 for p in entries)
        print(f"calendar: imported {len(entries)} planned entries ({days} days) from {args.file}, "
              "in place of those imported before")
        return 0
    finally:
        services.dispose()
