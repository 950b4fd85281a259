"""How the OKR page marks a key result: its status in colour, icon and word (holding and slipping for a maintain key
result, which has no progress bar), its progress against the quarter's straight path, a bound KPI's months with
the red month a green quarter to date hides, and the warning a maintain key result is planned with. Pure renderers
of ``services.okrs.KeyResultView``; no services, no database, no clock.
"""

from __future__ import annotations

from typing import Any

from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import N_, _, ngettext, number
from huddle.dashboard.core.names import period_id_words
from huddle.dashboard.core.okr_scoring import STATUS_WORDS, KrStatus, maintain_warning, month_words
from huddle.dashboard.services.okrs import KeyResultView
from huddle.pages.elements import html

STATUS_CLASS = {KrStatus.ON_TRACK: "green", KrStatus.NEEDS_ATTENTION: "amber", KrStatus.OFF_TRACK: "red",
                KrStatus.NO_DATA: "grey", KrStatus.HOLDING: "green", KrStatus.SLIPPING: "red"}
#: the window a bound key result reads its KPI over, as the note on its hidden red months names it
WINDOW_WORDS = {"quarter": N_("quarter to date"), "month": N_("month to date"), "week": N_("latest full week")}
STATUS_ICON = {KrStatus.ON_TRACK: "●", KrStatus.NEEDS_ATTENTION: "▲", KrStatus.OFF_TRACK: "✗",
               KrStatus.NO_DATA: "–", KrStatus.HOLDING: "✓", KrStatus.SLIPPING: "▼"}


def okr_badge(status: KrStatus) -> html.Span:
    """Colour, icon and word for a key result's or an objective's status."""
    return html.Span(f"{STATUS_ICON[status]} {_(STATUS_WORDS[status])}",
                     className=f"badge status-{STATUS_CLASS[status]}")


def percent(value: float | None) -> str:
    """A progress share as a percentage ('—' without one); above 100 % is shown as it is."""
    return "—" if value is None else _("{value} %").format(value=number(value * 100))


def progress_bar(progress: float | None, expected: float, status: KrStatus) -> html.Div:
    """Progress against the quarter's straight path: the bar, a tick where the date expects it, and the figure."""
    width = 0.0 if progress is None else max(0.0, min(1.0, progress)) * 100
    return html.Div([
        html.Div([html.Div(className=f"okr-bar-fill status-{STATUS_CLASS[status]}", style={"width": f"{width:.0f}%"}),
                  html.Div(className="okr-bar-expected", style={"left": f"{expected * 100:.0f}%"})],
                 className="okr-bar", title=_("expected by today: {share}").format(share=percent(expected))),
        html.Span(percent(progress), className="okr-bar-label"),
    ], className="okr-progress")


def kept_level(kr: KeyResultView) -> str:
    """What a maintain key result holds, in words: 'holding means at or above 85.0 %'."""
    level = format_value(kr.target, kr.unit)
    return (_("holding means at or above {level}") if kr.kind == "increase"
            else _("holding means at or below {level}")).format(level=level)


def kr_progress(kr: KeyResultView) -> Any:
    """A key result's progress cell: the bar, or for a maintain key result the level it keeps (no progress)."""
    if kr.maintain:
        return html.Div([html.Span(_("keeps a level: no progress"), className="okr-bar-label"),
                         html.Div(kept_level(kr), className="bt")], className="okr-maintain")
    return progress_bar(kr.progress, kr.expected, kr.status)


def progress_words(kr: KeyResultView) -> str:
    """A key result's progress in a table cell: the percentage, or holding / slipping for a maintain one."""
    return _(STATUS_WORDS[kr.status]) if kr.maintain else percent(kr.progress)


def month_marks(kr: KeyResultView) -> html.Div | None:
    """A bound key result's KPI month by month (its own status each month, in icon and word), and when the window
    it is read over is not red, the red month it hides: 'Nov 2026: 3.4 % ✗ off target'."""
    if not kr.kpi or not kr.months:
        return None
    hidden = {m.month for m in kr.red_months}
    marks = [html.Span(month_words(m, kr.unit), className=f"badge status-{m.status}"
                       + (" okr-red-month" if m.month in hidden else ""))
             for m in kr.months]
    said = None
    if hidden:
        months = ", ".join(period_id_words(None, m) for m in sorted(hidden))
        window = _(WINDOW_WORDS.get(kr.kpi_window, WINDOW_WORDS["quarter"]))
        said = html.Div(ngettext("red month the {window} hides: {months}", "red months the {window} hides: {months}",
                                 len(hidden)).format(window=window, months=months), className="okr-red-month-note")
    return html.Div([html.Div(marks, className="okr-months"), said], className="okr-month-marks")


def key_result_warning(kind: str | None, start: float | None, target: float | None, unit: str | None) -> Any:
    """What the key-result form says while a maintain key result is typed (a warning, not a refusal)."""
    if not kind or start is None or target is None:
        return None
    try:
        warning = maintain_warning(kind, float(start), float(target), unit or "")
    except (TypeError, ValueError):
        return None
    return html.Span("! " + _("Warning: {what}").format(what=warning), className="form-warning") if warning else None


def key_result_saved(title: str | None, kind: str | None, start: float | None, target: float | None,
                     unit: str | None) -> Any:
    """A saved key result, and for a maintain one the warning again: it is stored, and scored holding or slipping."""
    said = _("Saved key result: {title}").format(title=title)
    warning = key_result_warning(kind, start, target, unit)
    return [html.Span(said), warning] if warning is not None else said
