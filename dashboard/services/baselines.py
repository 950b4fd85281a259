"""The baseline sprint and the baselines it records: a tree whose definition Huddle has not seen before opens a
48-hour sprint with a checklist per KPI; editors fill in each KPI's current value (proposed from the data where
Huddle has it), source and frequency, or the explicit "no data source" finding; the KPI's owner signs it off, which
records a dated baseline at the sprint's scope; the sprint closes with a record of what was missing.

How a changed tree is noticed: the service compares each tree's fingerprint (``core.baseline_sprint``) with the one
its newest sprint was opened for, whenever a process starts on the plant file (web app, scheduler, ``huddle check``
and every other command build their services through ``build_services``). The plant file is only read at start, so
that is the moment a tree can have changed; a hash of the definition (not the file's) keeps an edit elsewhere in
the file, or a renamed tree, from asking every KPI for its baseline again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.baseline_sprint import (
    SprintItem,
    all_signed,
    closing_missing,
    due_at,
    missing_words,
    signed_count,
    tree_fingerprint,
)
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.plant import FREQUENCIES, Baseline, PlantConfig
from huddle.data.queries import baselines as queries
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from huddle.dashboard.services.accounts import Accounts
    from huddle.dashboard.services.catalogue import KpiCatalogue
    from huddle.dashboard.services.identity import Identity
    from huddle.data.models_baselines import BaselineSprint, BaselineSprintItem

SOURCE_MAX = 300  # characters of a source as the form takes it


class BaselineError(ValueError):
    """A checklist change that cannot be made as asked, with the reason in words."""


@dataclass(frozen=True)
class ItemView:
    """A checklist line as the page shows it: the item, its KPI's name, unit and owner, and the value proposed."""

    item: SprintItem
    name: str
    unit: str
    owner: str
    proposed: float | None = None  # the KPI's current value at the sprint's scope, where Huddle has data


@dataclass(frozen=True)
class SprintView:
    """A tree's baseline sprint with its checklist."""

    id: int
    tree: str
    scope: str
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None
    outcome: str
    missing: dict[str, list[str]]
    items: list[ItemView] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """True until the sprint closed."""
        return self.closed_at is None

    @property
    def signed(self) -> int:
        """How many KPIs their owners signed off."""
        return signed_count([i.item for i in self.items])


@dataclass(frozen=True)
class ScopedBaseline:
    """The baseline in force for a KPI at a scope, and the scope it was recorded at ("" for the plant file's)."""

    baseline: Baseline
    scope: str
    frequency: str = ""


def _item(row: BaselineSprintItem) -> SprintItem:
    return SprintItem(row.kpi, row.value, row.source, row.frequency, bool(row.no_source), row.signed_by,
                      row.signed_at, row.version)


class BaselineSprints:
    """Open, work and close baseline sprints; read the baselines they recorded."""

    def __init__(self, config: PlantConfig, sessions: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime], catalogue: KpiCatalogue) -> None:
        self.config = config
        self.sessions = sessions
        self.accounts = accounts
        self.clock = clock
        self.catalogue = catalogue

    # ---- opening and closing -----------------------------------------------------------------------------

    def sync_trees(self) -> list[str]:
        """Open a plant sprint for every tree whose definition has no sprint yet (a new tree, or one changed since
        its last sprint opened); open sprints of the old definition, at any scope, close as replaced. The trees
        opened, by key."""
        now = self.clock()
        opened = []
        with self.sessions.begin() as session:
            queries.hold_sprints(session)  # the web app and the scheduler start together: one opens, one finds it
            for tree in self.config.trees.values():
                fingerprint = tree_fingerprint(tree)
                latest = queries.latest_sprint(session, tree.key)
                if latest is not None and latest.fingerprint == fingerprint:
                    continue
                for old in queries.open_sprints(session, tree.key):
                    self._close(session, old, now, "replaced")
                self._open(session, tree.key, "plant", now)
                opened.append(tree.key)
        return opened

    def _open(self, session: Session, tree: str, scope: str, now: datetime) -> BaselineSprint:
        kpis = [k for k in self.config.trees[tree].nodes() if k in self.config.kpis]
        return queries.open_sprint(session, tree, scope, tree_fingerprint(self.config.trees[tree]), now, due_at(now), [
            {"kpi": k, "source": self.config.kpis[k].data_source or "", "frequency": self.config.kpis[k].frequency}
            for k in kpis])

    def open_sprint(self, who: Identity, tree: str, scope: str) -> int:
        """Open a sprint for a tree at a scope (an area or a line gets baselines of its own); refused while one is
        open there. The new sprint's id."""
        who.require("editor", N_("starting a baseline sprint"))
        scope = self.normal_scope(scope)
        if tree not in self.config.trees:
            raise BaselineError(_("there is no such tree in the plant file"))
        if scope != "plant" and scope not in self.config.areas and scope not in self.config.lines:
            raise BaselineError(_("choose a scope from the list"))
        with self.sessions.begin() as session:
            latest = queries.latest_sprint(session, tree, scope)
            if latest is not None:
                self._close_if_due(session, latest)
                if latest.closed_at is None:
                    raise BaselineError(_("a baseline sprint is already open for {scope}").format(
                        scope=self.config.scope_name(scope)))
            sprint = self._open(session, tree, scope, self.clock())
            self.accounts.audit(session, who, "baseline.sprint.open", f"{tree} at {scope}")
            return sprint.id

    def _close(self, session: Session, sprint: BaselineSprint, at: datetime, outcome: str) -> None:
        missing = closing_missing([_item(r) for r in queries.items(session, sprint.id)])
        queries.close_sprint(session, sprint.id, at, outcome, json.dumps(missing))

    def _close_if_due(self, session: Session, sprint: BaselineSprint) -> None:
        """A sprint whose 48 hours ran out closes as at its due time, the first time anyone reads it after."""
        if sprint.closed_at is None and self.clock() >= sprint.due_at:
            self._close(session, sprint, sprint.due_at, "timed_out")

    # ---- reading -----------------------------------------------------------------------------------------

    def view(self, tree: str, scope: str = "plant", *, proposals: bool = False) -> SprintView | None:
        """A tree's newest sprint at a scope with its checklist (values proposed from the data at that scope when
        asked), or None."""
        with self.sessions.begin() as session:
            row = queries.latest_sprint(session, tree, self.normal_scope(scope))
            if row is None:
                return None
            self._close_if_due(session, row)
            session.flush()
            session.refresh(row)
            rows = queries.items(session, row.id)
            scope = row.scope
            head = (row.id, row.tree, row.scope, row.opened_at, row.due_at, row.closed_at, row.outcome,
                    json.loads(row.missing) if row.missing else {})
        out = []
        for r in rows:
            kdef = self.config.kpis.get(r.kpi)
            proposed = None
            if proposals and kdef is not None:
                proposed = self.catalogue.current_reading(kdef, scope).value
            out.append(ItemView(_item(r), kdef.name if kdef else r.kpi, kdef.unit if kdef else "",
                                (kdef.owner or "") if kdef else "", proposed))
        return SprintView(*head, items=out)

    def tree_states(self) -> list[tuple[str, str, BaselineSprint | None, int, int]]:
        """Each tree's sprint as it stands, without changing anything (``huddle check``): (tree, state, newest
        sprint, KPIs signed off, KPIs), the state "pending" when the tree is new or changed since its newest sprint
        (one opens at the next start), else "open", "due" (its time ran out; it closes when next read) or
        "closed"."""
        out: list[tuple[str, str, BaselineSprint | None, int, int]] = []
        with self.sessions() as session:
            for tree in self.config.trees.values():
                row = queries.latest_sprint(session, tree.key)
                if row is None or row.fingerprint != tree_fingerprint(tree):
                    out.append((tree.key, "pending", row, 0, len(tree.nodes())))
                    continue
                items = [_item(r) for r in queries.items(session, row.id)]
                state = "closed" if row.closed_at else "due" if self.clock() >= row.due_at else "open"
                out.append((tree.key, state, row, signed_count(items), len(items)))
        return out

    def baseline_at(self, kpi: str, scope: str) -> ScopedBaseline | None:
        """The baseline in force for a KPI at a scope: the newest recorded there, else none (the page then says
        whose it would fall back to: ``fallback``)."""
        return self.in_force(kpi, scope, wider=False)[0]

    def fallback(self, kpi: str, scope: str) -> ScopedBaseline | None:
        """The baseline a scope without its own leans on: its area's (for a line), the plant's, then the plant
        file's ("" as its scope)."""
        return self.in_force(kpi, scope, own=False)[1]

    def in_force(self, kpi: str, scope: str, *, own: bool = True,
                 wider: bool = True) -> tuple[ScopedBaseline | None, ScopedBaseline | None]:
        """The baseline recorded at a scope (``baseline_at``) and the one shown there: its own, else the one it
        leans on (``fallback``), from one query of the scopes concerned."""
        scope = self.normal_scope(scope)
        chain = ([self.config.area_of(scope)] if scope in self.config.lines else []) + ["plant"] if wider else []
        scopes = ([scope] if own else []) + [up for up in chain if up != scope]
        with self.sessions() as session:
            rows = queries.newest_baselines(session, kpi, tuple(scopes)) if scopes else {}
        found = [ScopedBaseline(Baseline(r.value, r.on, r.source), r.scope, r.frequency)
                 for r in (rows.get(s) for s in scopes) if r is not None]
        here = found[0] if own and found and found[0].scope == scope else None
        if found or not wider:
            return here, found[0] if found else None
        kdef = self.config.kpis.get(kpi)
        return here, ScopedBaseline(kdef.baseline, "", "") if kdef is not None and kdef.baseline else None

    def records(self, kpi: str | None = None, scope: str | None = None) -> list[dict[str, Any]]:
        """Every baseline recorded (of a KPI, at a scope when named), newest first, JSON-ready."""
        with self.sessions() as session:
            rows = queries.baseline_records(session, kpi, self.normal_scope(scope) if scope else None)
            return [{"kpi": r.kpi, "scope": r.scope, "value": r.value, "date": r.on.isoformat(), "source": r.source,
                     "frequency": r.frequency or None, "signed_off_by": r.adopted_by,
                     "signed_off_at": r.adopted_at.isoformat(), "sprint": r.sprint_id} for r in rows]

    def normal_scope(self, scope: str) -> str:
        """'plant' for the site itself, else the scope as given."""
        return "plant" if scope in ("", "plant", self.config.site_key) else scope

    # ---- working the checklist ---------------------------------------------------------------------------

    def _open_item(self, session: Session, sprint_id: int, kpi: str) -> tuple[BaselineSprint, BaselineSprintItem]:
        sprint = queries.sprint(session, sprint_id)
        if sprint is None:
            raise BaselineError(_("this baseline sprint no longer exists"))
        self._close_if_due(session, sprint)
        if sprint.closed_at is not None:
            raise BaselineError(_("this baseline sprint is closed: its checklist no longer changes"))
        row = queries.item(session, sprint_id, kpi)
        if row is None:
            raise BaselineError(_("{kpi} is not on this sprint's checklist").format(
                kpi=self.config.kpis[kpi].name if kpi in self.config.kpis else kpi))
        return sprint, row

    def save(self, who: Identity, sprint_id: int, kpi: str, version: int, *, value: float | None, source: str,
             frequency: str, no_source: bool) -> SprintItem:
        """Save a KPI's value, source and frequency, or its "no data source" finding; a signed-off item that
        changes needs its owner's sign-off again."""
        who.require("editor", N_("working the baseline checklist"))
        source = (source or "").strip()
        if value is not None and not math.isfinite(value):
            raise BaselineError(_("the current value must be a number"))
        if len(source) > SOURCE_MAX:
            raise BaselineError(_("the source is longer than {n} characters").format(n=SOURCE_MAX))
        if frequency and frequency not in FREQUENCIES:
            raise BaselineError(_("choose how often the KPI is measured from the list"))
        if no_source:  # the finding stands instead of a number and where it came from
            value, source = None, ""
        with self.sessions.begin() as session:
            sprint, row = self._open_item(session, sprint_id, kpi)
            if not queries.change_item(session, row.id, version, value=value, source=source, frequency=frequency,
                                       no_source=no_source, updated_by=who.label, updated_at=self.clock(),
                                       signed_by="", signed_at=None):
                raise BaselineError(_("someone changed this KPI's line since you opened it: look again and save"))
            self.accounts.audit(session, who, "baseline.sprint.save", f"{kpi} at {sprint.scope}",
                                value=value, source=source, frequency=frequency, no_source=no_source)
            return SprintItem(kpi, value, source, frequency, no_source, "", None, version + 1)

    def sign_off(self, who: Identity, sprint_id: int, kpi: str, version: int) -> SprintItem:
        """The KPI's owner signs its line off: a value becomes a dated baseline at the sprint's scope (a "no data
        source" finding records none); the last sign-off closes the sprint."""
        who.require("editor", N_("signing off a baseline"))
        kdef = self.config.kpis.get(kpi)
        owner = (kdef.owner or "").strip() if kdef else ""
        if not owner or owner.casefold() not in {who.name.casefold(), (who.display_name or "").casefold()}:
            raise BaselineError(_("only the KPI's owner ({owner}) signs off its baseline").format(
                owner=owner or _("no owner named in the plant file")))
        now = self.clock()
        with self.sessions.begin() as session:
            sprint, row = self._open_item(session, sprint_id, kpi)
            item = _item(row)
            if item.signed:
                raise BaselineError(_("already signed off"))
            if not item.ready:
                raise BaselineError(_("not ready to sign off: {missing}").format(missing=missing_words(item.lacks())))
            if item.version != version or not queries.change_item(session, row.id, version, signed_by=who.label,
                                                                   signed_at=now):
                raise BaselineError(_("someone changed this KPI's line since you opened it: look again and sign"))
            if not item.no_source and item.value is not None:
                queries.add_baseline(session, kpi=kpi, scope=sprint.scope, value=item.value,
                                     on=now.astimezone(self.config.tz).date(), source=item.source,
                                     adopted_by=who.label, adopted_at=now, frequency=item.frequency,
                                     sprint_id=sprint.id)
            self.accounts.audit(session, who, "baseline.sprint.sign_off", f"{kpi} at {sprint.scope}",
                                value=item.value, source=item.source, frequency=item.frequency,
                                no_source=item.no_source)
            session.flush()
            if all_signed([_item(r) for r in queries.items(session, sprint.id)]):
                queries.close_sprint(session, sprint.id, now, "complete", "{}")
            return SprintItem(kpi, item.value, item.source, item.frequency, item.no_source, who.label, now,
                              version + 1)
