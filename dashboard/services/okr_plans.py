"""Planning OKRs: objectives and key results saved with their rules checked (levels, scopes, how many, a bound KPI
that can carry the key result), a red KPI drafted into next quarter's objective, a quarter closed with its scores,
and a reached level adopted as a KPI's baseline.

Every change needs an editor, names the version the form showed and moves it on in its first statement
(compare-and-set: of two saves from one version exactly one is stored, the other is refused with who changed it,
when and their version), goes to the audit trail and bumps the data version, all in one transaction. A KPI drafted
into an objective is stored with its key result in one transaction too: refused, it leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from huddle.dashboard.core import okr_scoring as okr
from huddle.dashboard.core.format import format_day, format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.names import period_id_words, period_label
from huddle.dashboard.core.okr_file import OkrPlan
from huddle.dashboard.core.okr_scoring import OkrError
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.core.plant import Baseline
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.dashboard.services.conflicts import ChangedSince, conflict_message, quoted
from huddle.dashboard.services.okr_quarter import OkrQuarters
from huddle.dashboard.services.okrs import (
    CLOSE_DAYS_BEFORE_END,
    COMPANY,
    KIND_WORDS,
    LEVEL_WORDS,
    LEVELS,
    MAX_KEY_RESULTS,
    MAX_TEXT,
    OkrConflictError,
)
from huddle.data.models import AdoptedBaseline, KeyResult, Objective, OkrQuarter
from huddle.data.queries import okrs as okr_queries
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy.orm import Session

MAX_OBJECTIVES = 5  # per level and scope in a quarter: more dilutes the push (DOMAIN.md: three to five)
WINDOWS = {"quarter": "quarter to date", "month": "month to date", "week": "latest full week"}


class OkrPlans:
    """Create and change objectives and key results, draft one from a red KPI, close a quarter, adopt a baseline."""

    def __init__(self, okrs: OkrQuarters, accounts: Accounts) -> None:
        self.okrs = okrs
        self.config = okrs.config
        self.sessions = okrs.sessions
        self.readings = okrs.readings
        self.clock = okrs.clock
        self.accounts = accounts

    # ---- objectives and key results ----------------------------------------------------------------------

    def save_objective(self, who: Identity, quarter: str, scope: str, title: str, owner: str,
                       parent_id: int | None = None, objective_id: int | None = None,
                       version: int | None = None) -> int:
        """Create an objective, or change one from the version the form showed; returns its id."""
        with self.sessions.begin() as session:
            # changing: the compare-and-set is the first statement (it takes the write or row lock before any read)
            taken = objective_id is None or okr_queries.take_objective_version(session, objective_id, version)
            return self._save_objective(session, who, quarter, scope, title, owner, parent_id, objective_id, taken)

    def _save_objective(self, session: Session, who: Identity, quarter: str, scope: str, title: str, owner: str,
                        parent_id: int | None, objective_id: int | None, taken: bool) -> int:
        """Create or change an objective inside the caller's transaction (``taken``: its version was moved on)."""
        who.require("editor", N_("planning objectives"))
        period = self.okrs.parse_quarter(quarter)
        scope = self.okrs.normal_scope(scope)
        level = self.okrs.level_of(scope)
        title, owner = _text(title, N_("title")), _text(owner, N_("owner"))
        now = self.clock()
        self.okrs.refuse_if_closed(session, period.label)
        if parent_id is not None:
            parent = okr_queries.objective(session, parent_id)
            if parent is None or parent.quarter != period.label:
                raise OkrError(_("the objective above is not one of {quarter}'s").format(quarter=period.label))
            if LEVELS.index(self.okrs.level_of(parent.scope)) >= LEVELS.index(level):
                above = _(LEVEL_WORDS[self.okrs.level_of(parent.scope)])
                raise OkrError(_("a {level} objective sits under a higher level; '{title}' is at {parent} level")
                               .format(level=_(LEVEL_WORDS[level]), title=parent.title, parent=above))
            if not self.okrs.contains(parent.scope, scope):
                raise OkrError(_("{scope} is not part of {parent}, where '{title}' belongs").format(
                    scope=self.okrs.scope_name(scope), parent=self.okrs.scope_name(parent.scope), title=parent.title))
        if objective_id is None:
            count = okr_queries.count_objectives(session, period.label, scope)
            if count >= MAX_OBJECTIVES:
                raise OkrError(_("{scope} already has {n} objectives in {quarter}: more than {most} at one level "
                                 "dilutes the push; drop or merge one").format(
                    scope=self.okrs.scope_name(scope), n=count, quarter=period.label, most=MAX_OBJECTIVES), "scope")
            row = Objective(quarter=period.label, scope=scope, parent_id=parent_id, title=title, owner=owner,
                            created_by=who.label, created_at=now, updated_by=who.label, updated_at=now,
                            version=1)
            session.add(row)
            session.flush()
            self.accounts.audit(session, who, "okr.objective.add", f"objective {row.id}",
                                quarter=period.label, scope=scope, title=title, owner=owner, parent=parent_id)
        else:
            row = self._objective_for_change(session, objective_id, taken)
            if row.scope != scope:
                count = okr_queries.count_objectives(session, row.quarter, scope)
                if count >= MAX_OBJECTIVES:
                    raise OkrError(_("{scope} already has {n} objectives in {quarter}").format(
                        scope=self.okrs.scope_name(scope), n=count, quarter=row.quarter), "scope")
            if parent_id == row.id:
                raise OkrError(_("an objective cannot sit under itself"))
            before = {"scope": row.scope, "title": row.title, "owner": row.owner, "parent": row.parent_id}
            row.scope, row.title, row.owner, row.parent_id = scope, title, owner, parent_id
            row.updated_by, row.updated_at = who.label, now
            self.accounts.audit(session, who, "okr.objective.change", f"objective {row.id}", before=before,
                                after={"scope": scope, "title": title, "owner": owner, "parent": parent_id})
        bump_data_version(session)
        return row.id

    def _objective_for_change(self, session: Session, objective_id: int, taken: bool) -> Objective:
        row = okr_queries.objective(session, objective_id)
        if row is None:
            raise OkrError(_("this objective is no longer there: reload the page"))
        self.okrs.refuse_if_closed(session, row.quarter)
        if not taken:
            theirs = (("title", quoted(row.title)), ("owner", row.owner), ("for", self.okrs.scope_name(row.scope)))
            raise self._conflict(session, _("this objective"), row.updated_by, row.updated_at, theirs, row.version)
        return row

    def _conflict(self, session: Session, what: str, by: str, at: Any, theirs: tuple[tuple[str, str], ...],
                  version: int) -> OkrConflictError:
        """The refusal of a save from a version someone has moved on since: who, when, their version."""
        changed = ChangedSince(what, self.accounts.person(session, by), at, theirs)
        return OkrConflictError(conflict_message(changed, self.config.tz, self.okrs.today()), version, changed)

    def check_binding(self, kind: str, unit: str, kpi: str, kpi_scope: str, objective_scope: str,
                      window: str = "quarter") -> str:
        """Refuse a bound KPI that cannot carry the key result; returns the unit to store (the KPI's)."""
        kdef = self.config.kpis.get(kpi)
        if kdef is None:
            raise OkrError(_("unknown KPI {kpi}: bind one of {kpis}").format(kpi=repr(kpi),
                                                                             kpis=", ".join(self.config.kpis)))
        if kind == "milestone":
            raise OkrError(_("a milestone is done or not: it cannot be bound to a KPI"))
        if window == "quarter" and FORMULAS[kdef.formula].kind is Kind.TOTAL:
            raise OkrError(_("{kpi} adds up over time, so its quarter to date only grows: read it over the latest "
                             "full week").format(kpi=kdef.name))
        if window == "month" and FORMULAS[kdef.formula].kind is Kind.TOTAL:
            raise OkrError(_("{kpi} adds up over time, so its month to date only grows: read it over the latest "
                             "full week").format(kpi=kdef.name))
        if unit and unit != kdef.unit:
            measured = kdef.unit or _("plain numbers")
            raise OkrError(_("the key result is in {unit} but {kpi} is measured in {measured}").format(
                unit=repr(unit), kpi=kdef.name, measured=repr(measured)))
        wants = "higher" if kind in ("increase", "stay_above") else "lower"
        if wants != kdef.direction:
            better = _("better higher") if kdef.direction == "higher" else _("better lower")
            raise OkrError(_("{kpi} is {better}: '{kind}' would push it the wrong way; use '{instead}'").format(
                kpi=kdef.name, better=better, kind=_(KIND_WORDS[kind]),
                instead=_(KIND_WORDS["increase" if kdef.direction == "higher" else "decrease"])))
        if kpi_scope != objective_scope and not self.okrs.contains(objective_scope, kpi_scope):
            raise OkrError(_("{scope} lies outside {objective_scope}: read the KPI where the objective is").format(
                scope=self.okrs.scope_name(kpi_scope), objective_scope=self.okrs.scope_name(objective_scope)))
        return kdef.unit

    def save_key_result(self, who: Identity, objective_id: int, *, title: str, kind: str, start: float | None,
                        target: float | None, unit: str = "", weight: float = 1.0, owner: str = "", kpi: str = "",
                        kpi_scope: str = "", kpi_window: str = "quarter", key_result_id: int | None = None,
                        version: int | None = None) -> int:
        """Create a key result, or change one from the version the form showed; returns its id."""
        who.require("editor", N_("planning key results"))
        fields = _key_result_fields(title, kind, start, target, unit, weight, owner, kpi_window)
        with self.sessions.begin() as session:
            # changing: the compare-and-set is the first statement (it takes the write or row lock before any read)
            taken = key_result_id is None or okr_queries.take_key_result_version(session, key_result_id, version)
            return self._store_key_result(session, who, objective_id, fields, kpi, kpi_scope, key_result_id, taken)

    def _store_key_result(self, session: Session, who: Identity, objective_id: int, fields: dict[str, Any],
                          kpi: str, kpi_scope: str, key_result_id: int | None, taken: bool) -> int:
        """Create or change a key result of checked fields inside the caller's transaction (``taken``: its version
        was moved on)."""
        now = self.clock()
        objective = okr_queries.objective(session, objective_id)
        if objective is None:
            raise OkrError(_("this objective is no longer there: reload the page"))
        self.okrs.refuse_if_closed(session, objective.quarter)
        if kpi:
            kpi_scope = self.okrs.normal_scope(kpi_scope or
                                               ("plant" if objective.scope == COMPANY else objective.scope))
            fields["unit"] = self.check_binding(fields["kind"], fields["unit"], kpi, kpi_scope, objective.scope,
                                                fields["kpi_window"])
        else:
            kpi_scope, fields["kpi_window"] = "", "quarter"
        fields.update(kpi=kpi, kpi_scope=kpi_scope)
        if key_result_id is None:
            count = okr_queries.count_key_results(session, objective_id)
            if count >= MAX_KEY_RESULTS:
                raise OkrError(_("'{title}' already has {n} key results: at most {most} per objective").format(
                    title=objective.title, n=count, most=MAX_KEY_RESULTS), "key_results")
            row = KeyResult(objective_id=objective_id, created_by=who.label, created_at=now,
                            updated_by=who.label, updated_at=now, version=1, checkins=0, **fields)
            session.add(row)
            session.flush()
            self.accounts.audit(session, who, "okr.key_result.add", f"key result {row.id}",
                                objective=objective_id, fields=fields)
        else:
            found = okr_queries.key_result(session, key_result_id)
            if found is None or found.objective_id != objective_id:
                raise OkrError(_("this key result is no longer there: reload the page"))
            row = found
            if not taken:
                theirs = (("title", quoted(row.title)), ("start", format_value(row.start, row.unit)),
                          ("target", format_value(row.target, row.unit)), ("owner", row.owner))
                raise self._conflict(session, _("this key result"), row.updated_by, row.updated_at, theirs,
                                     row.version)
            before = {k: getattr(row, k) for k in fields}
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_by, row.updated_at = who.label, now
            self.accounts.audit(session, who, "okr.key_result.change", f"key result {row.id}", before=before,
                                after=fields)
        bump_data_version(session)
        return row.id

    def save_plan(self, who: Identity, plan: OkrPlan) -> dict[int, list[int]]:
        """Store a quarter's objectives with their key results (a file or the API's request), each checked as the
        page's form checks it, all in one transaction: any refusal stores nothing and names the entry and field
        (an ``OkrError``). An objective whose title the quarter already has at its scope is refused, so a file
        imported twice does not plan everything twice. Returns each objective's id with its key results' ids."""
        who.require("editor", N_("planning objectives"))
        period = _located("the file: quarter", self.okrs.parse_quarter, plan.quarter)
        saved: dict[int, list[int]] = {}
        with self.sessions.begin() as session:
            stored, _krs, _checkins = okr_queries.quarter_rows(session, period.label)
            titles = {o.title.casefold(): o.id for o in stored}
            taken = {(o.scope, o.title.casefold()) for o in stored}
            for o in plan.objectives:
                scope = _located(f"{o.where}: scope", self.okrs.normal_scope, o.scope)
                if (scope, o.title.casefold()) in taken:
                    raise OkrError(f"{o.where}: title: " + _("{quarter} already has this objective at {scope}; change "
                                                             "it on the OKR page").format(
                        quarter=period.label, scope=self.okrs.scope_name(scope)))
                parent_id = titles.get(o.parent.casefold()) if o.parent else None
                if o.parent and parent_id is None:
                    raise OkrError(f"{o.where}: parent: " + _("no objective '{title}' in {quarter} or above it in the "
                                                              "file").format(title=o.parent, quarter=period.label))
                try:
                    objective_id = self._save_objective(session, who, period.label, scope, o.title, o.owner,
                                                        parent_id, None, True)
                except OkrError as exc:
                    raise OkrError(f"{o.where}: {_objective_field(exc, parent_id)}{exc}") from None
                titles[o.title.casefold()] = objective_id
                taken.add((scope, o.title.casefold()))
                saved[objective_id] = []
                for k in o.key_results:
                    fields = _located(k.where, _key_result_fields, k.title, k.kind, k.start, k.target, k.unit,
                                      k.weight, k.owner, k.kpi_window)
                    if k.kpi:
                        kpi_scope = _located(f"{k.where}: kpi_scope", self.okrs.normal_scope,
                                             k.kpi_scope or ("plant" if scope == COMPANY else scope))
                        _located(f"{k.where}: kpi", self.check_binding, k.kind, k.unit, k.kpi, kpi_scope, scope,
                                 k.kpi_window)
                    saved[objective_id].append(_located(k.where, self._store_key_result, session, who,
                                                        objective_id, fields, k.kpi, k.kpi_scope, None, True))
        return saved

    def draft_from_kpi(self, who: Identity, quarter: str, scope: str, kpi: str) -> int:
        """Turn a KPI that has been red for months into an objective for a quarter, with one key result bound to
        it: from where it stands (last full month, or last full week for a total) to its target. Returns the
        objective's id; refused when that quarter already has a key result bound to the KPI there."""
        who.require("editor", N_("planning objectives"))
        kdef = self.config.kpis.get(kpi)
        if kdef is None:
            raise OkrError(_("unknown KPI {kpi}").format(kpi=repr(kpi)))
        scope = self.okrs.normal_scope(scope)
        period = self.okrs.parse_quarter(quarter)
        total = FORMULAS[kdef.formula].kind is Kind.TOTAL
        today = self.okrs.today()
        if total:
            week = period_containing("week", today).previous()
            reading, window = self.readings.reading(kpi, scope, week), "week"
        else:
            month = period_containing("month", today.replace(day=1) - timedelta(days=1))
            reading, window = self.readings.reading(kpi, scope, month), "quarter"
        if reading.value is None or reading.target is None:
            raise OkrError(_("{kpi} at {scope} has no value or target to start from").format(
                kpi=kdef.name, scope=self.okrs.scope_name(scope)))
        owner = kdef.owner or who.label
        fields = _key_result_fields(f"{kdef.name} at {self.okrs.scope_name(scope)}",
                                    "increase" if kdef.direction == "higher" else "decrease",
                                    round(reading.value, 2), reading.target, "", 1.0, owner, window)
        # the objective and its key result are stored together or not at all: a refused key result leaves no
        # objective without one behind
        with self.sessions.begin() as session:
            planned = okr_queries.objective_binding(session, period.label, kpi, scope)
            if planned:
                raise OkrError(_("{quarter} already has {kpi} at {scope} in '{title}'").format(
                    quarter=period_id_words(self.config, period.label), kpi=kdef.name,
                    scope=self.okrs.scope_name(scope), title=planned))
            objective = self._save_objective(session, who, period.label, scope,
                                             f"Bring {kdef.name} at {self.okrs.scope_name(scope)} back to target",
                                             owner, None, None, True)
            self._store_key_result(session, who, objective, fields, kpi, scope, None, True)
            return objective

    # ---- closing a quarter and baselines -----------------------------------------------------------------

    def close_quarter(self, who: Identity, quarter: str) -> int:
        """Score every key result of a quarter 0–1 and stop its check-ins; returns how many were scored."""
        who.require("editor", N_("closing a quarter"))
        period = self.okrs.parse_quarter(quarter)
        opens = period.last - timedelta(days=CLOSE_DAYS_BEFORE_END - 1)
        if self.okrs.today() < opens:
            raise OkrError(_("{quarter} runs until {last}: it can be closed from {opens}").format(
                quarter=period_label(self.config, period), last=format_day(period.last, self.okrs.today()),
                opens=format_day(opens, self.okrs.today())))
        view = self.okrs.quarter(period.label)
        if view.closed:
            raise OkrError(_("{quarter} is already closed").format(quarter=period_label(self.config, period)))
        if not view.key_results:
            raise OkrError(_("{quarter} has no key results to score").format(quarter=period_label(self.config, period)))
        now = self.clock()
        with self.sessions.begin() as session:
            if okr_queries.closed_quarter(session, period.label) is not None:
                raise OkrError(_("{quarter} is already closed").format(quarter=period_label(self.config, period)))
            session.add(OkrQuarter(quarter=period.label, closed_by=who.label, closed_at=now))
            session.flush()  # a second close racing this one fails here on the primary key
            scores = {}
            for k in view.key_results:
                score = okr.closing_score(k.kind, k.start, k.target, k.current)
                okr_queries.score_key_result(session, k.id, k.current, score)
                scores[k.id] = score
            self.accounts.audit(session, who, "okr.quarter.close", period.label, scores=scores)
            bump_data_version(session)
        return len(scores)

    def adopt_baseline(self, who: Identity, key_result_id: int) -> Baseline:
        """Make the level a bound key result reached its KPI's new baseline at its scope (closed quarters only)."""
        who.require("editor", N_("adopting a baseline"))
        with self.sessions.begin() as session:
            kr = okr_queries.key_result(session, key_result_id)
            if kr is None:
                raise OkrError(_("this key result is no longer there: reload the page"))
            objective = okr_queries.objective(session, kr.objective_id)
            assert objective is not None
            if not kr.kpi:
                raise OkrError(_("only a key result bound to a KPI proposes a baseline"))
            if self.okrs.closed(session, objective.quarter) is None or kr.final_value is None:
                raise OkrError(_("close {quarter} first: the baseline is the level reached at its end").format(
                    quarter=period_id_words(self.config, objective.quarter)))
            if not okr.achieved(kr.kind, kr.start, kr.target, kr.final_value):
                raise OkrError(_("“{title}” ended at {value}, short of its target {target}: only a key result that "
                                 "was achieved sets a new baseline").format(
                    title=kr.title, value=f"{kr.final_value:g}", target=f"{kr.target:g}"))
            quarter = self.okrs.parse_quarter(objective.quarter)
            source = f"OKR {objective.quarter}: {kr.title}"
            session.add(AdoptedBaseline(kpi=kr.kpi, scope=kr.kpi_scope, value=kr.final_value, on=quarter.last,
                                        source=source, adopted_by=who.label, adopted_at=self.clock()))
            self.accounts.audit(session, who, "kpi.baseline.adopt", f"{kr.kpi} at {kr.kpi_scope}",
                                value=kr.final_value, source=source)
            bump_data_version(session)
            return Baseline(kr.final_value, quarter.last, source)


def _key_result_fields(title: str, kind: str, start: float | None, target: float | None, unit: str, weight: float,
                       owner: str, kpi_window: str) -> dict[str, Any]:
    """A key result's own fields, checked (a bound KPI is checked against its objective when stored)."""
    title, owner = _text(title, N_("title")), _text(owner, N_("owner"))
    if target is None:
        raise OkrError(_("give a target"))
    if kind == "milestone":
        start, target = 0.0, 1.0
    okr.check_key_result(kind, start, float(target))
    if not weight or weight <= 0:
        raise OkrError(_("the weight must be above 0"), "weight")
    if kpi_window not in WINDOWS:
        raise OkrError(_("the KPI window is one of {windows}").format(windows=", ".join(WINDOWS)), "kpi_window")
    return {"title": title, "kind": kind, "start": start, "target": float(target), "unit": (unit or "").strip(),
            "weight": float(weight), "owner": owner, "kpi_window": kpi_window}


def _located(where: str, check: Callable[..., Any], *args: Any) -> Any:
    """``check(*args)``, its refusal named with the entry and field (``where``) it concerns."""
    try:
        return check(*args)
    except OkrError as exc:
        text = str(exc)
        if where.endswith(")") and exc.field not in ("title", "owner"):  # an entry: name the field refused
            text = f"{_key_result_field(exc)}: {text}"
        raise OkrError(f"{where}: {text}") from None


def _key_result_field(exc: OkrError) -> str:
    """Which of a key result's fields a planning rule's refusal is about (the target unless it names another)."""
    return exc.field if exc.field in ("weight", "kpi_window", "start", "kind", "key_results") else "target"


def _objective_field(exc: OkrError, parent_id: int | None) -> str:
    """Which of an objective's fields a planning rule's refusal is about ("" when its words name it)."""
    if exc.field in ("title", "owner"):
        return ""
    if exc.field == "quarter":
        return "quarter: "
    return "parent: " if parent_id is not None and exc.field != "scope" else "scope: "


def _text(value: Any, field_name: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise OkrError(_("{field}: say it in a few words").format(field=_(field_name)), field_name)
    if len(text) > MAX_TEXT:
        raise OkrError(_("{field}: at most {n} characters").format(field=_(field_name), n=MAX_TEXT), field_name)
    return text
