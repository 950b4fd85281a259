"""The monthly review as one self-contained HTML file: inline CSS and SVG charts, no scripts, nothing fetched.

Every piece of text is escaped on its way into the markup; words and rows come from ``review_model``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from huddle.dashboard.core.axes import axis_scale, share_ticks
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import _, language, number
from huddle.dashboard.core.plant import CATEGORIES, CATEGORY_NAMES, KpiDef
from huddle.dashboard.exports.review_model import (
    BAR_COLOUR,
    CUMULATIVE_COLOUR,
    LINE_COLOURS,
    LINE_DASHES,
    action_headers,
    action_rows,
    baseline_text,
    cause_headers,
    cause_rows,
    cell_icons,
    cell_words,
    cells_by_month,
    chart_rows,
    chart_words,
    kpi_subline,
    legend,
    line_range,
    month_of,
    pareto_columns,
    readings_by_month,
    red_running,
    short_month,
    signed,
    status_counts,
    status_head,
    summarize,
    trend_text,
    value_runs,
    what_changed_heading,
    why_changed,
    words,
)
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.review import MonthCell, Review, month_name

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1c2733; margin: 24px; font-size: 13px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #1f4e79; padding-bottom: 2px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.hint, .muted { color: #555; }
.summary { font-size: 15px; max-width: 70em; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid #c9d1d9; padding: 3px 5px; vertical-align: top; text-align: left; }
thead th { background: #dde3ea; }
td.num, th.num { text-align: right; }
.bowler td.m, .bowler td.ytd, .lines td.m { text-align: right; min-width: 5.2em; white-space: nowrap; }
.bowler .cat th { background: #f3f5f7; text-align: left; }
.bv { font-weight: 600; }
.bt { color: #555; font-size: 10px; }
.ic { font-size: 11px; margin-left: 2px; }
.s-green { background: #e3f4e7; } .s-amber { background: #fff1d6; } .s-red { background: #fde4e4; }
.s-grey, .s-stale { background: #eceff1; } .s-incomplete { background: #dde1e5; } .s-check { background: #ffe08a; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { display: inline-block; border: 1px solid #e1e5ea; padding: 6px; }
.legend-key { display: inline-block; margin-right: 12px; }
section { page-break-inside: auto; }
section.page { page-break-before: always; }
@media print { body { margin: 0; font-size: 11px; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _h_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Iterable[int] = (),
             cls: str = "grid") -> str:
    num = set(numeric)
    head = "".join(f'<th{" class=num" if i in num else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in num else ""}>{_e(v)}</td>' for i, v in enumerate(r))
                   + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _h_value_cell(value: float | None, target: float | None, unit: str, status: str, cell: MonthCell | None,
                  title: str, cls: str = "m") -> str:
    icons = cell_icons(status, cell)
    icon = f'<span class="ic">{_e(icons)}</span>' if icons else ""
    target_text = _("target {value}").format(value=format_value(target, unit)) if target is not None else ""
    target_line = f'<div class="bt">{_e(target_text)}</div>' if target is not None else ""
    return (f'<td class="{cls} s-{_e(status)}" title="{_e(title)}: {_e(cell_words(status, cell))}">'
            f'<div class="bv">{_e(format_value(value, unit))}{icon}</div>{target_line}</td>')


def _h_bowler(review: Review) -> str:
    w = words(review)
    head = (f"<tr><th>{_e(w['kpi'])}</th><th>{_e(w['baseline'])}</th>"
            + "".join(f"<th>{_e(short_month(m))}</th>" for m in review.months)
            + f"<th>{_e(w['ytd'])}</th><th>{_e(w['trend'])}</th></tr>")
    body = []
    for cat in CATEGORIES:
        rows = review.rows_of(cat)
        if not rows:
            continue
        body.append(f'<tr class="cat"><th colspan="{len(review.months) + 4}">{_e(cat)} · '
                    f"{_e(_(CATEGORY_NAMES[cat]))}</th></tr>")
        for r in rows:
            k = r.kpi
            cells = []
            for m, cell in zip(review.months, cells_by_month(review, r.cells), strict=True):
                if cell is None:
                    cells.append(_h_value_cell(None, None, k.unit, "grey", None, f"{k.name} {short_month(m)}"))
                else:
                    cells.append(_h_value_cell(cell.reading.value, cell.reading.target, k.unit,
                                               str(cell.reading.status), cell, f"{k.name} {short_month(m)}"))
            ytd = _h_value_cell(r.ytd.value, r.ytd.target, k.unit, str(r.ytd.status), None,
                                f"{k.name} {w['ytd']}", "ytd")
            body.append(f'<tr><td><strong>{_e(k.name)}</strong><div class="bt">{_e(kpi_subline(k))}</div></td>'
                        f'<td class="num">{_e(baseline_text(k))}</td>'
                        f"{''.join(cells)}{ytd}<td>{_e(trend_text(r))}</td></tr>")
    return f'<table class="bowler"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _svg_text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = "#1c2733",
              rotate: float | None = None) -> str:
    turn = f' transform="rotate({rotate:.0f} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{turn}>'
            f"{_e(text)}</text>")



def _h_pareto_svg(review: Review) -> str:
    """A Pareto of stop minutes as inline SVG: bars largest first, the cumulative share as a line."""
    rows = chart_rows(review.stops)
    if not rows:
        return ""
    width, height, left, right, top, bottom = 680, 280, 56, 50, 16, 86
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step, digits = axis_scale(max(m for _l, m, _c in rows))
    slot = plot_w / len(rows)
    w = chart_words()
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_e(w["stop_minutes"])}">',
             f"<title>{_e(w['stop_minutes'])}, {_e(month_name(review.month))}</title>"]
    for i in range(6):
        y = top + plot_h * (1 - i * step / top_value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e1e5ea"/>')
        parts.append(_svg_text(left - 6, y + 4, number(i * step, digits), size=10, anchor="end"))
    for frac in share_ticks():  # at the heights of the minutes' ticks
        y = top + plot_h * (1 - frac)
        parts.append(_svg_text(left + plot_w + 6, y + 4, f"{number(frac * 100)} %", size=10, fill=CUMULATIVE_COLOUR))
    points = []
    for i, (label, minutes, cumulative) in enumerate(rows):
        lost = _("{n} min").format(n=number(minutes))
        bar_h = plot_h * minutes / top_value
        x = left + i * slot + slot * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{bar_h:.1f}" fill="{BAR_COLOUR}"><title>{_e(label)}: {_e(lost)}</title></rect>')
        cx = left + (i + 0.5) * slot
        parts.append(_svg_text(cx, top + plot_h - bar_h - 3, number(minutes), size=10, anchor="middle"))
        shown = label if len(label) <= 22 else label[:21] + "…"
        parts.append(_svg_text(cx, top + plot_h + 12, shown, size=10, anchor="end", rotate=-35))
        points.append(f"{cx:.1f},{top + plot_h * (1 - cumulative):.1f}")
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{CUMULATIVE_COLOUR}" stroke-width="2"/>')
    parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{CUMULATIVE_COLOUR}"/>'
              for p in points]
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>')
    parts.append(_svg_text(12, top + plot_h / 2, w["minutes"], size=10, anchor="middle", rotate=-90))
    parts.append("</svg>")
    return '<div class="chart">' + "".join(parts) + f'<div class="hint">{_e(w["bars"])}</div></div>'



def _h_line_chart(review: Review, kpi: KpiDef, by_line: dict[str, list[Reading]]) -> str:
    """One small multiple: a KPI per line over the months, the target dotted."""
    width, height, left, right, top, bottom = 300, 170, 44, 10, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    found = line_range(review, by_line)
    if found is None:
        return ""
    by_line_label = _("{kpi} by line").format(kpi=kpi.name)
    series, targets, lo, hi = found
    n = len(review.months)

    def xy(i: int, v: float) -> str:
        x = left + (i + 0.5) * plot_w / n
        return f"{x:.1f},{top + plot_h * (hi - v) / (hi - lo):.1f}"

    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_e(by_line_label)}">', _svg_text(left, 14, kpi.name, size=12),
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#c9d1d9"/>',
             _svg_text(left - 4, top + 9, format_value(hi, kpi.unit), size=9, anchor="end"),
             _svg_text(left - 4, top + plot_h, format_value(lo, kpi.unit), size=9, anchor="end"),
             _svg_text(left, height - 18, short_month(review.months[0]), size=9),
             _svg_text(left + plot_w, height - 18, short_month(review.months[-1]), size=9, anchor="end")]
    target_pts = [xy(i, t) for i, t in enumerate(targets) if t is not None]
    if target_pts:
        parts.append(f'<polyline points="{" ".join(target_pts)}" fill="none" stroke="#5b6b7a" stroke-width="1" '
                     'stroke-dasharray="1 3"/>')
    for j, readings in enumerate(series.values()):
        colour, dash = LINE_COLOURS[j % len(LINE_COLOURS)], LINE_DASHES[j % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for run in value_runs(readings):
            pts = [xy(i, v) for i, v in run]
            parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" stroke-width="2"'
                         f"{dashed}/>")
            parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{colour}"/>' for p in pts]
    x = left
    for j, line in enumerate(series):
        colour, dash = LINE_COLOURS[j % len(LINE_COLOURS)], LINE_DASHES[j % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" y1="{height - 6}" x2="{x + 18}" y2="{height - 6}" stroke="{colour}" '
                     f'stroke-width="2"{dashed}/>')
        parts.append(_svg_text(x + 21, height - 3, line, size=9))
        x += 30 + 6 * len(line)
    parts.append(f'<line x1="{x}" y1="{height - 6}" x2="{x + 18}" y2="{height - 6}" stroke="#5b6b7a" '
                 'stroke-dasharray="1 3"/>')
    parts.append(_svg_text(x + 21, height - 3, _("target"), size=9))
    parts.append("</svg>")
    return '<div class="chart">' + "".join(parts) + "</div>"


def _h_lines(review: Review) -> str:
    if not review.lines:
        return f'<p class="hint">{_e(words(review)["no_tree"])}</p>'
    charts = "".join(_h_line_chart(review, s.kpi, s.by_line) for s in review.lines)
    out = [f'<div class="charts">{charts}</div>']
    head = (f"<tr><th>{_e(words(review)['line'])}</th>"
            + "".join(f"<th>{_e(short_month(m))}</th>" for m in review.months) + "</tr>")
    for s in review.lines:
        k = s.kpi
        body = []
        for line, readings in s.by_line.items():
            cells = []
            for m, r in zip(review.months, readings_by_month(review, readings), strict=True):
                status = str(r.status) if r else "grey"
                cells.append(_h_value_cell(r.value if r else None, r.target if r else None, k.unit, status, None,
                                           f"{k.name} {line} {short_month(m)}"))
            body.append(f"<tr><th>{_e(line)}</th>{''.join(cells)}</tr>")
        out.append(f"<h3>{_e(k.name)}</h3>")
        out.append(f'<table class="lines"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')
    return "".join(out)


def review_html(review: Review) -> str:
    """The review as one self-contained HTML file: inline CSS and SVG charts, no scripts, nothing fetched."""
    month = month_name(review.month)
    summary = summarize(review)
    w = words(review)
    title = w["title"]
    counts = status_counts(review)
    status_rows = [[_(CATEGORY_NAMES[cat]), *(str(c[s]) for s in ("green", "amber", "red", "grey"))]
                   for cat, c in counts]
    parts = [
        "<!DOCTYPE html>", f'<html lang="{language()}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>", "</head>", "<body>",
        "<header>", f"<h1>{_e(title)}</h1>",
        f'<p class="hint">{_e(w["scope_line"])} · Huddle</p>',
        f'<p class="summary">{_e(summary.sentence(review))}</p>',
        _h_table(status_head(), status_rows, numeric=(1, 2, 3, 4)), "</header>",
        '<section class="page" id="bowler">', f"<h2>{_e(w['bowler'])}</h2>",
        f'<p class="hint">{_e(legend())}</p>', _h_bowler(review), "</section>",
        '<section class="page" id="losses">', f"<h2>{_e(w['losses'])}</h2>",
        f"<h3>{_e(review.stops.title)}</h3>",
    ]
    headers, rows = pareto_columns(review.stops, review.currency)
    parts += ([_h_pareto_svg(review), _h_table(headers, rows, numeric=range(1, len(headers) - 1))] if rows
              else [f'<p class="hint">{_e(w["no_stops"])}</p>'])
    parts.append(f"<h3>{_e(review.defects.title)}</h3>")
    headers, rows = pareto_columns(review.defects, review.currency)
    parts.append(_h_table(headers, rows, numeric=range(1, len(headers) - 1)) if rows
                 else f'<p class="hint">{_e(w["no_defects"])}</p>')
    parts.append("</section>")
    why = why_changed(review)
    if why is not None:
        parts += ['<section id="why">', f"<h2>{_e(what_changed_heading(why))}</h2>",
                  f"<p>{_e(why.headline)}</p>"]
        if why.drivers:
            rows = [["\u2003" * d.depth + d.name, format_value(d.before, d.unit), format_value(d.after, d.unit),
                     signed(d.contribution, why.root_unit)] for d in why.drivers]
            parts.append(_h_table([w["kpi"], month_name(why.previous), month, w["share_of_change"]], rows,
                                  numeric=(1, 2, 3)))
        parts.append("</section>")
    parts += ['<section class="page" id="lines">', f"<h2>{_e(w['lines'])}</h2>",
              f'<p class="hint">{_e(w["lines_hint"])}</p>',
              _h_lines(review), "</section>",
              '<section class="page" id="actions">', f"<h2>{_e(w['actions'])}</h2>"]
    actions = action_rows(review)
    parts.append(_h_table(action_headers(), actions) if actions
                 else f'<p class="hint">{_e(w["no_actions"])}</p>')
    causes = cause_rows(review)
    parts.append(f"<h3>{_e(w['causes'])}</h3>")
    parts.append(_h_table(cause_headers(), causes) if causes else f'<p class="hint">{_e(w["no_causes"])}</p>')
    parts.append(f"<h3>{_e(w['missing'])}</h3>")
    missing = [[r.kpi.name, month_name(month_of(review, c)), format_value(c.reading.value, r.kpi.unit),
                format_value(c.reading.target, r.kpi.unit)] for r, c in summary.missing]
    parts.append(_h_table([w["kpi"], w["month"], w["value"], w["target"]], missing, numeric=(2, 3)) if missing
                 else f'<p class="hint">{_e(w["none_missing"])}</p>')
    parts += ["</section>", '<section id="candidates">', f"<h2>{_e(w['candidates'])}</h2>",
              f'<p class="hint">{_e(w["candidates_hint"])}</p>']
    candidates = [[r.kpi.name, red_running(r), r.kpi.owner or "—"] for r in review.candidates]
    parts.append(_h_table([w["kpi"], w["months_red"], w["owner"]], candidates) if candidates
                 else f'<p class="hint">{_e(w["no_candidates"])}</p>')
    parts += ["</section>", f'<footer class="hint"><p>{_e(review.scope_name)} · {_e(month)} · '
              f"{_e(w['generated'])}</p></footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"

