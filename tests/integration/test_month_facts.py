"""Facts summed by month (``month_facts``): after every kind of load (counts over a month's end, stops, labour,
an area's safety events, a file replacing rows, one taking stops away) each month row is the sum of its shift rows,
counted here in Python; a sum over a range holding whole months reads them and gives what the shift rows alone give,
for every scope, shift, group and set of measures; and the migration that adds the table fills it from the facts a
plant already has. On SQLite and PostgreSQL."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.data.db import init_db, make_engine
from huddle.data.models import ShiftFact
from huddle.data.models_months import FACT_MEASURES, LIMIT_COUNTS, MONTH_FACTS
from huddle.data.queries import readings as reading_queries
from huddle.data.queries.scope import ScopeFilter
from sqlalchemy import insert, select, text

from tests.conftest import write_past

START = datetime(2026, 11, 28, 0, 0)  # local times (Europe/Berlin): three days of November, three of December


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _counts(hours: int, total: int = 1000) -> str:
    rows = ["line,start,end,product,total,good"]
    for h in range(hours):
        start = START + timedelta(hours=h)
        for n, line in enumerate(("L1", "L2")):
            # now and then more made than the line can make: a line-shift breaking a physical limit is counted
            made = total + 9 * h + n + (30000 if h % 17 == 3 else 0)
            rows.append(f"{line},{_when(start)},{_when(start + timedelta(hours=1))},A,{made},{made - 20 - h % 7}")
    return "\n".join(rows) + "\n"


def _stops(hours: int, every: int) -> str:
    rows = ["line,start,end,reason,category,equipment"]
    for h in range(0, hours, every):
        at = START + timedelta(hours=h, minutes=10)
        for line in ("L1", "L2"):
            rows.append(f"{line},{_when(at)},{_when(at + timedelta(minutes=20 + h % 30))},Jam,unplanned,Filler")
    return "\n".join(rows) + "\n"


LABOUR = "line,date,shift,planned_headcount,present_headcount,hours_worked,overtime_hours\n" + "".join(
    f"{line},{(START.date() + timedelta(days=d)).isoformat()},{shift},6,{5 + d % 2},{38 + d},1\n"
    for d in range(6) for shift in ("E", "L", "N") for line in ("L1", "L2"))
SAFETY = ("time,location,type,description\n2026-11-29 10:00,L1,first_aid,Cut finger\n"
          "2026-11-30 23:00,a,recordable,Slip in the area's aisle\n2026-12-02 08:00,L2,near_miss,Pallet fell\n")
FILES = [("production_counts", "counts.csv", _counts(6 * 24)),
         ("stop_events", "stops.csv", _stops(6 * 24, 5)),
         ("labour", "labour.csv", LABOUR),
         ("safety_events", "safety.csv", SAFETY),
         ("production_counts", "counts_again.csv", _counts(3 * 24 + 5, 1200)),  # replaces the first days' counts
         ("stop_events", "stops_again.csv", _stops(6 * 24, 11))]  # other stops on the same minutes, fewer of them


def _summed_in_python(services: Any) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """``shift_facts`` summed per line, area, month and shift here, as the month rows must hold them."""
    f = ShiftFact
    out: dict[tuple[str, str, str, str], dict[str, Any]] = defaultdict(
        lambda: {**dict.fromkeys(FACT_MEASURES, 0.0), **dict.fromkeys(LIMIT_COUNTS, 0), "data_through_utc": None,
                 "facts": 0, "line_shifts": 0})
    with services.sessions() as session:
        for row in session.scalars(select(f)):
            sums = out[(row.line, row.area, row.production_date.strftime("%Y-%m"), row.shift)]
            for name in FACT_MEASURES:
                sums[name] += getattr(row, name)
            sums["n_over_performance"] += row.ideal_total_s > row.run_s * 1.000001 + 1
            sums["n_good_over_total"] += row.good_count > row.total_count
            sums["n_stops_over_time"] += row.unplanned_stop_s + row.changeover_s > row.ppt_s + 60
            sums["n_rejects_over_total"] += row.total_count > 0 and row.scrap_qty + row.rework_qty > row.total_count
            if row.data_through_utc is not None and (sums["data_through_utc"] is None
                                                     or row.data_through_utc > sums["data_through_utc"]):
                sums["data_through_utc"] = row.data_through_utc
            sums["facts"] += 1
            sums["line_shifts"] += row.line != ""
    return dict(out)


def _month_rows(services: Any) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    m = MONTH_FACTS.c
    with services.sessions() as session:
        return {(r.line, r.area, r.month, r.shift): {k: v for k, v in r._mapping.items()
                                                     if k not in ("id", "line", "area", "month", "shift")}
                for r in session.execute(select(MONTH_FACTS).order_by(m.id))}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        math.isclose(a[k], b[k], rel_tol=1e-12, abs_tol=1e-9) if isinstance(a[k], float) else a[k] == b[k] for k in a)


def _load(services: Any, tmp_path: Path) -> None:
    for record, name, body in FILES:
        outcome = services.loader.import_files([write_past(tmp_path / record / name, body)], record=record)
        assert outcome.files[0].status == "loaded", outcome.files[0]
        months, summed = _month_rows(services), _summed_in_python(services)
        assert months.keys() == summed.keys(), name
        assert all(_same(months[k], summed[k]) for k in months), name


@pytest.fixture
def loaded(make_services: Callable[..., Any], database_url: str, tmp_path: Path) -> Any:
    """The small plant after every file, the month rows checked after each."""
    services = make_services(database_url, now=datetime(2026, 12, 4, 12, tzinfo=UTC))
    _load(services, tmp_path)
    return services


def test_each_month_row_is_the_sum_of_its_shift_rows_after_every_load(loaded: Any) -> None:
    months = _month_rows(loaded)
    assert {k[2] for k in months} == {"2026-11", "2026-12"}
    assert ("", "a", "2026-11", "N") in months  # the area's own safety facts have their month rows too
    assert sum(r["n_over_performance"] for r in months.values()) > 0  # the counted limits are summed as well
    assert list(LIMIT_COUNTS) == [f"n_{key}" for key in reading_queries.limit_breaks(ShiftFact)]  # the same limits


def test_sums_over_whole_months_are_those_of_the_shift_rows(loaded: Any) -> None:
    rng = random.Random(20261206)
    scopes = [ScopeFilter((), (), True), ScopeFilter(("L1",), (), False), ScopeFilter(("L1", "L2"), ("a",), False)]
    groups: list[tuple[str, ...]] = [(), ("line",), ("shift",), ("month",), ("line", "area"), ("month", "shift")]
    measure_sets = [None, frozenset({"recordables", "hours_worked"}), frozenset({"good_count", "total_count",
                                                                                "ideal_total_s", "run_s"})]
    with loaded.sessions() as session:
        for _ in range(150):
            first = date(2026, 11, 1) + timedelta(days=rng.randrange(0, 40))
            first = first.replace(day=1) if rng.random() < 0.4 else first
            last = first + timedelta(days=rng.randrange(0, 70))
            if rng.random() < 0.4:  # the end of a month
                last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            asked = (rng.choice(scopes), first, last, rng.choice([None, "E", "N"]), rng.choice(groups),
                     rng.choice(measure_sets))
            through = rng.random() < 0.7
            both = reading_queries.sums_by(session, *asked, through=through)
            shifts_only = reading_queries.sums_by(session, *asked, through=through, months=False)
            assert len(both) == len(shifts_only), asked
            for a, b in zip(both, shifts_only, strict=True):
                assert a.keys() == b.keys() and all(
                    (a[k] or 0) == pytest.approx(b[k] or 0, rel=1e-12) if k != "data_through" else a[k] == b[k]
                    for k in a), (asked, a, b)


def test_a_year_with_whole_months_reads_the_month_rows(loaded: Any) -> None:
    statements: list[str] = []
    from sqlalchemy import event

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(loaded.db, "before_cursor_execute", seen)
    try:
        with loaded.sessions() as session:
            reading_queries.sums_by(session, ScopeFilter((), (), True), date(2025, 12, 5), date(2026, 12, 4))
            reading_queries.sums_by(session, ScopeFilter((), (), True), date(2026, 11, 2), date(2026, 11, 29))
    finally:
        event.remove(loaded.db, "before_cursor_execute", seen)
    assert "month_facts" in statements[0] and "month_facts" not in statements[1]  # the second holds no whole month


def test_the_migration_fills_the_month_rows_from_the_stored_facts(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    init_db(engine, revision="0017")  # a plant's database before the month rows
    f = ShiftFact.__table__
    day = date(2026, 11, 30)
    begins = datetime(2026, 11, 30, 5, tzinfo=UTC)
    rows = [{"line": line, "area": "a", "production_date": day + timedelta(days=d), "shift": shift,
             "start_utc": begins + timedelta(days=d), "end_utc": begins + timedelta(days=d, hours=8),
             "data_through_utc": begins + timedelta(days=d, hours=7), "updated_at": begins + timedelta(days=3),
             **{m: float(len(line) + d + i) for i, m in enumerate(FACT_MEASURES)}}
            for line in ("L1", "L2") for d in (0, 1) for shift in ("E", "L")]
    rows[0] |= {"good_count": 10.0, "total_count": 5.0}  # good above total: a broken limit to count
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shift_facts"))
        conn.execute(insert(f), rows)
    init_db(engine)
    with engine.connect() as conn:
        stored = {(r.line, r.month, r.shift): r for r in conn.execute(select(MONTH_FACTS))}
    assert sorted(stored) == sorted((line, month, shift) for line in ("L1", "L2") for month in ("2026-11", "2026-12")
                                    for shift in ("E", "L"))
    one = stored[("L1", "2026-11", "E")]
    assert one.facts == 1 and one.line_shifts == 1 and one.n_good_over_total == 1 and one.good_count == 10.0
    assert stored[("L2", "2026-12", "L")].total_count == float(2 + 1 + FACT_MEASURES.index("total_count"))
    engine.dispose()
