"""Which stored rows belong to a scope: the one filter every query by line, area or plant uses.

Shift facts and safety events both carry a line and an area ("" line: an area-level record; "" line and area: a
plant-level one), so one predicate serves the readings, the board's records and the drill-down alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_


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
    parts = [model.line.in_(scope.lines)]
    if scope.areas:
        parts.append(and_(model.line == "", model.area.in_(scope.areas)))
    return or_(*parts)
