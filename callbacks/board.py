"""Wiring of the shift board: which scope and shift to show, the refresh that sends nothing when nothing changed,
the playlist rotation, and the actions editors raise and close from the board."""

from __future__ import annotations

import time
from datetime import date
from typing import Any
from urllib.parse import urlencode

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import status_label
from huddle.dashboard.core.letterboard import cells, shape_for, size
from huddle.dashboard.core.periods import Period, PeriodError, PeriodRangeError, parse_asked_period
from huddle.dashboard.core.plant import CATEGORY_NAMES
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.actions import ActionError
from huddle.dashboard.services.board import board_view
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.dashboard.web.render_cache import make_render_cache
from huddle.dashboard.web.security import current_identity
from huddle.pages.components import scope_options, status_badge

STALE_RECHECK_S = 300  # re-render at least this often so a tile can turn stale even when no data arrives


class BoardRequestError(ValueError):
    """A scope or shift in the address that the plant does not have."""


def resolve(services: Services, view: dict[str, Any], cycle_n: int | None) -> tuple[str, Period]:
    """The scope and shift the board shows, from the address (and the playlist position)."""
    config = services.config
    scopes = view.get("scopes") or []
    scope = scopes[(cycle_n or 0) % len(scopes)] if scopes and view.get("cycle") else view.get("scope") or "plant"
    try:
        config.scope_kind(scope)
    except KeyError as exc:
        raise BoardRequestError(str(exc.args[0])) from None
    if view.get("date") or view.get("shift"):
        shift = view.get("shift") or ""
        if shift not in {s.key for s in config.calendar.shifts}:
            known = ", ".join(f"{s.key} ({s.name})" for s in config.calendar.shifts)
            raise BoardRequestError(f"shift {shift!r} is not a shift of this plant: use one of {known}")
        day = str(view.get("date") or "")
        try:
            parse_asked_period("day", day)  # the date alone: the message names what was asked for
            return scope, parse_asked_period("shift", f"{day}/{shift}")
        except PeriodRangeError as exc:
            raise BoardRequestError(f"There is no such date on the board: {exc}.") from None
        except PeriodError:
            raise BoardRequestError(f"There is no such date: {day or 'none'} (expected like 2026-11-20)."
                                    ) from None
    now = services.clock()
    inst = config.calendar.current(now) if view.get("live") else config.calendar.last_completed(now)
    if inst is None:
        raise BoardRequestError("no shift is running now" if view.get("live") else "no shift has ended yet")
    return scope, Period("shift", inst.production_date, inst.production_date, inst.shift_key)


def _age(through: str, n: int) -> html.Span:
    return html.Span("", id={"type": ids.BOARD_AGE, "index": f"{through or '-'}|{n}"}, className="age")


def _sparkline(trend: list[dict[str, Any]], target: float | None) -> html.Div:
    values = [t["value"] for t in trend if t["value"] is not None] + ([target] if target is not None else [])
    top = max(values) if values else 1
    low = min(values) if values else 0
    span = (top - low) or 1
    bars = [html.Div(className=f"bar status-{t['status']}", title=f"{t['period']}",
                     style={"height": f"{12 + 88 * ((t['value'] - low) / span) if t['value'] is not None else 6:.0f}%"})
            for t in trend]
    return html.Div(bars, className="spark", title="last 14 shifts")


def _tile(k: dict[str, Any], n: int) -> html.Div:
    marks = []
    if k["needs_action"]:
        marks.append(html.Span("needs action", className="mark needs-action"))
    if k["repeat"]:
        marks.append(html.Span(f"repeat: red {k['streak']} shifts", className="mark repeat"))
    if k.get("checks"):
        marks.append(html.Span(f"⚠ check data: {k['checks'][0]}", className="mark check"))
    elif k["flags"]:
        marks.append(html.Span(k["flags"][0], className="mark flag"))
    if k.get("gaps"):
        marks.append(html.Span(f"◐ {k['gaps'][0]}", className="mark gaps"))
    elif k.get("coverage") is not None and k.get("complete") is None and k["coverage"] < 0.99:
        marks.append(html.Span(f"◐ {k['coverage'] * 100:.0f} % of the shift so far has data", className="mark gaps"))
    if k["raw"] is not None and k["target_raw"] is None:
        marks.append(html.Span("no target set: add one in the plant configuration", className="mark flag"))
    over = f" · {k['period']}" if k["own_period"] else ""
    return html.Div([
        html.Div([html.Span(k["name"], className="kpi-name"), status_badge(k["status"])], className="tile-head"),
        html.Div(k["value"], className="kpi-value"),
        html.Div(f"target {k['target']} · gap {'+' if k['better'] else ''}{k['gap']}{over}", className="kpi-target"),
        html.Div(k["note"], className="kpi-note") if k.get("note") else None,
        _sparkline(k["trend"], k["target_raw"]) if k["trend"] else None,
        html.Div(marks, className="marks") if marks else None,
        _age(k["through"], n),
    ], className=f"tile status-{k['status']}")


def _safety_fact(fact: dict[str, Any]) -> html.Div:
    """One safety number under the cross: its words, value and target, its status in colour, icon and word."""
    label = fact["label"] + (f" (last {fact['last_recordable']})" if fact.get("last_recordable") else "")
    target = f"target {fact['target_text']}" if fact["target"] is not None else ""
    badge = (html.Span("no target set", className="badge status-grey")
             if fact["value"] is not None and fact["target"] is None else status_badge(fact["status"]))
    return html.Div([html.Span(label, className="fact-label"), html.B(fact["text"], className="fact-value"),
                     html.Span(target, className="fact-target"), badge],
                    className=f"cross-fact status-{fact['status']}")


def _letter(column: dict[str, Any]) -> html.Div:
    cat = column["category"]
    shape = shape_for(cat)
    rows, cols = size(shape)
    days = column.get("cross") or column.get("calendar") or []
    by_day = {d["day"]: d for d in days}
    grid = []
    for cell in cells(shape, len(days)):
        d = by_day.get(cell.day or 0)
        if d is None:
            cls = "cell empty"
        elif cat == "S":
            cls = f"cell safety-{d['worst']}" + (" future" if d["future"] else "")
        else:
            cls = f"cell status-{d['status']}" + (" future" if d["future"] else "")
        grid.append(html.Div(str(cell.day or ""), className=cls,
                             style={"gridRow": cell.row + 1, "gridColumn": cell.col + 1}))
    extra = None
    if cat == "S" and column.get("safety"):
        facts = column["safety"]
        extra = html.Div([_safety_fact(facts[k]) for k in ("days_since", "trir_month", "trir_12m")],
                         className="cross-facts")
    return html.Div([html.Div(grid, className="letter", style={"gridTemplateRows": f"repeat({rows}, 1fr)",
                                                                 "gridTemplateColumns": f"repeat({cols}, 1fr)"}),
                     extra], className="calendar")


def _column(column: dict[str, Any], start: int) -> html.Section:
    cat = column["category"]
    tiles = [_tile(k, start + i) for i, k in enumerate(column["kpis"])]
    return html.Section([
        html.Header([html.Span(cat, className="letter-badge"), html.Span(CATEGORY_NAMES[cat], className="cat-name"),
                     html.Span(status_label(column["status"]), className=f"badge big status-{column['status']}")],
                    className="column-head"),
        *(tiles or [html.P("No headline KPI for this column.", className="empty")]),
        _letter(column),
    ], className=f"board-column status-{column['status']}")


def _hours(hours: list[dict[str, Any]]) -> html.Div:
    head = html.Tr([html.Th("Hour"), html.Th("Plan"), html.Th("Actual"), html.Th("Cum. plan"), html.Th("Cum. actual")])
    rows = [html.Tr([html.Td(h["label"]), html.Td(f"{h['planned']:,.0f}"),
                     html.Td(f"{h['actual']:,.0f}" if h["has_data"] else ("" if h["future"] else "—")),
                     html.Td(f"{h['cum_planned']:,.0f}"),
                     html.Td(f"{h['cum_actual']:,.0f}" if not h["future"] else "")],
                    className=f"status-{h['status']}" + (" future" if h["future"] else "")) for h in hours]
    return html.Div([html.H3("Hour by hour"), html.Table([html.Thead(head), html.Tbody(rows)], className="grid hours")],
                    className="panel")


def _losses(view: dict[str, Any]) -> html.Div:
    items = []
    for x in view["losses"]:
        detail = f" · {x['count']} stops" + (f" · {x['equipment']}" if x["equipment"] else "") + (
            f" · {x['cost']}" if x["cost"] else "")
        items.append(html.Li([html.B(f"{x['minutes']:.0f} min "), x["reason"], html.Span(detail, className="muted")]))
    listing = html.Ol(items) if items else html.P("No stops recorded.", className="empty")
    return html.Div([html.H3("Top losses"), listing, html.P(view["summary"], className="summary")], className="panel")


def _actions(view: dict[str, Any]) -> html.Div:
    rows = [html.Tr([html.Td(a["what"]), html.Td(a["owner"]),
                     html.Td(a["due"] + (" · overdue" if a["overdue"] else "")),
                     html.Td(a["status"].replace("_", " ")), html.Td(a["kpi"] or "")],
                    className="overdue" if a["overdue"] else None) for a in view["actions"]]
    table = (html.Table([html.Thead(html.Tr([html.Th("What"), html.Th("Owner"), html.Th("Due"), html.Th("Status"),
                                             html.Th("KPI")])), html.Tbody(rows)], className="grid actions")
             if rows else html.P("No open actions.", className="empty"))
    return html.Div([html.H3(f"Open actions ({len(rows)})"), table], className="panel")


def render(view: dict[str, Any]) -> list[Any]:
    """The board's body from its read model."""
    strip = None
    if view["failing_sources"]:
        strip = html.Div(f"Loader failing: {', '.join(view['failing_sources'])} — numbers may be incomplete",
                         className="failure-strip", role="alert")
    head = html.Div([
        html.H1(view["scope_name"], className="board-title"),
        html.Div([html.Span(view["period_words"].capitalize(), className="when"),
                  html.Span(view["window"], className="window"),
                  html.Span("in progress" if view["in_progress"] else "ended", className="phase")],
                 className="board-when"),
    ], className="board-head")
    columns, start = [], 0
    for column in view["columns"]:
        columns.append(_column(column, start))
        start += len(column["kpis"])
    return [strip, head, html.Div(columns, className="board-grid"),
            html.Div([_hours(view["hours"]), _losses(view), _actions(view)], className="board-lower")]


def register(app: Dash, services: Services) -> None:
    """Wire the board page."""
    # every TV showing the same scope and shift shares one render; across web workers too when Redis is configured
    cache = make_render_cache(services.settings.redis_url, "huddle:board")

    @app.callback(Output(ids.BOARD_SCOPE, "options"), Output(ids.BOARD_SCOPE, "value"),
                  Input(ids.BOARD_VIEW, "data"))
    def scope_choices(view: dict[str, Any]) -> tuple[list[dict[str, str]], str]:
        config = services.config
        options = scope_options(config)
        wanted = view.get("scope") or "plant"
        return options, wanted if wanted in {o["value"] for o in options} else None

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.BOARD_SCOPE, "value"), Input(ids.BOARD_MODE, "value"), State(ids.BOARD_VIEW, "data"),
                  prevent_initial_call=True)
    def choose(scope: str, mode: str, view: dict[str, Any]) -> str:
        if not scope or (scope == view.get("scope") and (mode == "live") == bool(view.get("live"))):
            raise PreventUpdate
        query = {"scope": scope} | ({"live": "1"} if mode == "live" else {})
        return "?" + urlencode(query)

    @app.callback(Output("board-kiosk-link", "href"), Input(ids.BOARD_VIEW, "data"))
    def kiosk_link(view: dict[str, Any]) -> str:
        query = {"scope": view.get("scope") or "plant", "kiosk": "1"} | ({"live": "1"} if view.get("live") else {})
        return "/board?" + urlencode(query)

    @app.callback(
        Output(ids.BOARD_BODY, "children"), Output(ids.BOARD_KEY, "data"),
        Input(ids.BOARD_REFRESH, "n_intervals"), Input(ids.BOARD_CYCLE, "n_intervals"),
        Input(ids.BOARD_VIEW, "data"), Input(ids.ACTION_CHANGED, "data"),
        State(ids.BOARD_KEY, "data"),
    )
    def refresh(_n: int | None, cycle_n: int | None, view: dict[str, Any], _changed: int | None,
                key: str | None) -> tuple[Any, Any]:
        try:
            scope, period = resolve(services, view, cycle_n)
        except BoardRequestError as exc:
            return html.Div([html.H1("This board cannot be shown"), html.P(str(exc), className="form-error")],
                            className="board-error"), None
        version = services.kpis.data_version()  # actions and entered values bump it too
        bucket = int(services.clock().timestamp() // STALE_RECHECK_S)
        # the last part is how far the server's clock runs ahead of the real one (a plant shown "as at" another
        # moment): the browser counts data ages from the server's now, not its own
        ahead = round(services.clock().timestamp() - time.time())
        new_key = f"{services.config.site_key}|{version}|{scope}|{period.label}|{bucket}|{ahead}"
        if new_key == key:
            raise PreventUpdate  # nothing changed: the browser gets an empty answer and keeps what it shows
        body = cache.get_or_render(new_key, lambda: render(board_view(services, scope, period)))
        return body, new_key

    app.clientside_callback(
        ClientsideFunction("huddle", "ages"),
        Output({"type": ids.BOARD_AGE, "index": ALL}, "children"),
        Input(ids.BOARD_CLOCK, "n_intervals"), Input(ids.BOARD_KEY, "data"),
        State({"type": ids.BOARD_AGE, "index": ALL}, "id"),
    )

    @app.callback(
        Output(ids.ACTION_MESSAGE, "children"), Output(ids.ACTION_CHANGED, "data"),
        Input(ids.ACTION_ADD, "n_clicks"),
        State(ids.ACTION_WHAT, "value"), State(ids.ACTION_OWNER, "value"), State(ids.ACTION_DUE, "value"),
        State(ids.ACTION_KPI, "value"), State(ids.BOARD_VIEW, "data"), State(ids.ACTION_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def add_action(_n: int, what: str, owner: str, due: str, kpi: str | None, view: dict[str, Any],
                   changed: int | None) -> tuple[str, Any]:
        try:
            scope, period = resolve(services, view, None)
            due_day = date.fromisoformat(due) if due else None
            if due_day is None:
                return "Not saved: give a due date", no_update
            action = services.actions.raise_action(current_identity(), scope, what, owner, due_day, kpi=kpi or "",
                                                   raised_for=period.first, raised_shift=period.shift or "")
        except (ForbiddenError, ActionError, BoardRequestError, ValueError) as exc:
            return f"Not saved: {exc}", no_update
        return f"Saved action {action.id}: {action.what} ({action.owner}, due {action.due.isoformat()})", \
            (changed or 0) + 1

    @app.callback(
        Output(ids.ACTION_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ACTION_CHANGED, "data", allow_duplicate=True),
        Input(ids.ACTION_SAVE, "n_clicks"),
        State(ids.ACTION_PICK, "value"), State(ids.ACTION_STATUS, "value"), State(ids.ACTION_RESULT, "value"),
        State(ids.ACTION_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def update_action(_n: int, picked: str | None, status: str | None, result: str | None,
                      changed: int | None) -> tuple[str, Any]:
        if not picked or not status:
            return "Not saved: pick an action and its new status", no_update
        action_id, version = (int(x) for x in picked.split(":"))
        try:
            action = services.actions.change(current_identity(), action_id, version, status=status,
                                             **({"result": result} if result else {}))
        except (ForbiddenError, ActionError) as exc:
            return f"Not saved: {exc}", no_update
        return f"Action {action.id} is now {action.status.replace('_', ' ')}", (changed or 0) + 1

    @app.callback(
        Output(ids.ACTION_PICK, "options"), Output(ids.ACTION_KPI, "options"),
        Input(ids.BOARD_KEY, "data"), State(ids.BOARD_VIEW, "data"),
    )
    def action_options(_key: str | None, view: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        try:
            scope, _period = resolve(services, view, None)
        except BoardRequestError:
            return [], []
        picks = [{"label": f"{a.what} ({a.owner}, due {a.due.isoformat()})", "value": f"{a.id}:{a.version}"}
                 for a in services.actions.listing(scope)]
        kpis = [{"label": f"{d.category} · {d.name}", "value": k} for k, d in services.config.kpis.items()]
        return picks, kpis

