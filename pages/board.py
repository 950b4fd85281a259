"""The SQDCM shift board for the wall TV and the huddle: its layout (the board arrives through its callback) and
its renderers, the board's read model in and Dash components out (no services, no database, no clock).

The address says what is shown, so a bookmark or a TV always opens the same view (``address.BoardAddress`` reads
it): ``/board?scope=L2&date=2026-11-20&shift=N`` (default: the whole plant, the shift that just ended), ``live=1``
for the shift in progress, ``kiosk=1`` for a TV (no navigation or controls), ``scopes=L1,L2,L3&cycle=30`` to rotate
through a playlist, ``refresh=60`` seconds between refreshes, ``timer=15`` minutes of huddle timer, ``layer=2`` the
tiles of the KPI stack's layer 2 only (the columns' colours and letter boards still count every KPI: a filter
chooses what is listed, never what the numbers say).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dash
from dash import dcc
from huddle.dashboard.core.format import SAFETY_MARKS, STATUS_ICONS, STATUS_WORDS, format_day, status_label
from huddle.dashboard.core.i18n import N_, _, ngettext, number
from huddle.dashboard.core.kpi import severity
from huddle.dashboard.core.letterboard import cells, shape_for, size
from huddle.dashboard.core.plant import CATEGORY_NAMES, PlantConfig
from huddle.dashboard.services.actions import STATUS_WORDS as ACTION_STATUS_WORDS
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import BoardAddress, node_href
from huddle.dashboard.web.security import current_identity, has_request_context
from huddle.pages.action_cause import cause_fields
from huddle.pages.components import status_badge
from huddle.pages.elements import html
from huddle.pages.escalations import escalation_section
from huddle.pages.handover import handover_form, lead_panel
from huddle.pages.huddle_mode import huddle_controls

TV_HOURS = 5  # rows of the hour-by-hour table a wall TV has room for (the desk board shows every hour)
TV_ACTIONS = 3  # open actions a wall TV lists; it says how many more the desk board has
#: KPI tiles a column of a wall TV has room for beside its letter board (1920×1080 and 1366×768); a column with more
#: shows those most in need of attention and says how many more the desk board has
TV_TILES = 2


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; no database access."""
    view = BoardAddress.from_query(query)
    return html.Div([
        dcc.Store(id=ids.BOARD_VIEW, data=view.as_view()),
        dcc.Store(id=ids.BOARD_KEY),
        dcc.Interval(id=ids.BOARD_REFRESH, interval=view.refresh * 1000),
        dcc.Interval(id=ids.BOARD_CYCLE, interval=max(view.cycle, 1) * 1000, disabled=not view.cycle),
        dcc.Interval(id=ids.BOARD_CLOCK, interval=30_000),
        dcc.Store(id=ids.BOARD_WORDS, data=age_words()),  # the browser counts ages on, in the plant's words
        html.Div([
            dcc.Dropdown(id=ids.BOARD_SCOPE, clearable=False, className="board-scope"),
            dcc.RadioItems(id=ids.BOARD_MODE, inline=True, className="grain-switch",
                           options=[{"label": _("Shift that just ended"), "value": "ended"},
                                    {"label": _("Shift in progress"), "value": "live"}],
                           value="live" if view.live else "ended"),
            html.Label([html.Span(_("Layer"), className="board-layer-word"),
                        dcc.Dropdown(id=ids.BOARD_LAYER, clearable=False, className="board-layer")],
                       className="board-layer-field"),
            html.A(_("Open as a TV (kiosk)"), id="board-kiosk-link", className="nav-link dark"),
        ], id=ids.BOARD_CONTROLS, className="board-controls", hidden=view.kiosk),
        html.Div(id=ids.BOARD_TIMER, className="huddle-timer", **{
            "data-minutes": str(view.timer), "data-running": _("Huddle {time}"),
            "data-over": _("Huddle over by {time}")}),
        html.Div(id=ids.BOARD_PLAYLIST, className="playlist", hidden=view.next_scope() is None),
        huddle_controls(),  # "Start huddle" turns the board into its tier's agenda
        lead_panel(),  # the handovers not yet acknowledged lead the board
        html.Div(id=ids.BOARD_BODY, className="board"),
        escalation_section(hidden=view.kiosk),
        _action_forms(hidden=view.kiosk),
        handover_form(hidden=view.kiosk),
    ], className="board-page kiosk" if view.kiosk else "board-page")


def scope_title(config: PlantConfig, scope: str) -> str:
    """A scope as a TV names it: the plant, an area, or a line with its area ("Line 2 – Filling")."""
    try:
        return config.scope_name(scope)  # core.names: a line with its area
    except KeyError:
        return _("unknown scope {scope}").format(scope=scope)  # the board itself says so when its turn comes


def playlist_cue(next_title: str, seconds: int, n: int) -> list[html.Div]:
    """What comes next on the playlist, and a bar that fills in ``seconds`` until it comes (the ``n``-th turn)."""
    # the bar's animation is named after the turn's parity: a new name restarts it at every turn
    fill = {"animation": f"playlist-fill-{n % 2} {seconds}s linear forwards"}
    return [html.Div(_("next: {title}").format(title=next_title), className="playlist-next"),
            html.Div(html.Div(className="playlist-fill", style=fill), className="playlist-bar",
                     role="progressbar",
                     **{"aria-label": _("time until the next board, {n} s a turn").format(n=seconds)})]


def age_words() -> dict[str, str]:
    """How the browser says a tile's data age between refreshes (core.format.format_age says it on the server)."""
    return {"none": _("no data yet"), "now": _("updated just now"), "min": _("updated {n} min ago"),
            "h": _("updated {n} h ago"), "days": _("updated {n} days ago")}


def _action_forms(hidden: bool) -> html.Section:
    """Raise an action, or move one on; editors only (the server checks, the form only says so)."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = _("Actions raised here answer this board's scope and shift.") if editor else \
        _("Sign in as an editor to raise or close actions.")
    field = "manual-field"
    return html.Section([
        dcc.Store(id=ids.ACTION_CHANGED, data=0),
        html.H2(_("Actions")), html.P(hint, className="hint"),
        html.Div([
            html.Label([_("What"), dcc.Input(id=ids.ACTION_WHAT, type="text", maxLength=500)],
                       className=field + " wide"),
            html.Label([_("Owner"), dcc.Input(id=ids.ACTION_OWNER, type="text", maxLength=120)], className=field),
            html.Label([_("Due"), dcc.Input(id=ids.ACTION_DUE, type="date")], className=field),
            html.Label([_("KPI"), dcc.Dropdown(id=ids.ACTION_KPI)], className=field),
            html.Button(_("Raise action"), id=ids.ACTION_ADD, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.Div([
            html.Label([_("Action"), dcc.Dropdown(id=ids.ACTION_PICK)], className=field + " wide"),
            html.Label([_("New status"), dcc.Dropdown(id=ids.ACTION_STATUS, options=[
                {"label": _(ACTION_STATUS_WORDS[s]), "value": s} for s in ACTION_STATUS_WORDS])], className=field),
            html.Label([_("What was done"), dcc.Input(id=ids.ACTION_RESULT, type="text", maxLength=500)],
                       className=field + " wide"),
            html.Button(_("Save"), id=ids.ACTION_SAVE, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.P(id=ids.ACTION_EARLIER, className="red-again", role="note"),
        cause_fields(),
        html.P(id=ids.ACTION_MESSAGE, className="form-message", role="status"),
    ], className="card action-forms", hidden=hidden)


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("board", path="/board", name=N_("Board"), order=1, nav=True, layout=layout)


# ---- renderers: the board's read model (services.board.board_view) in, components out ----------------------


def _age(through: str, n: int) -> html.Span:
    return html.Span("", id={"type": ids.BOARD_AGE, "index": f"{through or '-'}|{n}"}, className="age")


def sparkline(trend: list[dict[str, Any]], target: float | None, target_text: str = "") -> html.Div:
    """The last shifts as bars standing on zero, so their heights compare as their values do (grey without data),
    each with its status icon under it, the target drawn across them and the last shift's status in words."""
    values = [t["value"] for t in trend if t["value"] is not None] + ([target] if target is not None else [])
    top, low = max([0.0, *values]), min([0.0, *values])
    span = (top - low) or 1
    # each bar's status icon is drawn under it by the style sheet from ``data-icon`` (never colour alone): an element
    # per icon would double what the browser builds for a board, and a wall TV's first paint waits on every one
    bars = [html.Div(className=f"bar status-{t['status']}" + (" last" if i == len(trend) - 1 else ""),
                     title=f"{t.get('period_name') or t['period']}: {status_label(t['status'])}",
                     style={"height": f"{100 * abs(t['value']) / span if t['value'] is not None else 6:.1f}%"},
                     **{"data-icon": STATUS_ICONS.get(t["status"], "")})
            for i, t in enumerate(trend)]
    if target is not None:
        bars.append(html.Div(className="spark-target", title=_("target {target}").format(target=target_text),
                             style={"bottom": f"{100 * abs(target) / span:.1f}%"}))
    last = trend[-1]["status"] if trend else "grey"
    return html.Div([
        html.Div(bars, className="spark", role="img", **{"aria-label": ngettext(
            "last shift; the dashed line is the target {target}", "last {n} shifts; the dashed line is the target "
            "{target}", len(trend)).format(n=len(trend), target=target_text)}),
        html.Div(_("last shift: {status}").format(status=status_label(last)), className=f"spark-last status-{last}"),
    ], className="spark-box")


def _marks(k: dict[str, Any]) -> list[html.Span]:
    """What a tile says beside its number, most important first: data to check, gaps, a red streak, needs action,
    no target. The desk board shows them all in full; the TV only the first, in its short form (icon and word), as
    a tile with three long marks in German does not fit a screen."""
    found: list[tuple[str, str, str]] = []  # (class, the TV's words, the desk's words)
    if k.get("checks"):
        found.append(("check", "⚠ " + _("check data"), "⚠ " + _("check data: {why}").format(why=k["checks"][0])))
    elif k["flags"]:
        found.append(("flag", "⚠ " + _("check data"), k["flags"][0]))
    if k.get("gaps"):
        found.append(("gaps", "◐ " + _("data incomplete"), f"◐ {k['gaps'][0]}"))
    elif k.get("coverage") is not None and k.get("complete") is None and k["coverage"] < 0.99:
        share = number(k["coverage"] * 100)
        found.append(("gaps", "◐ " + _("{share} % data").format(share=share),
                      "◐ " + _("{share} % of the shift so far has data").format(share=share)))
    if k["repeat"]:
        n = f"{k['streak']}+" if k.get("streak_longer") else k["streak"]  # counted up to a month of shifts
        found.append(("repeat", _("repeat ×{n}").format(n=n), _("repeat: red {n} shifts").format(n=n)))
    if k["needs_action"]:
        found.append(("needs-action", _("needs action"), _("needs action")))
    if k["raw"] is not None and k["target_raw"] is None:
        found.append(("flag", _("no target"), _("no target set: add one in the plant configuration")))
    return [html.Span([html.Span(short, className="kiosk-only"), html.Span(full, className="desk-only")]
                      if i == 0 and short != full else full, className=f"mark {cls}" + (" desk-only" if i else ""))
            for i, (cls, short, full) in enumerate(found)]


def tile(k: dict[str, Any], n: int, scope: str = "", desk_only: bool = False) -> html.Div:
    """One KPI's tile: name and status, value, target and gap, trend, marks and the data's age (the ``n``-th); a
    red tile leads to its node in the KPI tree. A tile ``desk_only`` is left off a wall TV."""
    marks = _marks(k)
    over = f" · {k.get('period_name') or k['period']}" if k["own_period"] else ""
    href = node_href(k.get("tree"), k["kpi"], scope, k["period"]) if k["status"] == "red" and scope else None
    name = dcc.Link(k["name"], href=href, className="kpi-name tile-link") if href else html.Span(
        k["name"], className="kpi-name")
    return html.Div([
        html.Div([name, status_badge(k["status"])], className="tile-head"),
        html.Div(k["value"], className="kpi-value"),
        html.Div(_("target {target} · gap {gap}").format(target=k["target"], gap=k["gap"]) + over,
                 className="kpi-target"),
        html.Div(_("leading") if k.get("leading") else _("lagging"), className="kpi-kind desk-only"),
        html.Div(k["note"], className="kpi-note") if k.get("note") else None,
        sparkline(k["trend"], k["target_raw"], k["target"]) if k["trend"] else None,
        html.Div(marks, className="marks") if marks else None,
        _age(k["through"], n),
    ], className=f"tile status-{k['status']}" + (" desk-only" if desk_only else ""))


def _safety_fact(fact: dict[str, Any], tiled: bool = False) -> html.Div:
    """One safety number under the cross: its words, value and target, its status in colour, icon and word (left
    to the desk board when a tile of the column shows the same reading, ``tiled``: a TV has no room twice)."""
    label = fact["label"] + (" (" + _("last {day}").format(day=fact["last_recordable"]) + ")"
                             if fact.get("last_recordable") else "")
    target = _("target {value}").format(value=fact["target_text"]) if fact["target"] is not None else ""
    badge = (html.Span(_("no target set"), className="badge status-grey")
             if fact["value"] is not None and fact["target"] is None else status_badge(fact["status"]))
    hours = (fact.get("parts") or {}).get("hours_worked")  # where a TRIR's hours came from
    return html.Div([html.Span(label, className="fact-label"), html.B(fact["text"], className="fact-value"),
                     html.Span(target, className="fact-target"), badge],
                    className=f"cross-fact status-{fact['status']}" + (" desk-only" if tiled else ""), title=hours)


def _cell_class(category: str, day: dict[str, Any] | None) -> str:
    if day is None:
        return "cell empty"
    future = " future" if day["future"] else ""
    return f"cell safety-{day['worst']}{future}" if category == "S" else f"cell status-{day['status']}{future}"


def _cell_mark(category: str, day: dict[str, Any] | None) -> tuple[str, str]:
    """A calendar day's icon and words (never its colour alone); nothing for days still to come."""
    if day is None or day["future"]:
        return "", ""
    if category == "S":
        icon, words = SAFETY_MARKS.get(day["worst"], ("", day["worst"]))
    else:
        icon, words = STATUS_ICONS.get(day["status"], ""), STATUS_WORDS.get(day["status"], day["status"])
    return icon, f"{_(words)}: {day['words']}" if day.get("words") else _(words)


def _cell(category: str, day_number: int, day: dict[str, Any] | None, row: int, col: int) -> html.Div:
    """A day of the letter board: its number, its status icon (drawn by the style sheet from ``data-icon``, as a
    sparkline's are) and its words on hover."""
    icon, words = _cell_mark(category, day)
    return html.Div(str(day_number or ""), className=_cell_class(category, day),
                    title=f"{day_number}: {words}" if words else None,
                    style={"gridRow": row + 1, "gridColumn": col + 1}, **({"data-icon": icon} if icon else {}))


def letter(column: dict[str, Any]) -> html.Div:
    """The column's letter board (the safety cross for S): one cell per day of the month, with its status."""
    cat = column["category"]
    shape = shape_for(cat)
    rows, cols = size(shape)
    days = column.get("cross") or column.get("calendar") or []
    by_day = {d["day"]: d for d in days}
    grid = [_cell(cat, cell.day or 0, by_day.get(cell.day or 0), cell.row, cell.col)
            for cell in cells(shape, len(days))]
    extra = None
    if cat == "S" and column.get("safety"):
        facts, tiled = column["safety"], {k["kpi"] for k in column["kpis"]}
        # the days-since and this month's TRIR are the very readings their tiles show; the 12 months' TRIR is not
        extra = html.Div([_safety_fact(facts[k], k != "trir_12m" and facts[k].get("kpi") in tiled)
                          for k in ("days_since", "trir_month", "trir_12m")],
                         className="cross-facts")
    return html.Div([html.Div(grid, className="letter", style={"gridTemplateRows": f"repeat({rows}, 1fr)",
                                                                 "gridTemplateColumns": f"repeat({cols}, 1fr)"}),
                     extra], className="calendar")


def keep_layers(view: dict[str, Any], layers: tuple[int, ...]) -> dict[str, Any]:
    """The board's read model with only the tiles of ``layers`` (every tile when empty): the columns' statuses and
    letter boards stay as they were, as a filter chooses what is listed, never what the numbers say."""
    if not layers:
        return view
    return view | {"filtered": True, "columns": [c | {"kpis": [k for k in c["kpis"] if k.get("layer") in layers]}
                                                 for c in view["columns"]]}


def tv_tiles(kpis: list[dict[str, Any]], room: int = TV_TILES) -> set[int]:
    """Which of a column's tiles (by position) a wall TV shows when it has room for ``room``: those most in need of
    attention (red first, then check data, amber, incomplete, stale, green, no target), the plant file's order
    breaking ties; they are shown in that order."""
    ranked = sorted(range(len(kpis)), key=lambda i: (severity(kpis[i]["status"]), i))
    return set(ranked[:room])


def _column(column: dict[str, Any], start: int, scope: str, filtered: bool = False) -> html.Section:
    cat = column["category"]
    on_tv = tv_tiles(column["kpis"])
    tiles = [tile(k, start + i, scope, desk_only=i not in on_tv) for i, k in enumerate(column["kpis"])]
    more = len(tiles) - len(on_tv)
    empty = _("No KPI of this layer in this column.") if filtered else _("No headline KPI for this column.")
    return html.Section([
        html.Header([html.Span(cat, className="letter-badge"),
                     html.Span(_(CATEGORY_NAMES[cat]), className="cat-name"),
                     html.Span(status_label(column["status"]), className=f"badge big status-{column['status']}")],
                    className="column-head"),
        *(tiles or [html.P(empty, className="empty")]),
        html.P(_("+{n} more on the desk board").format(n=more), className="more kiosk-only") if more > 0 else None,
        letter(column),
    ], className=f"board-column status-{column['status']}")


def _tv_window(hours: list[dict[str, Any]]) -> range:
    """The hours a TV shows: the last ``TV_HOURS`` up to the hour in progress (the desk board shows them all)."""
    reached = sum(1 for h in hours if not h["future"])
    end = min(len(hours), max(reached, TV_HOURS))
    return range(max(0, end - TV_HOURS), end)


def _hours(hours: list[dict[str, Any]]) -> html.Div:
    said = any(h.get("comment") for h in hours)  # the team's comments get a column once there is one
    head = html.Tr([html.Th(_("Hour")), html.Th(_("Plan")), html.Th(_("Actual")), html.Th(_("Cum. plan")),
                    html.Th(_("Cum. actual")), *([html.Th(_("Comment"))] if said else [])])
    shown = _tv_window(hours)
    rows = [html.Tr([html.Td(h["label"]), html.Td(number(h["planned"])),
                     html.Td(number(h["actual"]) if h["has_data"] else ("" if h["future"] else "—")),
                     html.Td(number(h["cum_planned"])),
                     html.Td(number(h["cum_actual"]) if not h["future"] else ""),
                     *([html.Td(h.get("comment", ""), className="hour-comment")] if said else [])],
                    className=f"status-{h['status']}" + (" future" if h["future"] else "") +
                    ("" if i in shown else " desk-only")) for i, h in enumerate(hours)]
    earlier, later = shown.start, len(hours) - shown.stop
    more = " · ".join(([_("+{n} earlier").format(n=earlier)] if earlier else [])
                      + ([_("+{n} later").format(n=later)] if later else []))
    return html.Div([html.H3(_("Hour by hour")),
                     html.Table([html.Thead(head), html.Tbody(rows)], className="grid hours"),
                     html.P(_("{more} on the desk board").format(more=more), className="more kiosk-only")
                     if more else None],
                    className="panel")


def _losses(view: dict[str, Any]) -> html.Div:
    items = []
    for x in view["losses"]:
        detail = " · " + ngettext("{n} stop", "{n} stops", x["count"]).format(n=x["count"]) + (
            f" · {x['equipment']}" if x["equipment"] else "") + (f" · {x['cost']}" if x["cost"] else "")
        items.append(html.Li([html.B(_("{n} min").format(n=number(x["minutes"])) + " "), x["reason"],
                              html.Span(detail, className="muted")]))
    listing = html.Ol(items) if items else html.P(_("No stops recorded."), className="empty")
    return html.Div([html.H3(_("Top losses")), listing, html.P(view["summary"], className="summary desk-only")],
                    className="panel")


def _cause_line(action: dict[str, Any]) -> Any:
    """The recorded cause under an action's what, on the desk board."""
    cause = action.get("cause") or {}
    said = cause.get("root") or cause.get("cause")
    return html.Span(" · " + _("cause: {cause}").format(cause=said), className="muted desk-only") if said else None


def _actions(view: dict[str, Any]) -> html.Div:
    rows = [html.Tr([html.Td([a["what"], _cause_line(a)]), html.Td(a["owner"]), html.Td(a.get("due_words") or a["due"]),
                     html.Td(_(ACTION_STATUS_WORDS.get(a["status"], a["status"])), className="desk-only"),
                     html.Td(a.get("kpi_name") or "", className="desk-only")],
                    className=" ".join(c for c, on in (("overdue", a["overdue"]), ("desk-only", i >= TV_ACTIONS)) if on)
                    or None)
            for i, a in enumerate(view["actions"])]
    head = html.Tr([html.Th(_("What")), html.Th(_("Owner")), html.Th(_("Due")),
                    html.Th(_("Status"), className="desk-only"), html.Th(_("KPI"), className="desk-only")])
    table = (html.Table([html.Thead(head), html.Tbody(rows)], className="grid actions")
             if rows else html.P(_("No open actions."), className="empty"))
    more = len(rows) - TV_ACTIONS
    return html.Div([html.H3(_("Open actions ({n})").format(n=len(rows))), table,
                     html.P(_("+{n} more on the desk board").format(n=more), className="more kiosk-only")
                     if more > 0 else None],
                    className="panel")


def render_board(view: dict[str, Any]) -> list[Any]:
    """The board's body from its read model: a loader strip, the head, the S Q D C M columns and the lower panels."""
    strip = None
    if view.get("loaders"):  # "Loaders stopped since 18:33 — new files are not being read"
        strip = html.Div(view["loaders"], className="failure-strip", role="alert")
    elif view["failing_sources"]:
        strip = html.Div(_("Loader failing: {sources} — numbers may be incomplete").format(
            sources=", ".join(view["failing_sources"])),
                         className="failure-strip", role="alert")
    head = html.Div([
        html.H1(view["scope_name"], className="board-title"),
        html.Div([html.Span(view["period_words"][:1].upper() + view["period_words"][1:], className="when"),
                  html.Span(view["window"], className="window"),
                  html.Span(_("in progress") if view["in_progress"] else _("ended"), className="phase")],
                 className="board-when"),
    ], className="board-head")
    columns, start = [], 0
    for column in view["columns"]:
        columns.append(_column(column, start, view.get("scope", ""), bool(view.get("filtered"))))
        start += len(column["kpis"])
    return [strip, head, html.Div(columns, className="board-grid"),
            html.Div([_hours(view["hours"]), _losses(view), _actions(view)], className="board-lower")]


def board_problem(message: str) -> html.Div:
    """What the board says instead when its address cannot be shown."""
    return html.Div([html.H1(_("This board cannot be shown")), html.P(message, className="form-error")],
                    className="board-error")


def action_options(actions: Iterable[Any]) -> list[dict[str, str]]:
    """The open actions to move on: what, owner and due date; the value carries the version read."""
    return [{"label": _("{what} ({owner}, due {day})").format(what=a.what, owner=a.owner, day=format_day(a.due)),
             "value": f"{a.id}:{a.version}"}
            for a in actions]


def kpi_options(kpis: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every KPI an action can answer, with its letter."""
    return [{"label": f"{d.category} · {d.name}", "value": k} for k, d in kpis.items()]
