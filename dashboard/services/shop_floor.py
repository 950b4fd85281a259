"""Shop-floor entry: an operator at the line codes a stop from the plant's reason tree, logs defects, reports a near
miss or a safety observation, and comments an hour of the hour-by-hour board, for the shift in progress.

Plain Python over the database (the ``/entry`` page and the API call it). Each entry is checked here: the caller may
write for the line (an operator for their own line, an editor or admin for the lines their home scope covers), the
reason, defect or kind is the plant's, counts are whole and positive, times lie in the shift in progress and not in
the future, and a stop overlaps no other stop of its line. Entries go to the loaders' own tables with who entered
them and where, the line's shift facts are refreshed in the same transaction (the board shows them at its next
refresh), and each goes to the audit trail. A refusal names what is wrong, in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import person_name, shift_name
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.reason_tree import ReasonBranch, reason_tree
from huddle.dashboard.services.accounts import Accounts, ForbiddenError, Identity
from huddle.data.queries import shop_floor as queries
from sqlalchemy.orm import Session, sessionmaker

#: "started N min ago" presets of the stop form
START_PRESETS = (5, 10, 15, 30, 60)
#: what a person reports about safety: its words and the kind of safety event it is stored as (observations of an
#: unsafe condition or act count as near misses reported: the leading indicator the board shows)
SAFETY_TYPES = {"near_miss": (N_("Near miss"), "near_miss"),
                "unsafe_condition": (N_("Unsafe condition"), "near_miss"),
                "unsafe_act": (N_("Unsafe act"), "near_miss"),
                "first_aid": (N_("First aid"), "first_aid")}
#: stock phrases for an hour's comment (a tap instead of typing)
HOUR_PHRASES = (N_("Waiting for material"), N_("Changeover took longer"), N_("Machine fault"), N_("Short of people"),
                N_("Quality check"), N_("Ran to plan"))
DISPOSITIONS = {"scrap": N_("scrapped"), "rework": N_("reworked")}
MAX_COUNT = 100_000
MAX_TEXT = 500
ORIGIN = "entered on /entry by {name}"  # stored with the record, as a loaded row keeps the file it came from


class EntryError(ValueError):
    """An entry that cannot be stored, with the reason in words and the part of the form it concerns."""

    def __init__(self, message: str, part: str = "") -> None:
        super().__init__(message)
        self.part = part  # stop | start | end | reason | defect | count | safety | hour | text | line


@dataclass(frozen=True)
class HourSlot:
    """An hour of the shift so far, as the board counts them, with its comment."""

    start_utc: datetime
    label: str  # "14:00"
    comment: str = ""


@dataclass(frozen=True)
class OpenStop:
    """A stop entered as still running."""

    id: int
    words: str  # "Filler jam since 14:02"


@dataclass(frozen=True)
class EntrySheet:
    """What the entry page shows for a line and the person at it."""

    line: str
    line_name: str
    shift_words: str  # "Early shift, Fri 20 Nov"; "" when no shift is running
    branches: tuple[ReasonBranch, ...]
    defect_types: tuple[str, ...]
    hours: tuple[HourSlot, ...]
    open_stops: tuple[OpenStop, ...]
    entered: tuple[str, ...]  # this shift's entries for the line, newest first, in words
    lines: tuple[tuple[str, str], ...]  # (key, name) of the lines this person may write for
    why_not: str = ""  # why this person cannot write here ("" when they can)


class ShopFloor:
    """Entries from the shop floor, checked and stored with the facts they change."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock

    # ---- who may write where -------------------------------------------------------------------------------

    def lines_for(self, who: Identity) -> list[str]:
        """The lines this person may enter data for, in plant order."""
        if who.kind != "user" or not who.may("operator") or (who.role == "operator" and who.scope is None):
            return []
        return [line for line in self.config.lines if who.covers(self.config, line)]

    def check(self, who: Identity, line: str) -> None:
        """Raise ``EntryError`` for an unknown line, ``ForbiddenError`` unless this person may write for it."""
        if line not in self.config.lines:
            raise EntryError(_("there is no line '{line}' here").format(line=line), "line")
        if who.kind != "user" or not who.may("operator"):
            raise ForbiddenError(_("entering stops, defects and safety reports needs an operator, an editor or an "
                                   "admin signed in"))
        if line not in self.lines_for(who):
            home = self.config.scope_name(who.scope) if who.scope and who.scope in {
                *self.config.lines, *self.config.areas} else _("no line")
            raise ForbiddenError(_("{name} enters data for {home}, not for {line}").format(
                name=self._name(who), home=home, line=self.config.lines[line].name))

    def _name(self, who: Identity) -> str:
        return person_name(who.name, {who.name: who.display_name})

    def _shift(self, now: datetime) -> ShiftInstance:
        inst = self.config.calendar.current(now)
        if inst is None:
            raise EntryError(_("no shift is running now: entries are for the shift in progress"), "start")
        return inst

    def _local(self, instant: datetime) -> str:
        return instant.astimezone(self.config.tz).strftime("%H:%M")

    # ---- the page's sheet --------------------------------------------------------------------------------

    def sheet(self, who: Identity, line: str) -> EntrySheet:
        """What the entry page shows for a line: the tree, the shift's hours and what was entered so far."""
        lines = tuple((key, self.config.lines[key].name) for key in self.lines_for(who))
        why_not = ""
        try:
            self.check(who, line)
        except (EntryError, ForbiddenError) as exc:
            why_not = str(exc)
        if line not in self.config.lines:
            line = lines[0][0] if lines else next(iter(self.config.lines))
        now = self.clock()
        inst = self.config.calendar.current(now)
        hours: tuple[HourSlot, ...] = ()
        open_stops: tuple[OpenStop, ...] = ()
        entered: tuple[str, ...] = ()
        if inst is not None:
            with self.sessions() as session:
                comments = {c.hour_utc: c.text for c in queries.hour_comments(session, (line,), inst.start_utc,
                                                                               inst.end_utc)}
                hours = tuple(HourSlot(t, self._local(t), comments.get(t, "")) for t in self.hour_starts(inst, now))
                open_stops = tuple(OpenStop(s.id, _("{reason} since {time}").format(
                    reason=s.reason, time=self._local(s.start_utc))) for s in queries.ongoing_stops(session, line))
                entered = self._entered(session, line, inst)
        today = now.astimezone(self.config.tz).date()
        words = shift_name(self.config, inst.production_date, inst.shift_key, today) if inst else ""
        return EntrySheet(line, self.config.lines[line].name, words,
                          reason_tree(self.config.stop_reasons, self.config.stop_groups),
                          self.config.defect_types, hours, open_stops, entered, lines, why_not)

    @staticmethod
    def hour_starts(inst: ShiftInstance, now: datetime) -> list[datetime]:
        """The starts of the shift's hours (counted from its start, as the board's hour by hour) begun by now."""
        out, t = [], inst.start_utc
        while t < inst.end_utc and t <= now:
            out.append(t)
            t += timedelta(hours=1)
        return out

    def _entered(self, session: Session, line: str, inst: ShiftInstance) -> tuple[str, ...]:
        """This shift's entries for the line, newest first: what, when, by whom."""
        people = self.accounts.people()
        rows: list[tuple[datetime, str]] = []
        for r in queries.entered_between(session, line, inst.start_utc, inst.end_utc):
            by = person_name(r.entered_by, people)
            if hasattr(r, "reason"):
                end = _("still stopped") if r.ongoing else self._local(r.end_utc)
                rows.append((r.start_utc, _("Stop {start}–{end}: {reason} ({by})").format(
                    start=self._local(r.start_utc), end=end, reason=r.reason, by=by)))
            elif hasattr(r, "defect"):
                rows.append((r.at_utc, _("{time}: {count} × {defect}, {disposition} ({by})").format(
                    time=self._local(r.at_utc), count=r.quantity, defect=r.defect,
                    disposition=_(DISPOSITIONS.get(r.disposition, r.disposition)), by=by)))
            else:
                rows.append((r.at_utc, _("{time}: {report} ({by})").format(
                    time=self._local(r.at_utc), report=r.description or r.kind, by=by)))
        return tuple(words for _at, words in sorted(rows, key=lambda row: row[0], reverse=True))

    # ---- stops -------------------------------------------------------------------------------------------

    def stop_times(self, started_min_ago: object, lasted_min: object = None,
                   still: bool = False) -> tuple[datetime, datetime | None]:
        """A stop's start and end from the form's minutes: started N minutes ago, lasted M minutes (None: until
        now), or still stopped (end None)."""
        ago = _whole(started_min_ago, _("started how many minutes ago"), "start")
        now = self.clock().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=ago)
        if still:
            return start, None
        if lasted_min is None:
            return start, now
        lasted = _whole(lasted_min, _("how many minutes it lasted"), "end")
        if lasted < 1:
            raise EntryError(_("a stop lasts at least one minute"), "end")
        return start, start + timedelta(minutes=lasted)

    def record_stop(self, who: Identity, line: str, reason: str, start_utc: datetime,
                    end_utc: datetime | None) -> str:
        """Store a stop of a line from ``start`` to ``end`` (None: still stopped); its confirmation in words."""
        self.check(who, line)
        reason = (reason or "").strip()
        if not reason:
            raise EntryError(_("pick the reason of the stop"), "reason")
        if self.config.stop_reasons and reason not in self.config.stop_reasons:
            raise EntryError(_("'{reason}' is not one of the plant's stop reasons").format(reason=reason), "reason")
        now = self.clock()
        inst = self._shift(now)
        start_utc = _aware(start_utc)
        end = now if end_utc is None else _aware(end_utc)
        shift_start = self._local(inst.start_utc)
        if start_utc < inst.start_utc:
            raise EntryError(_("the stop would start at {time}, before this shift began at {start}").format(
                time=self._local(start_utc), start=shift_start), "start")
        if start_utc >= now:
            raise EntryError(_("the stop would start at {time}, which has not come yet").format(
                time=self._local(start_utc)), "start")
        if end > now:
            raise EntryError(_("the stop would end at {time}, which has not come yet: tap 'still stopped' "
                               "instead").format(time=self._local(end)), "end")
        if end <= start_utc:
            raise EntryError(_("a stop ends after it starts"), "end")
        name = self.config.lines[line].name
        with self.sessions.begin() as session:
            queries.hold_line(session, line)
            for other in queries.stops_against(session, line, start_utc, end):
                if other.ongoing:
                    raise EntryError(_("{line} is still stopped since {time} ({reason}): end that stop first")
                                     .format(line=name, time=self._local(other.start_utc), reason=other.reason),
                                     "start")
                raise EntryError(_("{line} was already stopped from {start} to {end} ({reason}): a stop cannot "
                                   "overlap another").format(line=name, start=self._local(other.start_utc),
                                                             end=self._local(other.end_utc), reason=other.reason),
                                 "start")
            queries.add_stop(session, {
                "line": line, "start_utc": start_utc, "end_utc": end, "reason": reason,
                "category": self.config.stop_reasons.get(reason, "unplanned"),
                "equipment": self.config.stop_groups.get(reason, ""), "entered_by": who.name,
                "origin": ORIGIN.format(name=self._name(who)), "ongoing": True if end_utc is None else None})
            queries.refresh(session, self.config, "production", line, "", start_utc, end, now)
            self.accounts.audit(session, who, "entry.stop", line, reason=reason,
                                minutes=round((end - start_utc).total_seconds() / 60),
                                **({"still_stopped": True} if end_utc is None else {}))
        if end_utc is None:
            return _("{line} stopped since {time}: {reason}. Tap 'runs again' when it does.").format(
                line=name, time=self._local(start_utc), reason=reason)
        return _("Stop stored: {reason}, {start}–{end} on {line}").format(
            reason=reason, start=self._local(start_utc), end=self._local(end), line=name)

    def end_stop(self, who: Identity, line: str, stop_id: int) -> str:
        """End a stop entered as still running, now; its confirmation in words."""
        self.check(who, line)
        now = self.clock()
        with self.sessions.begin() as session:
            queries.hold_line(session, line)
            event = queries.stop(session, stop_id)
            if event is None or event.line != line or not event.ongoing:
                raise EntryError(_("that stop is no longer running: reload the page"), "stop")
            event.end_utc, event.ongoing = max(now, event.start_utc + timedelta(minutes=1)), None
            session.flush()  # the facts are read from the table, as it now is
            queries.refresh(session, self.config, "production", line, "", event.start_utc, event.end_utc, now)
            minutes = round((event.end_utc - event.start_utc).total_seconds() / 60)
            self.accounts.audit(session, who, "entry.stop_end", line, reason=event.reason, minutes=minutes)
            return _("{line} runs again: {reason} lasted {minutes} min").format(
                line=self.config.lines[line].name, reason=event.reason, minutes=minutes)

    # ---- defects, safety, hour comments -------------------------------------------------------------------

    def record_defects(self, who: Identity, line: str, defect: str, count: object,
                       disposition: str = "scrap") -> str:
        """Store defective units of a type found now; the confirmation in words."""
        self.check(who, line)
        defect = (defect or "").strip()
        if not defect:
            raise EntryError(_("pick the type of defect"), "defect")
        if self.config.defect_types and defect not in self.config.defect_types:
            raise EntryError(_("'{defect}' is not one of the plant's defect types").format(defect=defect), "defect")
        quantity = _whole(count, _("the count"), "count")
        if quantity < 1:
            raise EntryError(_("nothing to log: the count is at least 1"), "count")
        if quantity > MAX_COUNT:
            raise EntryError(_("{count} is more units than a shift makes: check the count").format(count=quantity),
                             "count")
        if disposition not in DISPOSITIONS:
            raise EntryError(_("defective units are scrapped or reworked"), "defect")
        now = self.clock()
        self._shift(now)
        with self.sessions.begin() as session:
            queries.add_defects(session, {"line": line, "at_utc": now, "defect": defect, "quantity": quantity,
                                          "disposition": disposition, "entered_by": who.name,
                                          "origin": ORIGIN.format(name=self._name(who))})
            queries.refresh(session, self.config, "quality", line, "", now, now, now)
            self.accounts.audit(session, who, "entry.defects", line, defect=defect, count=quantity,
                                disposition=disposition)
        return _("Logged {count} × {defect}, {disposition}, on {line}").format(
            count=quantity, defect=defect, disposition=_(DISPOSITIONS[disposition]),
            line=self.config.lines[line].name)

    def report_safety(self, who: Identity, line: str, kind: str, text: str = "") -> str:
        """Store a near miss, an observation or a first aid case at the line, now; the confirmation in words."""
        self.check(who, line)
        if kind not in SAFETY_TYPES:
            raise EntryError(_("pick what happened: a near miss, an unsafe condition or act, or first aid"),
                             "safety")
        text = (text or "").strip()
        if len(text) > MAX_TEXT:
            raise EntryError(_("say it in at most {n} characters").format(n=MAX_TEXT), "text")
        words, stored_as = SAFETY_TYPES[kind]
        description = f"{_(words)}: {text}" if text else _(words)
        now = self.clock()
        self._shift(now)
        area = self.config.area_of(line)
        with self.sessions.begin() as session:
            if not queries.add_safety(session, {"at_utc": now, "location": line, "line": line, "area": area,
                                                "kind": stored_as, "description": description,
                                                "entered_by": who.name,
                                                "origin": ORIGIN.format(name=self._name(who))}):
                raise EntryError(_("a report like this was stored this very second: send it again"), "safety")
            queries.refresh(session, self.config, "safety", line, area, now, now, now)
            self.accounts.audit(session, who, "entry.safety", line, kind=kind)
        return _("Reported: {what} on {line}. Thank you.").format(what=_(words), line=self.config.lines[line].name)

    def comment_hour(self, who: Identity, line: str, hour_utc: datetime, text: str) -> str:
        """Comment an hour of the shift in progress on the line's hour-by-hour board; the confirmation in words."""
        self.check(who, line)
        text = (text or "").strip()
        if not text:
            raise EntryError(_("pick a phrase or type what happened in that hour"), "text")
        if len(text) > MAX_TEXT:
            raise EntryError(_("say it in at most {n} characters").format(n=MAX_TEXT), "text")
        now = self.clock()
        inst = self._shift(now)
        hour_utc = _aware(hour_utc)
        if hour_utc not in self.hour_starts(inst, now):
            raise EntryError(_("pick an hour of this shift that has begun"), "hour")
        with self.sessions.begin() as session:
            queries.put_hour_comment(session, {"line": line, "hour_utc": hour_utc, "text": text,
                                               "entered_by": who.name, "origin": ORIGIN.format(name=self._name(who)),
                                               "entered_at": now})
            queries.changed(session)  # a comment feeds no measure: the board only needs to redraw
            self.accounts.audit(session, who, "entry.hour", line, hour=self._local(hour_utc))
        return _("The {hour} hour of {line} now says: {text}").format(
            hour=self._local(hour_utc), line=self.config.lines[line].name, text=text)


def _whole(value: object, what: str, part: str) -> int:
    """A whole number of the form, or an ``EntryError`` naming it."""
    if isinstance(value, bool):
        raise EntryError(_("{what} is a whole number").format(what=what), part)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise EntryError(_("{what} is a whole number").format(what=what), part) from None
    if not number.is_integer():
        raise EntryError(_("{what} is a whole number").format(what=what), part)
    if number < 0:
        raise EntryError(_("{what} cannot be negative").format(what=what), part)
    return int(number)


def _aware(instant: datetime) -> datetime:
    """An instant given without a zone is refused: it has no meaning here."""
    if instant.tzinfo is None:
        raise EntryError(_("a time without its time zone cannot be placed"), "start")
    return instant
