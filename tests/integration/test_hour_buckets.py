"""Hour by hour follows the shift's own start: a shift starting at 14:30 has its rows at 14:30, 15:30, … and the
export's 14:30–15:30 count in the 14:30 row (not in the 15:00 row, with a last row holding 1.5 h of plan)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services import board

from tests.conftest import SMALL_PLANT, Inbox

SHIFTS = """calendar:
  shifts:
    - {key: D, name: Day, start: "06:00", end: "14:30"}
    - {key: S, name: Swing, start: "14:30", end: "23:00"}
areas:"""
PLANT = SMALL_PLANT[:SMALL_PLANT.index("calendar:")] + SHIFTS + SMALL_PLANT[SMALL_PLANT.index("\nareas:") + 7:]
PLANT = PLANT.replace("timezone: Europe/Berlin", "timezone: America/New_York")
# the MES writes one row per hour of the shift, from its start, and a half hour at its end
COUNTS = "line,start,end,product,total,good,planned\n" + "".join(
    f"L1,2026-11-16 {h}:30,2026-11-16 {h + 1}:30,,100,{90 + h - 14},100\n" for h in range(14, 22)) + \
    "L1,2026-11-16 22:30,2026-11-16 23:00,,50,45,50\n"


def test_a_shift_starting_at_half_past_has_its_hours_from_its_start(make_services: Callable[..., Any],
                                                                    tmp_path: Path) -> None:
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(None, now=datetime(2026, 11, 17, 12, 0, tzinfo=UTC), plant=plant)
    outcome = Inbox(tmp_path / "inbox").load(services, counts=COUNTS)
    assert sum(o.rows_loaded for o in outcome) == 9
    rows = board.hour_by_hour(services.readings, "L1", parse_period("shift", "2026-11-16/S"))
    assert [r.label for r in rows] == ["14:30", "15:30", "16:30", "17:30", "18:30", "19:30", "20:30", "21:30",
                                       "22:30"]
    assert [r.planned for r in rows] == [100] * 8 + [50]
    assert [r.actual for r in rows] == [90, 91, 92, 93, 94, 95, 96, 97, 45]
    assert all(r.has_data for r in rows)
    assert rows[0].start_utc == datetime(2026, 11, 16, 19, 30, tzinfo=UTC)  # 14:30 EST
    assert rows[-1].start_utc == datetime(2026, 11, 17, 3, 30, tzinfo=UTC)
    assert rows[-1].end_utc == datetime(2026, 11, 17, 4, 0, tzinfo=UTC)
    assert rows[-1].cum_planned == 850 and rows[-1].cum_actual == 793
