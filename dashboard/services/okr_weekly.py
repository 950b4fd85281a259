"""The week's check-ins on key results: a value (or the bound KPI's), a confidence 0–10, what moved and what blocks.

A second check-in in the same week is kept as a correction of the first. Two people checking in on the same key
result cannot overwrite each other: the form names how many check-ins it saw, and the save is a compare-and-set on
that count inside the database's own write, so it holds across processes on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
from typing import Any

from huddle.dashboard.core import okr_scoring as okr
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import period_id_words, period_label
from huddle.dashboard.core.okr_scoring import OkrError
from huddle.dashboard.core.periods import PeriodError, parse_period, period_containing
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.dashboard.services.conflicts import ChangedSince, quoted
from huddle.dashboard.services.okr_quarter import OkrQuarters
from huddle.dashboard.services.okrs import MAX_TEXT, CheckInView, OkrConflictError, check_in_view, quarter_weeks
from huddle.data.models import CheckIn
from huddle.data.queries import okrs as okr_queries
from huddle.data.queries.ledger import bump_data_version


class OkrCheckIns:
    """Save the week's check-ins on key results."""

    def __init__(self, okrs: OkrQuarters, accounts: Accounts) -> None:
        self.okrs = okrs
        self.config = okrs.config
        self.sessions = okrs.sessions
        self.clock = okrs.clock
        self.accounts = accounts

    def check_in(self, who: Identity, key_result_id: int, seen: int, *, value: float | None, confidence: int | None,
                 moved: str = "", blocks: str = "", week: str | None = None) -> CheckInView:
        """Save a week's check-in from a form that saw ``seen`` check-ins; a second one in the same week is kept
        as a correction of the first. Refused, with who checked in meanwhile, if the count moved on."""
        who.require("editor", N_("checking in on a key result"))
        if confidence is None:
            raise OkrError(_("give your confidence, 0–10"))
        try:
            confidence = int(confidence)
        except (TypeError, ValueError):
            raise OkrError(_("confidence {confidence} is not a whole number 0–10").format(
                confidence=quoted(str(confidence)))) from None
        okr.confidence_band(confidence)  # refuses outside 0–10
        moved, blocks = _free_text(moved, N_("what moved")), _free_text(blocks, N_("what blocks"))
        today = self.okrs.today()
        with self.sessions() as session:
            kr = okr_queries.key_result(session, key_result_id)
            if kr is None:
                raise OkrError(_("this key result is no longer there: reload the page"))
            objective = okr_queries.objective(session, kr.objective_id)
            assert objective is not None
            self.okrs.refuse_if_closed(session, objective.quarter)
        quarter = self.okrs.parse_quarter(objective.quarter)
        weeks = quarter_weeks(quarter)
        this_week = period_containing("week", min(today, quarter.last))
        try:
            chosen = parse_period("week", week) if week else this_week
        except PeriodError as exc:
            raise OkrError(str(exc)) from None
        if chosen not in weeks:
            raise OkrError(_("{week} is not a week of {quarter}").format(
                week=period_id_words(self.config, chosen.label, today), quarter=period_label(self.config, quarter)))
        if chosen.first > today:
            raise OkrError(_("{week} has not started: check in for this week or an earlier one").format(
                week=period_id_words(self.config, chosen.label, today)))
        if kr.kpi:
            value = self.okrs.bound_value(kr, quarter, min(chosen.last, today))
            if value is None:
                raise OkrError(_("{kpi} has no data for {week} yet").format(
                    kpi=self.config.kpis[kr.kpi].name, week=period_id_words(self.config, chosen.label, today)))
        else:
            if value is None:
                raise OkrError(_("give this week's value"))
            value = _finite(value)
            if kr.kind == "milestone" and value not in (0.0, 1.0):
                raise OkrError(_("a milestone is 1 (done) or 0 (not yet)"))
        now = self.clock()
        with self.sessions.begin() as session:
            # the compare-and-set is the transaction's first statement: it takes the write lock (SQLite) or the
            # row lock (PostgreSQL) before anything is read, so two saves from forms that saw the same count
            # cannot both pass
            if not okr_queries.take_check_in(session, key_result_id, seen):
                latest = okr_queries.latest_check_in(session, key_result_id)
                count = okr_queries.check_in_count(session, key_result_id)
                if latest is None:
                    raise OkrConflictError(_("the key result changed since you opened the form: nothing was "
                                             "saved; save again"), count)
                changed = ChangedSince(_("this key result"), self.accounts.person(session, latest.author), latest.at,
                                       (("for", period_id_words(self.config, latest.week, self.okrs.today())),
                                        ("value", format_value(latest.value, kr.unit)),
                                        ("confidence", str(latest.confidence)), ("moved", quoted(latest.moved))),
                                       verb="checked in on")
                raise OkrConflictError(_(
                    "{what_happened} Nothing was overwritten. Your entry is still in the form: look at theirs, then "
                    "save again to add yours as a correction.").format(
                        what_happened=changed.words(self.config.tz, self.okrs.today())), count, changed)
            earlier = okr_queries.latest_check_in(session, key_result_id, chosen.label)
            row = CheckIn(key_result_id=key_result_id, week=chosen.label, value=value, confidence=confidence,
                          moved=moved, blocks=blocks, author=who.label, at=now,
                          replaces_id=earlier.id if earlier else None)
            session.add(row)
            session.flush()
            self.accounts.audit(session, who, "okr.check_in", f"key result {key_result_id}", week=chosen.label,
                                value=value, confidence=confidence, replaces=row.replaces_id)
            bump_data_version(session)
            return check_in_view(row, replaced=False, unit=kr.unit)


def _free_text(value: Any, field_name: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise OkrError(_("{field}: at most {n} characters").format(field=_(field_name), n=MAX_TEXT))
    return text


def _finite(value: Any) -> float:
    """A check-in's value as a number; what is not one (text, true/false, infinity) is refused in words."""
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise OkrError(_("the value {value} is not a number").format(value=quoted(str(value)[:40])))
    return number
