"""The portfolio: every site side by side on the SQDCM statuses of its last shift and on its root KPI (the first
tree's root) for its last full day and its month to date, each site read in its own time zone and calendar. Plain
Python over each site's services; the portfolio page and the API show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.names import period_label
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.board import board_readings
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.reading_context import sharing_context
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.tree import last_complete_day


@dataclass(frozen=True)
class SiteRow:
    """One site's line of the portfolio."""

    key: str
    name: str
    timezone: str
    local_time: str
    last_shift: str | None
    columns: list[tuple[str, str]]  # (S/Q/D/C/M, status) of the plant's board for the last shift
    root_name: str
    root_day: Reading | None
    root_month: Reading | None
    data_through: str
    last_shift_name: str = ""  # 'Night shift, Thu 19 Nov', in the site's own words

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"site": self.key, "name": self.name, "timezone": self.timezone, "local_time": self.local_time,
                "last_shift": self.last_shift, "sqdcm": dict(self.columns), "root_kpi": self.root_name,
                "root_day": self.root_day.as_dict() if self.root_day else None,
                "root_month": self.root_month.as_dict() if self.root_month else None,
                "data_through": self.data_through}


@sharing_context  # the site's numbers judged at one instant, through one session
def site_row(services: Services) -> SiteRow:
    """One site's statuses and root KPI, in its own time zone."""
    config = services.config
    now: datetime = services.clock()
    last = services.readings.last_completed_shift()
    board = board_readings(services.readings, services.actions, "plant", last) if last else {"columns": []}
    columns = [(c["category"], c["status"]) for c in board["columns"]]
    tree = next(iter(config.trees.values()), None)
    root_day = root_month = None
    if tree is not None:
        day = last_complete_day(config, now)
        if day is not None:
            root_day = services.readings.reading(tree.root, "plant", Period("day", day, day))
        root_month = services.readings.reading(tree.root, "plant", services.readings.current_period("month"))
    health = services.data_status.health()
    through = health.get("data_through")
    today = now.astimezone(config.tz).date()
    return SiteRow(
        key=config.site_key, name=config.site_name, timezone=config.timezone,
        local_time=format_time(now, config.tz, today), last_shift=last.label if last else None,
        last_shift_name=period_label(config, last, today) if last else "", columns=columns,
        root_name=config.kpis[tree.root].name if tree else "",
        root_day=root_day, root_month=root_month,
        data_through=format_time(datetime.fromisoformat(through), config.tz, today) if through else "no data yet")


def portfolio(sites: dict[str, Services]) -> list[SiteRow]:
    """Every site's row, in the order the settings list the sites."""
    return [site_row(s) for s in sites.values()]
