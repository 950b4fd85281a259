"""Wiring of the board's "Why it happened" part: the 5-why or A3 boxes follow the method picked, a picked action
fills them with its recorded cause, and a KPI that was red before names the earlier actions and their causes."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from huddle.dashboard.core.causes import A3, A3_FIELDS, FIVE_WHY, MAX_WHYS
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, BoardAddress
from huddle.pages.action_cause import earlier_note


def form_cause(method: str | None, whys: list[str | None], root: str | None,
               a3_values: list[str | None], a3_ids: list[dict[str, str]]) -> dict[str, Any]:
    """The cause as the form holds it, for the actions service to check (empty boxes: no cause)."""
    if method == A3:
        return {"method": A3, **{i["index"]: v or "" for i, v in zip(a3_ids, a3_values, strict=True)}}
    return {"method": FIVE_WHY, "whys": [w or "" for w in whys], "root": root or ""}


def show_method(method: str | None) -> tuple[bool, bool]:
    """Show the 5-why boxes or the A3 boxes."""
    return method == A3, method != A3


def picked(services: Services, action_value: str | None, kpi: str | None, view: dict[str, Any]) -> tuple[Any, ...]:
    """What the form says when an action or a KPI is picked: earlier actions on the same KPI and scope, and the
    picked action's recorded cause in the boxes."""
    keep = (no_update, [no_update] * MAX_WHYS, no_update, [no_update] * len(A3_FIELDS))
    try:
        scope = BoardAddress.from_view(view).resolve(services.config, services.clock()).scope
    except AddressError:
        return (None, *keep)
    actions = services.actions
    if ctx.triggered_id == ids.ACTION_KPI or not action_value:
        return (earlier_note(actions.red_again(kpi or "", scope)), *keep)
    action_id = int(action_value.split(":")[0])
    found = next((a for a in actions.listing(scope) if a.id == action_id), None)
    if found is None:
        return (None, *keep)
    note = earlier_note(actions.red_again(found.kpi, found.scope, before=found.raised_for, exclude=found.id))
    cause = found.cause or {"method": FIVE_WHY}
    whys = list(cause.get("whys") or [])
    return (note, cause["method"], [whys[i] if i < len(whys) else "" for i in range(MAX_WHYS)],
            cause.get("root", ""), [cause.get(f, "") for f in A3_FIELDS])


def register(app: Dash, services: Services) -> None:
    """Wire the cause part of the board's action form."""
    app.callback(Output(ids.ACTION_WHY_BOX, "hidden"), Output(ids.ACTION_A3_BOX, "hidden"),
                 Input(ids.ACTION_METHOD, "value"))(show_method)
    app.callback(
        Output(ids.ACTION_EARLIER, "children"), Output(ids.ACTION_METHOD, "value"),
        Output({"type": ids.ACTION_WHY, "index": ALL}, "value"), Output(ids.ACTION_ROOT, "value"),
        Output({"type": ids.ACTION_A3, "index": ALL}, "value"),
        Input(ids.ACTION_PICK, "value"), Input(ids.ACTION_KPI, "value"), State(ids.BOARD_VIEW, "data"),
        prevent_initial_call=True,
    )(partial(picked, services))
