"""Which stored rows belong to a scope: the one filter every query by line, area or plant uses.

Shift facts and safety events both carry a line and an area ("" line: an area-level record; "" line and area: a
plant-level one), so one predicate serves the readings, the board's records and the drill-down alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_


@dataclass(frozen=True)
class ScopeFilter:
    """Which facts belong to a scope: its lines, plus area- or plant-level facts (safety)."""

    lines: tuple[str, ...]
    areas: tuple[str, ...]  # areas whose area-level facts count
    plant: bool  # plant-level facts count


def in_scope(model: Any, scope: ScopeFilter) -> ColumnElement[bool] | None:
    """The WHERE clause keeping a model's rows (with ``line`` and ``area`` columns) inside a scope; None for the
    plant, where every row belongs."""
    if scope.plant:
        return None  # every row belongs to the plant: no filter lets the date or time index do the work
    # one line is compared as such: the database then keeps to that line's stretch of an index in its order (the
    # first record of a line was a sort of all its rows under IN)
    parts = [model.line == scope.lines[0] if len(scope.lines) == 1 else model.line.in_(scope.lines)]
    if scope.areas:
        parts.append(and_(model.line == "", model.area.in_(scope.areas)))
    return or_(*parts)


def in_scope_bound(model: Any, shape: tuple[bool, bool]) -> ColumnElement[bool] | None:
    """``in_scope`` for a statement built once per ``scope_shape`` and run with ``scope_params``: the lines and
    areas as the expanding parameters ``lines`` and ``areas``; None for the plant."""
    lines, areas = shape
    if not lines:
        return None
    inside = model.line.in_(bindparam("lines", expanding=True))
    return or_(inside, and_(model.line == "", model.area.in_(bindparam("areas", expanding=True)))) if areas \
        else inside


def scope_shape(scope: ScopeFilter) -> tuple[bool, bool]:
    """What a statement from ``in_scope_bound`` depends on: whether the scope filters by line, and by area."""
    return not scope.plant, bool(scope.areas) and not scope.plant


def scope_params(scope: ScopeFilter) -> dict[str, list[str]]:
    """The parameters of ``in_scope_bound``'s clause for a scope."""
    return {} if scope.plant else {"lines": list(scope.lines), "areas": list(scope.areas)}


def holds(scope: ScopeFilter, line: str, area: str) -> bool:
    """Whether a row already read, with this line and area, belongs to a scope (``in_scope`` in Python)."""
    return scope.plant or line in scope.lines or (line == "" and area in scope.areas)


def union_of(scopes: Iterable[ScopeFilter]) -> ScopeFilter:
    """The filter keeping every row that any of the scopes keeps."""
    listed = list(scopes)
    return ScopeFilter(tuple(sorted({ln for s in listed for ln in s.lines})),
                       tuple(sorted({a for s in listed for a in s.areas})), any(s.plant for s in listed))
