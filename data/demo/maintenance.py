"""The demo plant's maintenance system (CMMS): the preventive plan of every line's assets, the work orders it gives
and how each went, and a corrective order for every long unplanned stop, as the ``work_orders`` record type.

Each asset has a weekly PM on its own weekday (and the control cabinet a four-weekly one). Most are done on their
day; some a day or a few late, a few never (missed). On Line 2 more slip as its filler degrades (the same drift
as ``story``): the maintenance team is busy repairing it, which is the story PM compliance tells next to MTBF.
Orders are exported as they stand at an instant: one done after it is not done yet.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from huddle.data.demo.generator import _Generator, _ts

#: the assets a line's PM plan covers, in the order their weekly PM goes through the week (Monday first)
PM_ASSETS = {True: ("Filler", "Capper", "Labeller", "Conveyor", "Bottle infeed", "Cap feeder"),
             False: ("Labeller", "Conveyor", "Case packer", "Shrink wrapper", "Palletiser")}
#: shares of PMs done late and never done, without drift; and what a fully drifted line adds to each
_LATE, _MISSED = 0.07, 0.03
_DRIFT_LATE, _DRIFT_MISSED = 0.22, 0.12
#: an unplanned stop at least this long (seconds) gets a corrective work order
_CORRECTIVE_S = 15 * 60


def _local(gen: _Generator, day: date, minutes: int) -> int:
    return _ts(datetime.combine(day, time(0), tzinfo=gen.tz) + timedelta(minutes=minutes))


def _pm_orders(gen: _Generator, line: str, day: date) -> list[tuple[Any, ...]]:
    """The preventive orders of a line scheduled on a day: (number, asset, line, type, day, done at or None)."""
    assets = list(PM_ASSETS[gen.filling(line)])
    due = [a for i, a in enumerate(assets) if i % 5 == day.weekday()] if day.weekday() < 5 else []
    if day.isocalendar()[1] % 4 == gen.line_index[line] % 4 and day.weekday() == 2:
        due.append("Control cabinet")
    out = []
    for n, asset in enumerate(due, start=1):
        rng = gen.rng(line, day.isoformat(), asset, "pm")
        drift = gen.drift(line, _local(gen, day, 12 * 60))
        draw = rng.random()
        missed = _MISSED + _DRIFT_MISSED * drift
        late = missed + _LATE + _DRIFT_LATE * drift
        when = rng.randrange(6 * 60 + 30, 13 * 60 + 30)  # minutes after midnight: PMs are planned in the early shift
        if draw < missed:
            done = None
        elif draw < late:
            done = _local(gen, day + timedelta(days=rng.randint(1, 4)), when)
        else:
            done = _local(gen, day, when)
        out.append((f"PM-{day:%y%m%d}-{line}-{n:02d}", asset, line, "preventive", day, done))
    return out


def _corrective_orders(gen: _Generator, line: str, day: date) -> list[tuple[Any, ...]]:
    out = []
    for inst in gen.day_shifts(day):
        for s in gen.shift_run(line, inst).stops:
            if s.category == "unplanned" and s.equipment and s.end - s.start >= _CORRECTIVE_S:
                out.append((f"CM-{line}-{s.start}", s.equipment, line, "corrective", day, s.end))
    return out


def work_orders(gen: _Generator, first: date, last: date, as_of: int) -> list[tuple[Any, ...]]:
    """Every line's work orders scheduled from ``first`` to ``last`` as the CMMS shows them at ``as_of``, as rows of
    the contract's columns (an order done later reads as not done; one scheduled after ``as_of``'s day is left
    out)."""
    today = datetime.fromtimestamp(as_of, gen.tz).date()
    rows: list[tuple[Any, ...]] = []
    day = first
    while day <= min(last, today):
        for line in gen.config.lines:
            orders = _pm_orders(gen, line, day) + _corrective_orders(gen, line, day)
            rows += [(number, asset, ln, kind, scheduled.isoformat(),
                      gen.text(done) if done is not None and done <= as_of else "")
                     for number, asset, ln, kind, scheduled, done in orders
                     if kind == "preventive" or (done is not None and done <= as_of)]
        day += timedelta(days=1)
    return rows
