"""Demo data: months of realistic plant exports in the inbox folders, and a live feed while the demo runs.

``generate_history`` writes what a plant's systems would have exported over the last ``days`` production days:
MES counts (one CSV per day) and stops (one semicolon CSV per day), QMS defects (one .xlsx per ISO week),
time-clock labour and the CMMS's work orders (one .xlsx per month), EHS incidents and the ideas board (one CSV
each), and the ERP's daily scrap cost in a SQLite database the ``erp-cost`` source queries. ``feed_current`` then
adds one file per completed hour (and per completed day, the work orders of its last week as they stand). Files
are written under a ``.tmp`` name and renamed, so a loader never reads half a file.

Every number comes from generators seeded per line and shift (or hour), so an hour written live is exactly
the hour the history would have written. The story in the numbers: Line 2's filler degrades over the last six
weeks (more and longer Filler jams, more short stops and underfills), which pulls the plant's OEE below
target, while a supplier problem adds some Material shortage stops on every line over the last three weeks.

The parts: ``story`` holds the story's parameters (ramps, stop reasons, defect mix, incident texts),
``generator`` makes the rows of one line in one shift or hour, and this module drives it over the history or
the hours since, and writes the files.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from huddle.dashboard.core.plant import PlantConfig, load_plant
from huddle.dashboard.settings import DEMO_PLANT
from huddle.data.demo.generator import _Generator, _Stop, _ts
from huddle.data.demo.live_mqtt import live_source, publish_minutes
from huddle.data.demo.maintenance import work_orders
from huddle.data.demo.samples import write_samples
from huddle.data.demo.story import _HOUR
from huddle.data.ingest.contract import RECORD_TYPES

log = logging.getLogger("huddle.demo")

STATE_FILE = "demo_state.json"  # in the data folder: the history's cut-off and drift anchor, read by the feed
ERP_FILE = "erp.sqlite"


def _columns(record: str) -> tuple[str, ...]:
    """The data contract's column names of a record type, in contract order (the files' headers)."""
    return tuple(c.name for c in RECORD_TYPES[record].columns)


_COUNT_COLUMNS = _columns("production_counts")
_STOP_COLUMNS = _columns("stop_events")
_QUALITY_COLUMNS = _columns("quality_events")
_SAFETY_COLUMNS = _columns("safety_events")
_LABOUR_COLUMNS = _columns("labour")
_KPI_COLUMNS = _columns("kpi_values")
_WORK_ORDER_COLUMNS = _columns("work_orders")
#: how many days back a day's maintenance export lists its orders (a late order is exported again once done)
_WORK_ORDER_DAYS = 7


# ---- files -------------------------------------------------------------------------------------------------


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
               delimiter: str = ",") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    _atomic_bytes(path, buffer.getvalue().encode("utf-8"))


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    tmp = path.with_name(path.name + ".tmp")
    book.save(tmp)
    os.replace(tmp, path)


def _folders(config: PlantConfig) -> dict[str, Path]:
    """The inbox folder of each record type (the first files source reading it)."""
    out: dict[str, Path] = {}
    for source in config.sources.values():
        if source.kind == "files" and source.path and source.record not in out:
            out[source.record] = Path(source.path)
    return out


def _slices(lo: int, hi: int) -> list[tuple[int, int]]:
    return [(a, min(a + _HOUR, hi)) for a in range(lo, hi, _HOUR)]


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    return now.astimezone(UTC)


def _floor_hour(now: datetime, config: PlantConfig) -> int:
    """The end of the last completed plant-local clock hour."""
    local = now.astimezone(config.tz)
    return _ts(local.replace(minute=0, second=0, microsecond=0))


def _anchor(config: PlantConfig, cutoff: int) -> int:
    """Local midnight of the cut-off's day: the drift is measured from here (stable within a day)."""
    day = datetime.fromtimestamp(cutoff, config.tz).date()
    return _ts(datetime.combine(day, time(0), tzinfo=config.tz))


def _day_of(config: PlantConfig, instant: int) -> date:
    """Production date of the shift containing an instant (its local date outside every shift)."""
    at = datetime.fromtimestamp(instant, UTC)
    inst = config.calendar.locate(at)
    return inst.production_date if inst else at.astimezone(config.tz).date()


def _count_row(gen: _Generator, row: tuple[Any, ...]) -> tuple[Any, ...]:
    line, a, b, product, total, good, planned = row
    return (line, gen.text(a), gen.text(b), product, total, good, planned)


def _stop_row(gen: _Generator, line: str, s: _Stop) -> tuple[Any, ...]:
    return (line, gen.text(s.start), gen.text(s.end), s.reason, s.category, s.equipment)


def _erp_write(path: Path, rows: list[tuple[str, str, float]], *, create: bool) -> int:
    """Create the ERP database with its rows (atomically), or add the rows whose (line, day) it lacks."""
    target = path.with_name(path.name + ".tmp") if create else path
    if create:
        target.unlink(missing_ok=True)
    conn = sqlite3.connect(target)
    try:
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS daily_scrap_cost "
                         "(line TEXT NOT NULL, day TEXT NOT NULL, scrap_cost_eur REAL NOT NULL)")
            have = set(conn.execute("SELECT line, day FROM daily_scrap_cost"))
            new = [r for r in rows if (r[0], r[1]) not in have]
            conn.executemany("INSERT INTO daily_scrap_cost (line, day, scrap_cost_eur) VALUES (?, ?, ?)", new)
    finally:
        conn.close()
    if create:
        os.replace(target, path)
    return len(new)


def _unit_cost(gen: _Generator, line: str) -> float:
    return 0.35 if gen.filling(line) else 1.20


# ---- public ------------------------------------------------------------------------------------------------


def generate_history(config: PlantConfig, data_dir: Path, now: datetime, days: int = 120,
                     seed: int = 7) -> dict[str, int]:
    """Write ``days`` production days of exports up to the last completed hour; returns rows per type."""
    if days < 1:
        raise ValueError("days must be at least 1")
    data_dir = Path(data_dir)
    cutoff = _floor_hour(_utc(now), config)
    anchor = _anchor(config, cutoff)
    gen = _Generator(config, seed, anchor)
    last_day = _day_of(config, cutoff - 1)
    first_day = last_day - timedelta(days=days - 1)
    instances = [i for i in config.calendar.instances_for_dates(first_day, last_day)
                 if _ts(i.start_utc) < cutoff]
    folders = _folders(config)
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)

    counts: dict[date, list[tuple[Any, ...]]] = defaultdict(list)
    stops: dict[date, list[tuple[int, str, _Stop]]] = defaultdict(list)
    quality: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    labour: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    scrap: dict[tuple[str, date], int] = defaultdict(int)
    day_end: dict[date, int] = {}  # when each production day's last shift ends (started or not)
    for inst in instances:
        day = inst.production_date
        if day not in day_end:
            day_end[day] = max(_ts(i.end_utc) for i in gen.day_shifts(day))
        lo, hi = _ts(inst.start_utc), min(_ts(inst.end_utc), cutoff)
        for line in config.lines:
            run = gen.shift_run(line, inst)
            for a, b in _slices(lo, hi):
                rows, events = gen.hour(run, a, b)
                counts[day].extend(rows)
                iso = day.isocalendar()
                quality[(iso[0], iso[1])].extend(events)
                for event in events:
                    if event[4] == "scrap":
                        scrap[(line, day)] += event[3]
            stops[day].extend((s.start, line, s) for s in run.stops if s.end <= cutoff)
            if _ts(inst.end_utc) <= cutoff:
                labour[(day.year, day.month)].append(gen.labour(line, inst))

    written: dict[str, int] = defaultdict(int)
    if "production_counts" in folders:
        for day, rows in counts.items():
            rows.sort(key=lambda r: (r[1], r[0], r[3]))
            _write_csv(folders["production_counts"] / f"counts_{day:%Y%m%d}.csv", _COUNT_COLUMNS,
                       (_count_row(gen, r) for r in rows))
            written["production_counts"] += len(rows)
    if "stop_events" in folders:
        for day, items in stops.items():
            items.sort(key=lambda x: (x[0], x[1]))
            _write_csv(folders["stop_events"] / f"stops_{day:%Y%m%d}.csv", _STOP_COLUMNS,
                       (_stop_row(gen, line, s) for _, line, s in items), delimiter=";")
            written["stop_events"] += len(items)
    if "quality_events" in folders:
        for (year, week), events in quality.items():
            events.sort(key=lambda e: (e[1], e[0], e[2]))
            _write_xlsx(folders["quality_events"] / f"quality_{year}-W{week:02d}.xlsx", _QUALITY_COLUMNS,
                        ((ln, gen.cell(at), defect, qty, disp, esc) for ln, at, defect, qty, disp, esc in events),
                        "Defects")
            written["quality_events"] += len(events)
    if "labour" in folders:
        for (year, month), rows in labour.items():
            rows.sort(key=lambda r: (r[1], r[2], r[0]))
            _write_xlsx(folders["labour"] / f"labour_{year}-{month:02d}.xlsx", _LABOUR_COLUMNS, rows,
                        "Time clock")
            written["labour"] += len(rows)
    if "safety_events" in folders:
        incidents = gen.safety(first_day, last_day, cutoff)
        _write_csv(folders["safety_events"] / f"incidents_{first_day:%Y%m%d}_{last_day:%Y%m%d}.csv",
                   _SAFETY_COLUMNS, ((gen.text(at), loc, kind, text) for at, loc, kind, text in incidents))
        written["safety_events"] = len(incidents)
    if "kpi_values" in folders and "improvement_ideas" in config.kpis:
        mondays = sorted({d - timedelta(days=d.weekday()) for d in day_end} & set(day_end))
        ideas = [gen.ideas(line, monday) for monday in mondays for line in config.lines]
        _write_csv(folders["kpi_values"] / f"ideas_{first_day:%Y%m%d}_{last_day:%Y%m%d}.csv", _KPI_COLUMNS,
                   ideas)
        written["kpi_values"] = len(ideas)
    if "work_orders" in folders:
        orders = work_orders(gen, first_day, last_day, cutoff)
        by_month: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in orders:
            by_month[row[4][:7]].append(row)
        for month, rows in by_month.items():
            _write_xlsx(folders["work_orders"] / f"work_orders_{month}.xlsx", _WORK_ORDER_COLUMNS, rows, "Orders")
        written["work_orders"] = len(orders)
    complete = sorted(day for day, end in day_end.items() if end <= cutoff)
    erp_rows = [(line, f"{day:%Y-%m-%d}", round(scrap[(line, day)] * _unit_cost(gen, line), 2))
                for day in complete for line in config.lines]
    written["daily_scrap_cost"] = _erp_write(data_dir / ERP_FILE, erp_rows, create=True)
    state = {"version": 1, "seed": seed, "cutoff": datetime.fromtimestamp(cutoff, UTC).isoformat(),
             "anchor": datetime.fromtimestamp(anchor, UTC).isoformat(), "first_day": first_day.isoformat(),
             "last_day": last_day.isoformat()}
    _atomic_bytes(data_dir / STATE_FILE, json.dumps(state, indent=2).encode("utf-8"))
    return dict(written)


def feed_current(config: PlantConfig, data_dir: Path, now: datetime, seed: int | None = None,
                 publish: bool = True) -> list[Path]:
    """Write every hour completed since the history's cut-off not written yet (with the history's seed unless
    another is given); returns the paths written. A plant with an MQTT source gets its counts and stops through
    the broker instead: every minute since the last published (only when ``publish``: a subscriber must be
    listening)."""
    data_dir = Path(data_dir)
    try:
        state = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("no demo history in %s (generate_history writes %s): nothing to feed", data_dir,
                    STATE_FILE)
        return []
    cutoff = _ts(datetime.fromisoformat(state["cutoff"]))
    anchor = _ts(datetime.fromisoformat(state["anchor"]))
    seed = int(state.get("seed", 7)) if seed is None else seed
    history_last_day = date.fromisoformat(state["last_day"])
    write_samples(_folders(config).get("production_counts"))  # untidy files for the Data page (samples.py)
    until = _floor_hour(_utc(now), config)
    gen = _Generator(config, seed, anchor)
    live = live_source(config)
    if live is not None and publish:
        try:
            publish_minutes(config, live, data_dir, gen, cutoff, _utc(now))
        except OSError as exc:  # the broker is away: its minutes go out with the next run
            log.warning("demo feed: cannot publish to %s (%s); trying again next run", live.url, exc)
    if until <= cutoff:
        return []
    folders = _folders(config)
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    instances = config.calendar.instances(datetime.fromtimestamp(cutoff, UTC),
                                          datetime.fromtimestamp(until, UTC))
    for inst in instances:
        lo, hi = _ts(inst.start_utc), _ts(inst.end_utc)
        for a, b in _slices(lo, hi):
            if a < cutoff or b > until or "production_counts" not in folders:
                continue
            name = gen.hour_name(a)
            counts_path = folders["production_counts"] / f"counts_live_{name}.csv"
            if live is not None:  # the broker carries counts and stops: mark the hour's other files as written
                counts_path = data_dir / "live_hours" / name
            if counts_path.exists():
                continue
            rows: list[tuple[Any, ...]] = []
            events: list[tuple[Any, ...]] = []
            ended: list[tuple[str, _Stop]] = []
            for line in config.lines:
                run = gen.shift_run(line, inst)
                hour_rows, hour_events = gen.hour(run, a, b)
                rows.extend(hour_rows)
                events.extend(hour_events)
                ended.extend((line, s) for s in run.stops if a < s.end <= b and s.end > cutoff)
            if events and "quality_events" in folders:
                path = folders["quality_events"] / f"quality_live_{name}.csv"
                events.sort(key=lambda e: (e[1], e[0], e[2]))
                _write_csv(path, _QUALITY_COLUMNS,
                           ((ln, gen.text(at), d, q, disp, esc) for ln, at, d, q, disp, esc in events))
                written.append(path)
            if ended and "stop_events" in folders and live is None:
                path = folders["stop_events"] / f"stops_live_{name}.csv"
                ended.sort(key=lambda x: (x[1].start, x[0]))
                _write_csv(path, _STOP_COLUMNS, (_stop_row(gen, ln, s) for ln, s in ended), delimiter=";")
                written.append(path)
            if live is None:
                _write_csv(counts_path, _COUNT_COLUMNS, (_count_row(gen, r) for r in rows))
                written.append(counts_path)
            else:
                counts_path.parent.mkdir(exist_ok=True)
                counts_path.touch()
        if cutoff < hi <= until and "labour" in folders:
            path = folders["labour"] / f"labour_live_{inst.production_date:%Y%m%d}_{inst.shift_key}.csv"
            if not path.exists():
                _write_csv(path, _LABOUR_COLUMNS, [gen.labour(line, inst) for line in config.lines])
                written.append(path)

    last_day = _day_of(config, until - 1)
    day = history_last_day
    erp_rows = []
    ideas_weeks = []
    while day <= last_day:
        shifts = gen.day_shifts(day)
        if shifts and cutoff < _ts(shifts[-1].end_utc) <= until:
            scrap: dict[str, int] = defaultdict(int)
            for inst in shifts:
                for line in config.lines:
                    run = gen.shift_run(line, inst)
                    for a, b in _slices(_ts(inst.start_utc), _ts(inst.end_utc)):
                        for event in gen.hour(run, a, b)[1]:
                            if event[4] == "scrap":
                                scrap[line] += event[3]
            erp_rows.extend((line, f"{day:%Y-%m-%d}", round(scrap[line] * _unit_cost(gen, line), 2))
                            for line in config.lines)
            path = folders.get("work_orders", data_dir) / f"work_orders_live_{day:%Y%m%d}.csv"
            if "work_orders" in folders and not path.exists():
                _write_csv(path, _WORK_ORDER_COLUMNS, work_orders(
                    gen, day - timedelta(days=_WORK_ORDER_DAYS), day, _ts(shifts[-1].end_utc)))
                written.append(path)
        if day > history_last_day and day.weekday() == 0:
            ideas_weeks.append(day)
        day += timedelta(days=1)
    if erp_rows and _erp_write(data_dir / ERP_FILE, erp_rows, create=False):
        written.append(data_dir / ERP_FILE)
    if "kpi_values" in folders and "improvement_ideas" in config.kpis:
        for monday in ideas_weeks:
            iso = monday.isocalendar()
            path = folders["kpi_values"] / f"ideas_live_{iso[0]}-W{iso[1]:02d}.csv"
            if not path.exists():
                _write_csv(path, _KPI_COLUMNS, [gen.ideas(line, monday) for line in config.lines])
                written.append(path)
    return written


def prepare_demo(settings_data_dir: Path, now: datetime | None = None) -> dict[str, int]:
    """Generate the demo plant's history into a data folder unless its inbox exists; rows written per type."""
    data_dir = Path(settings_data_dir)
    if (data_dir / "inbox").exists():
        return {}
    config = load_plant(DEMO_PLANT, data_dir)
    return generate_history(config, data_dir, now or datetime.now(UTC))
