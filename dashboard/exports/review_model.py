"""What every copy of the monthly review says, whatever its format: the download names, the bowler's words and
icons, the legend, the cover's counts, 'what changed', the Pareto and action rows and the charts' scales.

The workbook (``review_xlsx``), the PDF (``review_pdf``) and the HTML file (``review_html``) all take their words
and numbers from here, so the three copies read alike and like the page. Plain Python, no file format in sight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC

from huddle.dashboard.core.causes import METHOD_WORDS
from huddle.dashboard.core.format import STATUS_ICONS, STATUS_WORDS, format_value, status_label, unit_text
from huddle.dashboard.core.i18n import _, day_text, ngettext, number, pgettext
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import CATEGORIES, KpiDef
from huddle.dashboard.services.actions import STATUS_WORDS as ACTION_STATUS_WORDS
from huddle.dashboard.services.events import EventReport
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.review import (
    CANDIDATE_STREAK,
    BowlerRow,
    MonthCell,
    Review,
    month_name,
    nothing_to_compare,
)

STATUS_FILLS = {"green": "#e3f4e7", "amber": "#fff1d6", "red": "#fde4e4", "grey": "#eceff1", "stale": "#eceff1",
                "incomplete": "#dde1e5", "check": "#ffe08a", "planned": "#f4f1ea", "before-go-live": "#f4f1ea"}
WITH_COUNTERMEASURE = "•"  # after ✗ on a red month that has a countermeasure
NO_COUNTERMEASURE = "!"  # after ✗ on a red month without one
LINE_COLOURS = ("#1f4e79", "#b3141c", "#1e7b34", "#9a6200", "#6b3fa0", "#00838f", "#5b6b7a", "#c26a00")
LINE_DASHES = ("", "5 3", "2 2", "8 3 2 3")  # so lines differ by more than colour
BAR_COLOUR = "#b3141c"
CUMULATIVE_COLOUR = "#1f4e79"
CHART_BARS = 12  # the chart shows the largest reasons; the table lists them all


def export_filename(review: Review, ext: str, *, site: str = "") -> str:
    """A download name such as 'huddle-review-riverside-L2-2026-10.pdf' (the site key only when given)."""
    parts = [p for p in (site, review.scope) if p and p != "plant"] or ["plant"]
    stem = "-".join(re.sub(r"[^A-Za-z0-9_]+", "-", p).strip("-") or "scope" for p in parts)
    return f"huddle-review-{stem}-{review.month.label}.{ext.lstrip('.').lower()}"


def short_month(month: Period) -> str:
    """'Oct 26', as the bowler's header shows a month."""
    return day_text(month.first, pgettext("date pattern", "MMM yy"))


def cell_icons(status: str, cell: MonthCell | None = None) -> str:
    """The status icon of a value (none for no data, whose dash says it), plus the countermeasure mark on red."""
    if status == "grey":
        return ""
    icon = STATUS_ICONS.get(status, "")
    if cell is not None and cell.red:
        icon += WITH_COUNTERMEASURE if cell.countermeasures else NO_COUNTERMEASURE
    return icon


def cell_words(status: str, cell: MonthCell | None = None) -> str:
    """Icon and word of a status, and on red months whether a countermeasure was raised."""
    words = status_label(status)
    if cell is not None and cell.red:
        n = len(cell.countermeasures)
        words += (f" {WITH_COUNTERMEASURE} " + ngettext("{n} countermeasure", "{n} countermeasures", n).format(n=n)
                  if n else f" {NO_COUNTERMEASURE} " + _("no countermeasure"))
    return words


def legend() -> str:
    """How to read the bowler's colours, icons and marks."""
    icon = STATUS_ICONS
    return _("Each month is measured against its own target (the small figure). {green} on target · {amber} near "
             "target · {red} off target · {stale} stale · {incomplete} incomplete (the month's data covers only "
             "part of it) · {check} check data (a value outside its physical range) · — no data. On a red month "
             "{red}{done} means a countermeasure was raised for it, {red}{none} that none was.").format(
        green=icon["green"], amber=icon["amber"], red=icon["red"], stale=icon["stale"],
        incomplete=icon["incomplete"], check=icon["check"], done=WITH_COUNTERMEASURE, none=NO_COUNTERMEASURE)


def signed(value: float | None, unit: str) -> str:
    """A change with its sign and unit (percentages in points), or a dash for none."""
    if value is None:
        return "—"
    text = ("+" if value >= 0 else "-") + number(abs(value), 2)
    return text + " " + _("pts") if unit == "%" else f"{text} {unit_text(unit)}".rstrip()


def cells_by_month(review: Review, cells: Iterable[MonthCell]) -> list[MonthCell | None]:
    """Cells in the order of the review's months (None where a month has no reading)."""
    found = {c.reading.period: c for c in cells}
    return [found.get(m.label) for m in review.months]


def readings_by_month(review: Review, readings: Iterable[Reading]) -> list[Reading | None]:
    """Readings in the order of the review's months (None where a month has no reading)."""
    found = {r.period: r for r in readings}
    return [found.get(m.label) for m in review.months]


def month_of(review: Review, cell: MonthCell) -> Period:
    """The month a bowler cell belongs to."""
    return next((m for m in review.months if m.label == cell.reading.period), review.month)


def _kpis(review: Review) -> dict[str, KpiDef]:
    return {r.kpi.key: r.kpi for r in review.rows} | {s.kpi.key: s.kpi for s in review.lines}


def kpi_name(review: Review, key: str) -> str:
    """A KPI's name from the bowler, the lines or the tree, else its key."""
    kdef = _kpis(review).get(key)
    if kdef is not None:
        return kdef.name
    if review.why is not None and key in review.why.nodes:
        return review.why.nodes[key].name
    return key or "—"


def baseline_text(kdef: KpiDef) -> str:
    """A KPI's baseline as the page writes it, or a dash."""
    return format_value(kdef.baseline.value, kdef.unit) if kdef.baseline else "—"


def trend_text(row: BowlerRow) -> str:
    """A bowler row's trend, with how many months it has been red when more than one."""
    return _(row.trend) + (" · " + _("red {n} months").format(n=row.red_streak) if row.red_streak > 1 else "")


def generated_text(review: Review) -> str:
    """When the review was generated, in UTC to the minute."""
    return review.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + " UTC"


@dataclass(frozen=True)
class Summary:
    """The cover's counts."""

    red_now: list[BowlerRow]
    unanswered: list[BowlerRow]  # red this month without a countermeasure
    missing: list[tuple[BowlerRow, MonthCell]]  # every red month of the 12 without a countermeasure

    def sentence(self, review: Review) -> str:
        """The summary in one sentence."""
        month = month_name(review.month)
        return _("{red} red in {month}; {unanswered} of them without a countermeasure; {candidates} red {streak} "
                 "months running (candidates for next quarter's objectives); {missing} of the last {months} without "
                 "a countermeasure.").format(
            red=ngettext("{n} KPI", "{n} KPIs", len(self.red_now)).format(n=len(self.red_now)), month=month,
            unanswered=len(self.unanswered), candidates=len(review.candidates), streak=CANDIDATE_STREAK,
            missing=ngettext("{n} red month", "{n} red months", len(self.missing)).format(n=len(self.missing)),
            months=len(review.months))


def summarize(review: Review) -> Summary:
    """The cover's counts: KPIs red now, of them without a countermeasure, and red months without one."""
    red_now = [r for r in review.rows if r.cells and r.cells[-1].red]
    missing = [(r, c) for r in review.rows for c in r.cells if c.missing_countermeasure]
    return Summary(red_now, [r for r in red_now if r.cells[-1].missing_countermeasure], missing)


def status_counts(review: Review) -> list[tuple[str, dict[str, int]]]:
    """Per SQDCM category, how many KPIs are in each status this month."""
    out = []
    for cat in CATEGORIES:
        rows = review.rows_of(cat)
        if not rows:
            continue
        counts = {s: 0 for s in ("green", "amber", "red", "grey")}
        for r in rows:
            status = str(r.cells[-1].reading.status) if r.cells else "grey"
            counts["grey" if status not in counts else status] += 1
        out.append((cat, counts))
    return out


@dataclass(frozen=True)
class Driver:
    """One row of 'what changed': a KPI's before and after and its share of the root's change."""

    key: str
    name: str
    depth: int
    before: float | None
    after: float | None
    unit: str
    contribution: float


@dataclass(frozen=True)
class Why:
    """The root's change against the month before, split over its drivers."""

    headline: str
    previous: Period
    root_unit: str
    drivers: list[Driver]


def why_changed(review: Review) -> Why | None:
    """What changed since the month before, or None where the review has no KPI tree."""
    view = review.why
    if view is None:
        return None
    kpis = _kpis(review)
    root = view.root
    unit = kpis[root.key].unit if root.key in kpis else root.reading.unit
    before, after = view.before[root.key].value, root.reading.value
    missing = nothing_to_compare(root.name, unit, before, after, month_name(view.previous), month_name(view.period))
    if missing is not None:
        return Why(missing, view.previous, unit, [])
    headline = _("{kpi} {before} → {after} ({change}) against {month}.").format(
        kpi=root.name, before=format_value(before, unit), after=format_value(after, unit),
        change=signed(after - before, unit), month=month_name(view.previous))
    path = view.biggest_driver_path()
    if len(path) > 1:
        headline += " " + _("Most of it from {path}.").format(
            path=_(", within it ").join(kpi_name(review, c.key) for c in path[1:]))
    drivers = []
    for c in view.why:
        if c.contribution is None:
            continue
        node = view.nodes.get(c.key)
        kunit = kpis[c.key].unit if c.key in kpis else node.reading.unit if node else ""
        drivers.append(Driver(c.key, kpi_name(review, c.key), node.depth if node else 0, c.before, c.after, kunit,
                               c.contribution))
    return Why(headline, view.previous, unit, drivers)


def pareto_columns(report: EventReport, currency: str) -> tuple[list[str], list[list[str]]]:
    """A Pareto's table as the page shows it: headers and formatted rows."""
    stops = report.kind == "stops"
    costed = any(p.cost is not None for p in report.pareto)
    headers = [_("Reason") if stops else _("Defect") if report.kind == "defects" else _("Kind")]
    headers += [_("Minutes"), _("Events")] if stops else [_("Units"), _("Events")] if report.kind == "defects" \
        else [_("Events")]
    if costed:
        headers.append(_("Cost ({currency})").format(currency=currency) if currency else _("Cost"))
    headers += [_("Share"), _("Cumulative"), _("Where")]
    rows = []
    for p in report.pareto:
        row = [p.label]
        if stops:
            row += ["" if p.minutes is None else number(p.minutes), number(p.count)]
        elif report.kind == "defects":
            row += ["" if p.quantity is None else number(p.quantity), number(p.count)]
        else:
            row.append(number(p.count))
        if costed:
            row.append("" if p.cost is None else f"{number(p.cost)} {currency}".strip())
        row += [f"{number(p.share * 100)} %", f"{number(p.cumulative * 100)} %", ", ".join(p.where or p.lines)]
        rows.append(row)
    return headers, rows


def chart_rows(report: EventReport) -> list[tuple[str, float, float]]:
    """The largest reasons for the chart: label, minutes, cumulative share."""
    return [(p.label, p.minutes or 0.0, p.cumulative) for p in report.pareto[:CHART_BARS]]


def action_rows(review: Review) -> list[list[str]]:
    """The actions raised in the review's months, as text rows under ``ACTION_HEADERS``."""
    rows = []
    for a in review.actions:
        where = review.place(a.scope)
        status = _(ACTION_STATUS_WORDS.get(a.status, a.status)) + (" (" + _("overdue") + ")" if a.overdue else "")
        rows.append([a.raised_for.isoformat(), kpi_name(review, a.kpi) if a.kpi else "—", where, a.what, a.owner,
                     a.due.isoformat(), status, a.result or ""])
    return rows


def cause_rows(review: Review) -> list[list[str]]:
    """The causes recorded on the actions answering the review month's reds: KPI, where, action, method, cause."""
    rows = []
    for r in review.rows:
        cell = r.cells[-1] if r.cells else None
        if cell is None or not cell.red:
            continue
        for a in cell.countermeasures:
            if a.cause and a.root_cause:
                where = review.place(a.scope)
                rows.append([r.kpi.name, where, a.what, _(METHOD_WORDS.get(a.cause["method"], "")), a.root_cause])
    return rows


def cause_headers() -> list[str]:
    """The headings of ``cause_rows``."""
    return [_("KPI"), _("Where"), _("Action"), _("Method"), _("Root cause")]


def action_headers() -> list[str]:
    """The headings of ``action_rows``."""
    return [_("Raised for"), _("KPI"), _("Where"), _("What"), _("Owner"), _("Due"), _("Status"), _("What was done")]


def line_range(review: Review, by_line: dict[str, list[Reading]]
                ) -> tuple[dict[str, list[Reading | None]], list[float | None], float, float] | None:
    """A small multiple's readings by month, the target by month and the value range, or None with no values."""
    series = {line: readings_by_month(review, readings) for line, readings in by_line.items()}
    first = next(iter(series.values()), [])
    targets = [r.target if r else None for r in first]
    values = [r.value for rs in series.values() for r in rs if r and r.value is not None]
    values += [t for t in targets if t is not None]
    if not values:
        return None
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.1 or abs(hi) * 0.05 or 1.0
    return series, targets, lo - pad, hi + pad


def value_runs(readings: Sequence[Reading | None]) -> list[list[tuple[int, float]]]:
    """Stretches of months with a value (a line is not drawn across a month without data)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, r in enumerate(readings):
        if r is None or r.value is None:
            runs.append([])
        else:
            runs[-1].append((i, r.value))
    return [run for run in runs if run]



def words(review: Review) -> dict[str, str]:
    """The headings, notes and column names every copy prints, in the language in effect (one place, so the PDF,
    the workbook and the HTML file say the same)."""
    month = month_name(review.month)
    streak = CANDIDATE_STREAK
    return {
        "title": _("{scope}: monthly review, {month}").format(scope=review.scope_name, month=month),
        "pack": _("Monthly KPI review"),
        "scope_line": _("Scope {scope} · the 12 months {first} to {month} · generated {when}").format(
            scope=review.scope_name, first=month_name(review.months[0]), month=month, when=generated_text(review)),
        "by_status": _("KPIs by status in {month}").format(month=month),
        "bowler": _("Bowler: every KPI against each month's target"),
        "target_note": _("The small figure is the month's target: ≥ at least, ≤ at most."),
        "losses": _("Biggest losses in {month}").format(month=month),
        **chart_words(),
        "no_stops": _("No unplanned stops recorded in {month}.").format(month=month),
        "no_defects": _("No defective units recorded in {month}.").format(month=month),
        "lines": _("Lines compared"),
        "lines_hint": _("The root KPI and its branches, each line against each month's target."),
        "no_tree": _("No KPI tree is configured, so there is nothing to compare the lines on."),
        "actions": _("Countermeasures and actions"),
        "no_actions": _("No actions raised in these months."),
        "causes": _("Causes behind the reds of {month}").format(month=month),
        "no_causes": _("No cause recorded yet on the actions answering {month}'s reds.").format(month=month),
        "missing": _("Red months without a countermeasure ({n})").format(n=len(summarize(review).missing)),
        "none_missing": _("None: every red month has a countermeasure."),
        "candidates": _("Candidates for next quarter's objectives"),
        "candidates_hint": _("KPIs red {n} months running.").format(n=streak),
        "no_candidates": _("None: no KPI has been red {n} months running.").format(n=streak),
        "share_of_change": _("Share of the change"), "kpi": _("KPI"), "month": _("Month"), "value": _("Value"),
        "target": _("Target"), "owner": _("Owner"), "months_red": _("Months red"), "category": _("Category"),
        "line": _("Line"), "baseline": _("Baseline"), "trend": _("Trend"),
        "ytd": _("YTD {year}").format(year=review.month.first.year), "target_word": _("target"),
        "generated": _("generated {when}").format(when=generated_text(review)),
    }


def chart_words() -> dict[str, str]:
    """The stop-minutes chart's title, axis and note."""
    return {"stop_minutes": _("Stop minutes by reason"), "minutes": _("minutes"),
            "bars": _("Bars: minutes lost per reason, largest first. Line (right scale): cumulative share of all "
                      "stop minutes.")}


def what_changed_heading(why: Why) -> str:
    """'What changed since October 2026'."""
    return _("What changed since {month}").format(month=month_name(why.previous))


def kpi_subline(kdef: KpiDef) -> str:
    """Under a KPI's name in the bowler: its unit (or 'value') and its owner."""
    return (unit_text(kdef.unit) or _("value")) + " · " + (kdef.owner or _("no owner"))


def red_running(row: BowlerRow) -> str:
    """A candidate's streak: '✗ red 4 months running'."""
    return f"{STATUS_ICONS['red']} " + _("red {n} months running").format(n=row.red_streak)


def status_head() -> list[str]:
    """The cover's table of KPIs by status: its column names."""
    return [_("Category"), *(status_label(s) for s in ("green", "amber", "red")), "— " + _(STATUS_WORDS["grey"])]
