"""The KPI stack and the focus checks as a plant's people see them: the layers 1–5 with their KPIs (each read as
the board reads it, with its trend over the last shifts and its owner by name), the forum that looks at each layer
and how often, and the method's findings over the catalogue with the owners checked against the people who have an
account. No Dash: the stack page, the tree page and ``huddle check`` read these."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huddle.dashboard.core.focus_checks import FocusFinding, focus_findings
from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.layers import Layer
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.board import shift_readings
from huddle.dashboard.services.reading_context import shared_context
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.tree import tree_holding
from huddle.dashboard.services.trends import trends
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from huddle.dashboard.services.accounts import Accounts
    from huddle.dashboard.services.container import Services

TREND_SHIFTS = 7  # the trend beside each KPI: its last week of shifts


@dataclass(frozen=True)
class StackKpi:
    """One KPI in its layer: its reading as the board shows it, its statuses over the last shifts (oldest first;
    empty for a KPI read over a week or a month, or a gauge), its owner by name and the tree that holds it."""

    key: str
    name: str
    category: str
    leading: bool
    reading: Reading
    trend: tuple[Reading, ...]
    owner: str
    tree: str | None


@dataclass(frozen=True)
class StackLayer:
    """A layer of the stack with its KPIs, in the plant file's order."""

    layer: Layer
    kpis: tuple[StackKpi, ...]


@dataclass(frozen=True)
class StackView:
    """The KPI stack of a scope for the shift that just ended: its layers top (5) to bottom (1), only those asked
    for, and the plant's focus findings. ``period`` is None before the first shift has ended."""

    scope: str
    period: Period | None
    layers: tuple[StackLayer, ...]
    findings: tuple[FocusFinding, ...]


def account_names(accounts: Accounts) -> list[str] | None:
    """Every name a KPI owner may be written as (display names and user names), or None when the database has no
    users table yet."""
    try:
        users = accounts.users()
    except SQLAlchemyError:
        return None
    return [name for u in users for name in (u.display_name, u.username) if name]


def plant_focus(services: Services) -> list[FocusFinding]:
    """The plant's focus findings, owners checked against its users."""
    return focus_findings(services.config, account_names(services.accounts))


def stack_view(services: Services, scope: str, layers: Collection[int] = ()) -> StackView:
    """The KPI stack of a scope for the shift that just ended (``layers``: only these, else all five)."""
    config, readings = services.config, services.readings
    chosen = [layer for layer in reversed(config.layers) if not layers or layer.number in layers]
    period = readings.last_completed_shift()
    found = tuple(plant_focus(services))
    if period is None:
        return StackView(scope, None, tuple(StackLayer(layer, ()) for layer in chosen), found)
    keys = [k for k, d in config.kpis.items() if d.layer in {layer.number for layer in chosen}]
    people = services.accounts.people()
    with shared_context():
        shown, _safety = shift_readings(readings, scope, period)
        by_shift = [k for k in keys if shown[k].period == period.label
                    and FORMULAS[config.kpis[k].formula].kind is not Kind.GAUGE]
        trend_of = trends(readings, by_shift, scope, period, TREND_SHIFTS) if by_shift else {}
    stack = []
    for layer in chosen:
        kpis = []
        for k in keys:
            d = config.kpis[k]
            if d.layer != layer.number:
                continue
            owner = people.get(d.owner or "", d.owner or "")  # the file may name a login: shown by its name
            kpis.append(StackKpi(k, d.name, d.category, d.leading, shown[k], tuple(trend_of.get(k, ())), owner,
                                 tree_holding(config, k)))
        stack.append(StackLayer(layer, tuple(kpis)))
    return StackView(scope, period, tuple(stack), found)
