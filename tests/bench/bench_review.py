"""Benchmark of the monthly KPI review: the read model against a SQL floor, its exports, and the page's render.

What it measures, in one run (``python tests/bench/bench_review.py [--lines 20] [--years 5]``):

1. **Plant.** The large plant of ``bench_board.py`` (its ``build_plant``, which runs ``bench_data_path.py``'s
   generator and the real loaders, imported from those scripts, not copied): ``--lines`` lines, 3 shifts,
   ``--years`` of history ending yesterday in SQLite; with ``--workdir`` a plant loaded there before for the same
   ``--lines`` and ``--years`` (by this script, ``bench_board.py`` or ``bench_tree.py``) is reused. Its
   configuration gets ``bench_tree.py``'s ``tree_plant_document`` (the demo plant's OEE tree and the KPIs it needs,
   15 KPIs in S Q D C M), so the bowler, the lines compared (oee, availability, performance, quality) and *why it
   moved* have what a real review has. The file is rewritten only when it differs. The generator writes no
   quality events, no safety events and no actions: the defects Pareto, TRIR and the actions list are empty.
2. **The review on the large plant**, for the last full month that the data covers (the latest calendar month whose
   days have all passed and been loaded), at plant scope, for one area and for one line (L07 and its area, or without
   L07 the first line of the area with the most lines; median and p95 of ``--runs`` and the first, cold, run):
   ``build_review`` (``dashboard/review.py``) against its floor, raw SQL for the same numbers: one ``GROUP BY`` month
   over ``shift_facts`` for the 12 months with every measure summed, one ``SELECT SUM`` of every measure for the year
   to date, one ``GROUP BY line, month`` of the measures the compared KPIs read for the per-line series, and the raw
   ``stop_events`` range query of the month's unplanned stops (plus the ``quality_events`` range query when the plant
   has any). The plant needs no location filter (every fact row is the plant's, as the readings read it); area and
   line add ``line IN (...)`` (the readings also count an area's area-level facts, which the bench plant has none of).
   The floor's time is the queries and fetching their rows; the KPI values are then worked from its sums in Python
   and compared with the review's (``agree`` / ``DIFFER``): OEE and availability of each month, every KPI of every
   month, the year to date, every line's series, and the month's unplanned stop minutes, stops started and records
   (the floor clips each stop to the month's shift windows and takes planned breaks out). The review's time is split
   by timing its parts apart with the same readings calls: ``series_many`` (12 months × every KPI), ``readings`` for
   the year to date, the actions listing, ``events_of`` for stops and for defects, ``series_by_line`` of the lines
   compared (one grouped query; a line's review takes its row from its bowler's series), ``build_tree_view``;
   *rest* is the review's median less theirs, so noise can make it negative.
3. **Exports and page** from the built review: ``review_pdf`` (bytes, and pages: ``/Type /Page`` not followed by
   ``s``), ``review_html`` (bytes), ``review_workbook`` (bytes), and ``render_review(review, config)``
   (``pages/review.py``, the page's Dash components) with its JSON (``to_json_plotly``; bytes and gzipped).
4. **Summary** of every figure, the peak RSS and the wall time.

``--quick`` is ``--lines 6 --years 1.1 --runs 5``: a full 12-month bowler and an area of two lines in under a minute.
This is a script, not a test: pytest does not collect it. The temporary folder is removed at the end unless
``--keep`` or ``--workdir`` is given.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.kpi import MEASURES
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import CATEGORIES, PlantConfig
from huddle.dashboard.exports.review_html import review_html
from huddle.dashboard.exports.review_pdf import review_pdf
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.services.events import DEFECTS, UNPLANNED_STOPS, events_of
from huddle.dashboard.services.review import Review, build_review, last_full_month, month_name, months_ending
from huddle.dashboard.services.tree import build_tree_view
from huddle.data.models import UTCDateTime
from huddle.data.queries.records import STOP_LOOKBACK
from huddle.pages.review import render_review
from plotly.io.json import to_json_plotly
from siblings import import_sibling  # tests/bench is on the path when a bench script runs
from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection

bt = import_sibling("bench_tree")
benchtable = import_sibling("benchtable")
bb = bt.bb
bdp = bt.bdp

PDF_PAGE = re.compile(rb"/Type /Page(?!s)")
PDF_TARGET_MS = 500  # the plant's pack, a month of a 20-line plant (issue 22)
SHOWN_KPIS = ("oee", "availability")  # printed month by month

def plural(n: int, word: str) -> str:
    """'1 line', '4 lines'."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# ---- floors --------------------------------------------------------------------------------------------------

_DATES = (bindparam("first", type_=Date()), bindparam("last", type_=Date()))
_LINES = bindparam("lines", expanding=True)


def _sums(measures: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"SUM({m}) AS {m}" for m in measures)


def month_sql(lines: bool, dialect: str) -> Any:
    """Every measure summed per month over whole months (their month rows); every row (plant) or ``line IN (...)``."""
    source, count, month = benchtable.facts_in_range(dialect, months=True)
    where = source + (" AND line IN :lines" if lines else "")
    stmt = text(f"SELECT {month} AS month, {_sums(tuple(MEASURES))}, {count} AS facts "
                f"FROM {where} GROUP BY month ORDER BY month")
    return stmt.bindparams(*_DATES, _LINES) if lines else stmt.bindparams(*_DATES)


def ytd_sql(lines: bool, dialect: str) -> Any:
    """Every measure summed over whole months (the year to date, to the end of the month reviewed)."""
    source, count, _month = benchtable.facts_in_range(dialect, months=True)
    where = source + (" AND line IN :lines" if lines else "")
    stmt = text(f"SELECT {_sums(tuple(MEASURES))}, {count} AS facts FROM {where}")
    return stmt.bindparams(*_DATES, _LINES) if lines else stmt.bindparams(*_DATES)


def line_month_sql(measures: list[str], dialect: str) -> Any:
    """Some measures summed per line and month over whole months, for the scope's lines."""
    source, count, month = benchtable.facts_in_range(dialect, months=True)
    return text(f"SELECT line, {month} AS month, {_sums(measures)}, {count} AS facts "
                f"FROM {source} AND line IN :lines GROUP BY line, month ORDER BY line, month").bindparams(
                    *_DATES, _LINES)


_TIMES = tuple(bindparam(n, type_=UTCDateTime()) for n in ("lo", "hi", "lookback"))
#: The month's unplanned stops of the scope's lines: every stop that overlaps the month's shift windows (a stop
#: may start up to STOP_LOOKBACK before them, as the readings read).
STOPS_SQL = text("""
SELECT line, start_utc, end_utc, reason, category, equipment FROM stop_events
 WHERE line IN :lines AND start_utc >= :lookback AND start_utc < :hi AND end_utc > :lo AND category IN :cats
 ORDER BY start_utc, line
""").bindparams(_LINES, bindparam("cats", expanding=True), *_TIMES).columns(
    start_utc=UTCDateTime(), end_utc=UTCDateTime())
QUALITY_SQL = text("""
SELECT line, at_utc, defect, quantity, disposition FROM quality_events
 WHERE line IN :lines AND at_utc >= :lo AND at_utc < :hi AND disposition IN :dispositions ORDER BY at_utc, line
""").bindparams(_LINES, bindparam("dispositions", expanding=True), *_TIMES[:2]).columns(at_utc=UTCDateTime())


@dataclass(frozen=True)
class Case:
    """A scope to review: its label, key, lines and whether the floor filters by line."""

    label: str
    scope: str
    lines: tuple[str, ...]
    filtered: bool  # False for the plant: every fact row


@dataclass(frozen=True)
class FloorRows:
    """What the floor queries returned."""

    months: list[Any]
    ytd: Any
    by_line: list[Any]
    stops: list[Any]
    defects: list[Any]


@dataclass(frozen=True)
class Floor:
    """The floor's statements and parameters for one case (prepared outside the timing)."""

    month_q: Any
    ytd_q: Any
    line_q: Any
    months_p: dict[str, Any]
    ytd_p: dict[str, Any]
    line_p: dict[str, Any]
    stops_p: dict[str, Any]
    quality_p: dict[str, Any] | None  # None when the plant has no quality events

    def parts(self, conn: Connection) -> dict[str, Callable[[], list[Any]]]:
        """Each query of the floor as a call that fetches its rows."""
        out: dict[str, Callable[[], list[Any]]] = {
            "12 months": lambda: conn.execute(self.month_q, self.months_p).all(),
            "YTD": lambda: conn.execute(self.ytd_q, self.ytd_p).all(),
            "line × month": lambda: conn.execute(self.line_q, self.line_p).all(),
            "stops": lambda: conn.execute(STOPS_SQL, self.stops_p).all(),
        }
        if self.quality_p is not None:
            out["defects"] = lambda: conn.execute(QUALITY_SQL, self.quality_p).all()
        return out

    def run(self, conn: Connection) -> FloorRows:
        """Every query of the floor, rows fetched."""
        rows = {name: fn() for name, fn in self.parts(conn).items()}
        return FloorRows(rows["12 months"], rows["YTD"][0], rows["line × month"], rows["stops"],
                         rows.get("defects", []))


def make_floor(config: PlantConfig, case: Case, month: Period, compared: list[str], has_quality: bool,
               dialect: str) -> Floor:
    """The floor of a case's review for a month."""
    months = months_ending(month)
    lines = {"lines": list(case.lines)} if case.filtered else {}
    insts = config.calendar.instances_for_dates(month.first, month.last)
    lo, hi = insts[0].start_utc, max(i.end_utc for i in insts)
    return Floor(
        month_q=month_sql(case.filtered, dialect), ytd_q=ytd_sql(case.filtered, dialect),
        line_q=line_month_sql(bt.needed_measures(config, compared) or ["ppt_s"], dialect),
        months_p={"first": months[0].first, "last": month.last} | lines,
        ytd_p={"first": date(month.first.year, 1, 1), "last": month.last} | lines,
        line_p={"first": months[0].first, "last": month.last, "lines": list(case.lines)},
        stops_p={"lines": list(case.lines), "cats": list(UNPLANNED_STOPS.values), "lo": lo, "hi": hi,
                 "lookback": lo - STOP_LOOKBACK},
        quality_p=({"lines": list(case.lines), "dispositions": list(DEFECTS.values), "lo": lo, "hi": hi}
                   if has_quality else None),
    )


def stop_figures(config: PlantConfig, month: Period, stops: list[Any]) -> tuple[float, int, int]:
    """(minutes inside the month's shift windows less planned breaks, stops started inside, records) of the rows."""
    insts = config.calendar.instances_for_dates(month.first, month.last)
    lo, hi = insts[0].start_utc, max(i.end_utc for i in insts)
    breaks = sorted(b for i in insts for b in i.breaks)
    starts = [b[0] for b in breaks]
    minutes, started, records = 0.0, 0, 0
    for s in stops:
        a, z = max(s.start_utc, lo), min(s.end_utc, hi)
        seconds = max(0.0, (z - a).total_seconds())
        for b_lo, b_hi in breaks[max(0, bisect.bisect_right(starts, a) - 1):]:
            if b_lo >= z:
                break
            seconds -= max(0.0, (min(z, b_hi) - max(a, b_lo)).total_seconds())
        if seconds > 0:
            minutes += seconds / 60
            records += 1
            started += lo <= s.start_utc < hi
    return minutes, started, records


summed = benchtable.summed


def check(services: Services, review: Review, floor: FloorRows) -> tuple[list[str], str]:
    """(OEE and availability month by month, the summary of every comparison) of a review against its floor."""
    config = services.config
    month_rows = {r.month: r for r in floor.months}
    shown = []
    for kpi in SHOWN_KPIS:
        row = next((r for r in review.rows if r.kpi.key == kpi), None)
        if row is None:
            continue
        pairs = [(c.reading.period, c.reading.value, bt.value_of(config, kpi, month_rows[c.reading.period])
                  if c.reading.period in month_rows else None) for c in row.cells]
        bad = [f"{p}: {v!r} vs {f!r}" for p, v, f in pairs if bdp.agree(v, f) != "agree"]
        values = " ".join("—" if v is None else f"{v:.2f}" for _p, v, _f in pairs)
        shown.append(f"{kpi} by month {values}: " + ("agree" if not bad else "DIFFER " + "; ".join(bad)))
    keys = [r.kpi.key for r in review.rows if summed(config, r.kpi.key)]
    cells = {f"{r.kpi.key} {c.reading.period}": c.reading.value for r in review.rows if r.kpi.key in keys
             for c in r.cells}
    floor_cells = {f"{k} {m}": (bt.value_of(config, k, month_rows[m]) if m in month_rows else None)
                   for k in keys for m in (p.label for p in review.months)}
    ytd = {r.kpi.key: r.ytd.value for r in review.rows if r.kpi.key in keys}
    floor_ytd = {k: bt.value_of(config, k, floor.ytd) for k in keys}
    line_rows = {(r.line, r.month): r for r in floor.by_line}
    per_line = {f"{s.kpi.key} {ln} {r.period}": r.value for s in review.lines for ln, rs in s.by_line.items()
                for r in rs}
    floor_line = {f"{s.kpi.key} {ln} {r.period}": (bt.value_of(config, s.kpi.key, line_rows[(ln, r.period)])
                                                   if (ln, r.period) in line_rows else None)
                  for s in review.lines for ln, rs in s.by_line.items() for r in rs}
    minutes, started, records = stop_figures(config, review.month, floor.stops)
    stops = review.stops
    stop_check = (f"{bdp.agree(stops.total, minutes)} ({stops.total:,.1f} min)"
                  if started == sum(p.count for p in stops.pareto) and records == stops.total_records
                  else f"DIFFER: review {stops.total:,.1f} min, {sum(p.count for p in stops.pareto)} started, "
                       f"{stops.total_records} records; floor {minutes:,.1f} min, {started} started, {records} "
                       "records")
    units = sum(r.quantity for r in floor.defects)  # the generator writes none; the windows are contiguous
    defect_check = f"{bdp.agree(float(units), review.defects.total)} ({units:,} units)"
    text_ = (f"{len(keys)} KPIs × {len(review.months)} months {bt.agree_all(cells, floor_cells)}; YTD "
             f"{bt.agree_all(ytd, floor_ytd)}; per line ({len(review.lines)} KPIs × "
             f"{plural(len(next(iter(review.lines)).by_line) if review.lines else 0, 'line')}) "
             f"{bt.agree_all(per_line, floor_line)}; unplanned stops {stop_check}, {started:,} started, {records:,} "
             f"records; defects {defect_check}")
    return shown, text_


# ---- measurements --------------------------------------------------------------------------------------------


def measure_review(services: Services, case: Case, month: Period, runs: int, has_quality: bool,
                   summary: Any) -> tuple[Review, Any]:
    """build_review against its floor, the split of its time, and its values against the floor's; the review and
    the table's row."""
    config, kpis = services.config, services.readings
    months = months_ending(month)
    keys = [k for cat in CATEGORIES for k, d in config.kpis.items() if d.category == cat]
    tree = next(iter(config.trees.values()), None)
    compared = [tree.root, *tree.children(tree.root)] if tree else []
    print(f"\n== {case.label} ({config.scope_name(case.scope)}, {plural(len(case.lines), 'line')}): review of "
          f"{month_name(month)}, months {months[0].label} … {month.label}, median of {runs}", flush=True)
    t_review, review = bt.timed(lambda: build_review(services, case.scope, month), runs)
    ytd = Period("year", date(month.first.year, 1, 1), month.last)
    parts: dict[str, Callable[[], object]] = {
        "series_many": lambda: kpis.series_many(keys, case.scope, "month", months[0].first, month.last),
        "YTD readings": lambda: kpis.readings(keys, case.scope, ytd),
        "actions": lambda: services.actions.listing(case.scope, open_only=False),
        "stops": lambda: events_of(kpis, UNPLANNED_STOPS, case.scope, month, limit=0),
        "defects": lambda: events_of(kpis, DEFECTS, case.scope, month, limit=0),
        # a line's review reuses its bowler's series for its row of the lines compared: nothing to time there
        "per-line series": lambda: kpis.series_by_line(compared, case.scope, "month", months[0].first, month.last)
                                   if tree and len(case.lines) > 1 else None,
        "tree view": lambda: build_tree_view(kpis, tree.key, case.scope, month) if tree else None,
    }
    split = {name: bt.timed(fn, runs)[0] for name, fn in parts.items()}
    rest = t_review.median - sum(t.median for t in split.values())
    floor = make_floor(config, case, month, compared, has_quality, services.db.dialect.name)
    with services.db.connect() as conn:
        t_floor, rows = bt.timed(lambda: floor.run(conn), runs)
        floor_split = {name: bt.timed(fn, runs)[0] for name, fn in floor.parts(conn).items()}
    shown, checks = check(services, review, rows)
    ratio = t_review.median / t_floor.median
    print(f"  build_review                {t_review}  {len(review.rows)} KPIs × {len(review.months)} months, "
          f"{len(review.lines)} KPIs × {plural(len(case.lines), 'line')}, {review.stops.total_records:,} stop "
          "records, "
          f"{review.defects.total_records:,} defect records, {len(review.actions)} actions")
    print("    split (median ms): " + ", ".join(f"{n} {t.median:.2f}" for n, t in split.items())
          + f", rest {rest:.2f}")
    print(f"  floor (SQL)                 {t_floor}  {len(rows.months)} month rows, YTD, {len(rows.by_line)} "
          f"line × month rows, {len(rows.stops):,} stops" + (f", {len(rows.defects):,} quality events"
                                                             if floor.quality_p is not None else
                                                             " (no quality events in the plant: not queried)"))
    print("    split (median ms): " + ", ".join(f"{n} {t.median:.2f}" for n, t in floor_split.items()))
    print(f"  ratio build_review/floor    {ratio:.1f}×")
    for line in shown:
        print(f"  check: {line}")
    print(f"  check: {checks}", flush=True)
    summary.add(f"review {case.label}", f"{t_review.short} (cold {t_review.cold:.0f} ms); floor "
                f"{t_floor.median:.2f} ms; {ratio:.0f}×")
    summary.add(f"  split {case.label}", ", ".join(f"{n} {t.median:.1f}" for n, t in split.items())
                + f", rest {rest:.1f}")
    differ = "DIFFER" in checks + " ".join(shown)
    summary.add(f"  check {case.label}", "DIFFER" if differ else "agree (every value)")
    label = case.label.split()[0]
    return review, bt.BenchRow(f"review {label}", t_review, t_floor,
                               "; ".join(x for x in [*shown, checks] if "DIFFER" in x) if differ else "agree")


def measure_exports(services: Services, case: Case, review: Review, runs: int, summary: Any) -> None:
    """The PDF, HTML and workbook from a built review, and the page's render and its JSON."""
    t_pdf, pdf = bt.timed(lambda: review_pdf(review), runs)
    t_html, html_ = bt.timed(lambda: review_html(review), runs)
    t_xlsx, xlsx = bt.timed(lambda: review_workbook(review), runs)
    t_render, body = bt.timed(lambda: render_review(review, services.config), runs)
    t_json, encoded = bt.timed(lambda: to_json_plotly(body), runs)
    t_both, _ = bt.timed(lambda: to_json_plotly(render_review(review, services.config)), runs)
    pages = len(PDF_PAGE.findall(pdf))
    html_bytes = len(html_.encode())
    json_bytes = len(encoded.encode())
    json_gz = len(gzip.compress(encoded.encode()))
    print(f"  review_pdf                  {t_pdf}  {len(pdf):,} bytes, {pages} pages")
    print(f"  review_html                 {t_html}  {html_bytes:,} bytes")
    print(f"  review_workbook             {t_xlsx}  {len(xlsx):,} bytes")
    print(f"  render (Dash components)    {t_render}")
    print(f"  JSON of the render          {t_json}  {json_bytes:,} bytes ({json_gz:,} gzipped)")
    print(f"  render + JSON               {t_both}", flush=True)
    summary.add(f"  exports {case.label}", f"PDF {t_pdf.short} ({len(pdf):,} B, {pages} pages); HTML "
                f"{t_html.short} ({html_bytes:,} B); xlsx {t_xlsx.short} ({len(xlsx):,} B)")
    summary.add(f"  page {case.label}", f"render + JSON {t_both.short} (render {t_render.median:.1f}, JSON "
                f"{t_json.median:.1f}); {json_bytes:,} B JSON, {json_gz:,} B gzipped")


# ---- main ----------------------------------------------------------------------------------------------------


def review_month(config: PlantConfig, now: datetime, last_loaded: date) -> Period:
    """The last full month (``last_full_month``), or the latest one before it that the loaded data covers."""
    month = last_full_month(config, now)
    while month.last > last_loaded:
        month = month.previous()
    return month


def pick_line(config: PlantConfig) -> str:
    """L07 (as the other benches) when the plant has it, else the first line of the area with the most lines."""
    if "L07" in config.lines:
        return "L07"
    return max(config.areas.values(), key=lambda a: len(a.lines)).lines[0]


def review_cases(config: PlantConfig) -> list[Case]:
    """The plant, one area and one line of it (the line of ``pick_line`` and its area)."""
    line = pick_line(config)
    area = next(a.key for a in config.areas.values() if line in a.lines)
    return [Case("plant", "plant", tuple(config.lines), False),
            Case(f"area {area}", area, tuple(config.scope_lines(area)), True),
            Case(f"line {line}", line, (line,), True)]


def measure_reviews(services: Services, last_loaded: date, runs: int, summary: Any) -> list[Any]:
    """The review of the last full month the data covers, at plant, area and line scope, and the plant's PDF pack
    against its target: the table's rows."""
    with services.db.connect() as conn:
        has_quality = bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM quality_events)")).scalar_one())
    month = review_month(services.config, services.clock(), last_loaded)
    rows, pack = [], None
    for case in review_cases(services.config):
        review, row = measure_review(services, case, month, runs, has_quality, summary)
        rows.append(row)
        if case.scope == "plant":
            pack, _pdf = benchtable.target_row("review PDF, plant", lambda r=review: review_pdf(r), runs,
                                               PDF_TARGET_MS, lambda pdf, r=review: pdf_check(r, pdf))
            print(f"  review_pdf (plant)          {pack.time}  {len(_pdf):,} bytes, target {PDF_TARGET_MS} ms, "
                  f"values {pack.agree}", flush=True)
    return rows + ([pack] if pack else [])


def pdf_check(review: Review, pdf: bytes) -> str:
    """'agree' when the pack has pages and shows every value of the bowler as the page writes it."""
    missing = []
    for row in review.rows:
        for cell in row.cells:
            shown = format_value(cell.reading.value, row.kpi.unit) if cell.reading.value is not None else ""
            if shown.isascii() and shown and f"({shown})".encode() not in pdf:  # others go through the symbol font
                missing.append(f"{row.kpi.key} {cell.reading.period} {shown}")
    if not PDF_PAGE.search(pdf) or missing:
        return f"DIFFER: {len(missing)} bowler values not in the file ({', '.join(missing[:3])})"
    return "agree"


def ensure_config(path: Path, n_lines: int) -> str:
    """Give the plant bench_tree's configuration (OEE tree and its KPIs); says whether the file changed."""
    wanted = yaml.safe_dump(bt.tree_plant_document(n_lines), sort_keys=False)
    if path.exists() and path.read_text(encoding="utf-8") == wanted:
        return "bench_tree.py's OEE tree and KPIs already there"
    path.write_text(wanted, encoding="utf-8")
    return "bench_tree.py's OEE tree and KPIs written"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--lines", type=int, default=20, help="production lines (in up to 5 areas)")
    p.add_argument("--years", type=float, default=5.0, help="years of history ending yesterday (at least 0.2)")
    p.add_argument("--runs", type=int, default=20, help="timed runs per measurement")
    p.add_argument("--quick", action="store_true", help="--lines 6 --years 1.1 --runs 5 (under a minute)")
    p.add_argument("--workdir", type=Path, help="folder for the plant (kept; a matching loaded plant is reused)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    if args.quick:
        args.lines, args.years, args.runs = 6, 1.1, 5
    if args.years < 0.2 or args.lines < 1 or args.runs < 1:
        p.error("--years at least 0.2 (a complete month), --lines and --runs at least 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="huddle-bench-review-"))
    workdir.mkdir(parents=True, exist_ok=True)
    summary = bdp.Summary()
    started = time.perf_counter()
    try:
        return _run(args, workdir.resolve(), summary, started)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nplant and database kept in {workdir}")


def _run(args: argparse.Namespace, workdir: Path, summary: Any, started: float) -> int:
    print(f"Huddle review benchmark: {args.lines} lines, {args.years:g} years, Python {sys.version.split()[0]}, "
          f"code {bdp.code_version()}, workdir {workdir}", flush=True)
    plant = bb.build_plant(workdir, args.lines, args.years, summary)
    said = ensure_config(plant.settings.plant_path, args.lines)
    services = build_services(plant.settings)
    config = services.config
    month = review_month(config, services.clock(), plant.last)
    line = pick_line(config)
    area = next(a.key for a in config.areas.values() if line in a.lines)
    with services.db.connect() as conn:
        n_facts = conn.execute(text("SELECT COUNT(*) FROM shift_facts")).scalar_one()
        has_quality = conn.execute(text("SELECT EXISTS (SELECT 1 FROM quality_events)")).scalar_one() == 1
    print(f"  config: {said}; {len(config.kpis)} KPIs, trees {', '.join(config.trees)}; shift_facts {n_facts:,} rows; "
          f"quality events: {'yes' if has_quality else 'none'}; review month {month_name(month)}", flush=True)
    summary.add("review", f"{month_name(month)} (data {plant.first} … {plant.last}); {len(config.kpis)} KPIs; "
                f"line {line}, area {area}; shift_facts {n_facts:,} rows")
    for case in review_cases(config):
        review, _row = measure_review(services, case, month, args.runs, has_quality, summary)
        measure_exports(services, case, review, args.runs, summary)
    services.dispose()
    summary.add("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    summary.add("wall time", f"{time.perf_counter() - started:.0f} s"
                + (f" (plant build {plant.build_seconds:.0f} s)" if not plant.reused else " (plant reused)"))
    summary.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
