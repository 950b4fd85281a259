"""Baseline sprints and baseline records as the baseline service reads and changes them.

A checklist item's change is compare-and-set: one UPDATE naming the version the form saw, so two saves from forms
that saw the same item cannot both pass, across processes, on SQLite and PostgreSQL alike. Baseline records are
only inserted: the history is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from huddle.data.models import AdoptedBaseline
from huddle.data.models_baselines import BaselineSprint, BaselineSprintItem
from sqlalchemy import Row, bindparam, select, text, update
from sqlalchemy.orm import Session

SPRINT_LOCK = 7_246_014  # PostgreSQL advisory lock key held while a process compares the trees with their sprints


def hold_sprints(session: Session) -> None:
    """Keep other processes out of the sprints until this transaction ends, so two that start together after a
    tree changed do not each open its sprint: PostgreSQL holds an advisory lock, SQLite its write lock, taken now."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SPRINT_LOCK})
    elif conn.dialect.name == "sqlite":  # the driver begins lazily: take the write lock before reading anything
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def latest_sprint(session: Session, tree: str, scope: str = "plant") -> BaselineSprint | None:
    """The newest sprint of a tree at a scope, open or closed."""
    return session.scalars(select(BaselineSprint).where(BaselineSprint.tree == tree, BaselineSprint.scope == scope)
                           .order_by(BaselineSprint.id.desc()).limit(1)).first()


def open_sprints(session: Session, tree: str) -> list[BaselineSprint]:
    """A tree's sprints still open, at every scope."""
    return list(session.scalars(select(BaselineSprint).where(BaselineSprint.tree == tree,
                                                             BaselineSprint.closed_at.is_(None))))


def sprint(session: Session, sprint_id: int) -> BaselineSprint | None:
    """A sprint by id."""
    return session.get(BaselineSprint, sprint_id)


def sprints(session: Session, tree: str | None = None) -> list[BaselineSprint]:
    """Every sprint (of one tree when named), newest first."""
    stmt = select(BaselineSprint).order_by(BaselineSprint.id.desc())
    if tree is not None:
        stmt = stmt.where(BaselineSprint.tree == tree)
    return list(session.scalars(stmt))


def open_sprint(session: Session, tree: str, scope: str, fingerprint: str, opened_at: datetime, due_at: datetime,
                items: list[dict[str, Any]]) -> BaselineSprint:
    """Insert a sprint and its checklist items (``kpi``, ``source``, ``frequency`` each)."""
    row = BaselineSprint(tree=tree, scope=scope, fingerprint=fingerprint, opened_at=opened_at, due_at=due_at,
                         closed_at=None, outcome="", missing="")
    session.add(row)
    session.flush()
    session.add_all(BaselineSprintItem(sprint_id=row.id, kpi=i["kpi"], value=None, source=i.get("source", ""),
                                       frequency=i.get("frequency", ""), no_source=False, updated_by="",
                                       updated_at=None, signed_by="", signed_at=None, version=1) for i in items)
    session.flush()
    return row


def close_sprint(session: Session, sprint_id: int, at: datetime, outcome: str, missing: str) -> bool:
    """Close an open sprint; False when it was closed already (by another process)."""
    done = session.execute(update(BaselineSprint).where(BaselineSprint.id == sprint_id,
                                                        BaselineSprint.closed_at.is_(None))
                           .values(closed_at=at, outcome=outcome, missing=missing))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def items(session: Session, sprint_id: int) -> list[BaselineSprintItem]:
    """A sprint's checklist, in the order it was opened with (the tree's, root first)."""
    return list(session.scalars(select(BaselineSprintItem).where(BaselineSprintItem.sprint_id == sprint_id)
                                .order_by(BaselineSprintItem.id)))


def item(session: Session, sprint_id: int, kpi: str) -> BaselineSprintItem | None:
    """One KPI's item of a sprint."""
    return session.scalars(select(BaselineSprintItem).where(BaselineSprintItem.sprint_id == sprint_id,
                                                            BaselineSprintItem.kpi == kpi)).first()


def change_item(session: Session, item_id: int, version: int, **values: Any) -> bool:
    """Change an item if it is still at ``version`` (and step its version); False when someone changed it first."""
    done = session.execute(update(BaselineSprintItem).where(BaselineSprintItem.id == item_id,
                                                            BaselineSprintItem.version == version)
                           .values(version=version + 1, **values))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def add_baseline(session: Session, **values: Any) -> AdoptedBaseline:
    """Record a baseline (never replacing one: the newest at a scope is the one in force)."""
    row = AdoptedBaseline(**values)
    session.add(row)
    session.flush()
    return row


_BASELINE = AdoptedBaseline.__table__.c
#: built once: a panel reads it every time it opens
_NEWEST = (select(AdoptedBaseline.__table__)
           .where(_BASELINE.kpi == bindparam("kpi"), _BASELINE.scope.in_(bindparam("scopes", expanding=True)))
           .order_by(_BASELINE.adopted_at.desc(), _BASELINE.id.desc()))


def newest_baselines(session: Session, kpi: str, scopes: tuple[str, ...]) -> dict[str, Row[Any]]:
    """The newest baseline recorded for a KPI at each of some scopes (those with one), in one query: rows with the
    columns of ``AdoptedBaseline``."""
    out: dict[str, Row[Any]] = {}
    for row in session.execute(_NEWEST, {"kpi": kpi, "scopes": list(scopes)}):
        out.setdefault(row.scope, row)
    return out


def baseline_records(session: Session, kpi: str | None = None, scope: str | None = None) -> list[AdoptedBaseline]:
    """Baseline records, newest first (of one KPI and one scope when named)."""
    stmt = select(AdoptedBaseline).order_by(AdoptedBaseline.adopted_at.desc(), AdoptedBaseline.id.desc())
    if kpi is not None:
        stmt = stmt.where(AdoptedBaseline.kpi == kpi)
    if scope is not None:
        stmt = stmt.where(AdoptedBaseline.scope == scope)
    return list(session.scalars(stmt))
