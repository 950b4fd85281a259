"""Names people read: KPIs, scopes, shifts, people, periods, counts and gaps, and audit entries in words.

Every page, chart, export and the audit log name things through here, so a KPI key (``scrap_rate``), a line key
(``L2``), a period id (``2026-11-30/N``, ``2026-W48``) or a login never reaches a reader. The ids stay what the
address, the API and the files use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.format import SAFETY_MARKS, format_day
from huddle.dashboard.core.i18n import N_, _, day_text, month_name, ngettext, number, pgettext
from huddle.dashboard.core.periods import PeriodError, parse_period

if TYPE_CHECKING:
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.core.plant import PlantConfig

_PERIOD_FORMS = tuple((grain, re.compile(form)) for grain, form in (
    ("shift", r"\d{4}-\d\d-\d\d/\w+"), ("day", r"\d{4}-\d\d-\d\d"), ("week", r"\d{4}-W\d\d?"),
    ("month", r"\d{4}-\d\d?"), ("quarter", r"\d{4}-Q[1-4]")))
#: words for record types (the loaders' contracts) where their id is not already English
RECORD_TYPES = {"production_counts": N_("production counts"), "stop_events": N_("stops"),
                "quality_events": N_("quality events"), "safety_events": N_("safety events"),
                "kpi_values": N_("KPI values"), "labour": N_("labour hours"),
                "work_orders": N_("work orders")}


# ---- things of the plant -------------------------------------------------------------------------------------


def kpi_name(config: PlantConfig, key: str | None) -> str:
    """A KPI's name from the plant file; a key no longer there reads as words ('scrap_rate' -> 'Scrap rate')."""
    if not key:
        return ""
    kpi = config.kpis.get(key)
    return kpi.name if kpi is not None else key.replace("_", " ").capitalize()


def scope_name(config: PlantConfig, scope: str) -> str:
    """A scope as people say it: the plant's name, an area's name, a line with its area ('Line 2 – Filling')."""
    if scope == "plant":
        return config.site_name
    if scope in config.areas:
        return config.areas[scope].name
    line = config.lines.get(scope)
    if line is None:
        return scope
    area = next((a.name for a in config.areas.values() if scope in a.lines), "")
    return f"{line.name} – {area}" if area and area.lower() not in line.name.lower() else line.name


def place_name(config: PlantConfig, scope: str) -> str:
    """Where something happened, short: a line's own name ('Line 2'), an area's, the plant's."""
    if scope in config.lines:
        return config.lines[scope].name
    if scope in config.areas:
        return config.areas[scope].name
    return config.site_name if scope in ("plant", config.site_key) else scope


def event_label(kind: str, label: str) -> str:
    """An event's reason as people read it: a safety kind in words ('near_miss' -> 'near miss'), else as recorded."""
    if kind == "safety":
        return _(SAFETY_MARKS[label][1]) if label in SAFETY_MARKS else label.replace("_", " ")
    return label


def shift_word(config: PlantConfig, key: str) -> str:
    """A shift's name with 'shift' once: 'Night shift'."""
    try:
        name = config.calendar.shift(key).name
    except KeyError:
        return _("shift {key}").format(key=key)
    return name if name.lower().endswith(_("shift").lower()) else _("{name} shift").format(name=name)


def shift_name(config: PlantConfig, day: date, key: str, reference: date | None = None) -> str:
    """One shift by its production date: 'Night shift, Mon 30 Nov' (the year when not the reference's)."""
    return f"{shift_word(config, key)}, {format_day(day, reference)}"


def shift_window(config: PlantConfig, day: date, key: str) -> str:
    """When a shift runs in plant time, with its real length when the clocks change in it:
    'Sat 24 Oct 22:00 – Sun 25 Oct 06:00 (9 h, clocks went back)'."""
    inst = config.calendar.instance(day, key)
    start, end = inst.start_utc.astimezone(config.tz), inst.end_utc.astimezone(config.tz)
    first = f"{format_day(start.date())} {start:%H:%M}"
    last = f"{end:%H:%M}" if end.date() == start.date() else f"{format_day(end.date())} {end:%H:%M}"
    hours = (inst.end_utc - inst.start_utc).total_seconds() / 3600
    local = (end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds() / 3600
    note = ""
    if hours != local:
        said = _("{hours} h, clocks went back") if hours > local else _("{hours} h, clocks went forward")
        note = " (" + said.format(hours=number(hours, 1).rstrip("0").rstrip(",.")) + ")"
    return f"{first}–{last}{note}"


def person_name(login: str | None, names: Mapping[str, str]) -> str:
    """Whoever a record names, as people know them: a user's display name, else their login read as a name
    ('maria.lopez' -> 'Maria Lopez'); a display screen, the command line and Huddle itself in words."""
    if not login:
        return ""
    if login.startswith("display:"):
        return _("the display {name}").format(name=login.split(":", 1)[1])
    if login in ("cli", "system"):
        return _("the command line") if login == "cli" else _("Huddle itself")
    if names.get(login):
        return names[login]
    return " ".join(part[:1].upper() + part[1:] for part in re.split(r"[._\-]+", login) if part) or login


# ---- periods -----------------------------------------------------------------------------------------------


def period_label(config: PlantConfig | None, period: Period, reference: date | None = None) -> str:
    """A period as a heading or an axis names it: 'Night shift, Mon 30 Nov', 'Mon 30 Nov', 'Week 48', 'Nov 2026',
    'Q4 2026', '2026'; a day's or week's year only when it is not the reference date's."""
    first = period.first
    if period.grain == "shift" and period.shift and config is not None:
        return shift_name(config, first, period.shift, reference)
    if period.grain in ("shift", "day"):
        return format_day(first, reference)
    if period.grain == "week":
        iso_year, week, _weekday = first.isocalendar()
        year = f" {iso_year}" if reference is None or reference.isocalendar()[0] != iso_year else ""
        return _("Week {week}").format(week=week) + year
    if period.grain == "month":
        return day_text(first, pgettext("date pattern", "MMM y"))
    if period.grain == "quarter":
        return _("Q{quarter} {year}").format(quarter=(first.month - 1) // 3 + 1, year=first.year)
    if period.grain == "year":
        return str(first.year)
    return range_words(period.first, period.last)


def period_words(config: PlantConfig, period: Period, reference: date | None = None) -> str:
    """A period in words for sentences: 'the Early shift of Fri 20 Nov', 'week 47', 'November 2026'."""
    if period.grain == "shift" and period.shift:
        return _("the {shift} of {day}").format(shift=shift_word(config, period.shift),
                                                day=format_day(period.first, reference))
    if period.grain == "month":
        return f"{month_name(period.first.month)} {period.first.year}"
    if period.grain == "week":
        return period_label(config, period, reference).lower()
    return period_label(config, period, reference)


def period_id_words(config: PlantConfig | None, text: str, reference: date | None = None) -> str:
    """A period id of any grain ('2026-11-30/N', '2026-W48', '2026-11') in words; text that is not one stays."""
    for grain, form in _PERIOD_FORMS:
        if form.fullmatch(text or ""):
            try:
                return period_label(config, parse_period(grain, text), reference)
            except PeriodError:
                return text
    return text


def week_words(week_id: str) -> str:
    """An ISO week with its days, as a sheet of check-ins names it: 'Week 47, 16–22 Nov', 'KW 49, 30. Nov. – 6. Dez.',
    the year on both ends when the week spans two; text that is no week stays as it is."""
    try:
        period = parse_period("week", week_id)
    except PeriodError:
        return week_id
    first, last = period.first, period.last
    if first.year != last.year:
        days = f"{date_words(first)} – {date_words(last)}"
    elif first.month == last.month:
        day = day_text(first, pgettext("date pattern", "d"))
        days = f"{day}–{date_words(last, last)}"
    else:
        days = f"{date_words(first, first)} – {date_words(last, last)}"
    return _("Week {week}, {days}").format(week=first.isocalendar()[1], days=days)


def range_words(first: date, last: date) -> str:
    """A range of dates: '1 Dec 2025 – 30 Nov 2026', '3–9 Nov 2026'."""
    if first.year == last.year and first.month == last.month:
        return f"{first.day}–{date_words(last)}"
    if first.year == last.year:
        return f"{date_words(first, last)} – {date_words(last)}"
    return f"{date_words(first)} – {date_words(last)}"


def date_words(day: date, reference: date | None = None) -> str:
    """A calendar date: '12 Mar 2025' (no year when it is the reference's year: '12 Mar')."""
    if reference is not None and reference.year == day.year:
        return day_text(day, pgettext("date pattern", "d MMM"))
    return day_text(day, pgettext("date pattern", "d MMM y"))


def due_words(due: date, today: date) -> str:
    """A due date as a deadline reads: 'today', 'tomorrow', 'Fri 4 Dec', '2 days overdue'."""
    days = (due - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days < 0:
        return ngettext("{n} day overdue", "{n} days overdue", -days).format(n=-days)
    return format_day(due, today) if days < 300 else date_words(due)


def record_type_name(kind: str) -> str:
    """A loader record type in words: 'production_counts' -> 'production counts'."""
    return _(RECORD_TYPES[kind]) if kind in RECORD_TYPES else kind.replace("_", " ")


def clean_record(since: date) -> str:
    """A clean safety record in words: 'No recordable since 12 Mar 2025'."""
    return _("No recordable since {day}").format(day=date_words(since))


# ---- the audit log -------------------------------------------------------------------------------------------

AUDIT_ACTIONS = {
    "config.change": N_("plant file changed"), "user.add": N_("user added"), "user.password": N_("password changed"),
    "user.role": N_("role changed"), "user.scope": N_("home scope changed"), "user.disable": N_("user disabled"),
    "user.enable": N_("user enabled"), "login.failed": N_("sign-in refused"), "login": N_("signed in"),
    "logout": N_("signed out"), "session.revoke": N_("sign-in ended"), "display.add": N_("display added"),
    "display.revoke": N_("display revoked"), "quarantine.dismiss": N_("problem dismissed"),
    "quarantine.retry": N_("problem retried"), "action.add": N_("action raised"),
    "action.change": N_("action changed"), "monitor.add": N_("monitor added"), "monitor.revoke": N_("monitor revoked"),
    "kpi_value.set": N_("value typed in"), "okr.objective.add": N_("objective added"),
    "okr.objective.change": N_("objective changed"), "okr.key_result.add": N_("key result added"),
    "okr.key_result.change": N_("key result changed"), "okr.quarter.close": N_("quarter closed"),
    "kpi.baseline.adopt": N_("baseline adopted"), "calendar.import": N_("planned days imported"),
    "calendar.last_recordable": N_("last recordable set"), "okr.check_in": N_("check-in"),
    "loader.run": N_("loader run"), "escalation.raise": N_("escalation raised"),
    "escalation.accept": N_("escalation accepted"), "escalation.answer": N_("escalation answered"),
    "escalation.pass_up": N_("escalation passed up"), "escalation.acknowledge": N_("answer acknowledged"),
    "baseline.sprint.save": N_("baseline line saved"), "baseline.sprint.sign_off": N_("baseline signed off"),
    "baseline.sprint.open": N_("baseline sprint started"),
}
#: detail keys as words; keys that name a KPI, a scope, a person or a period are shown by name
_DETAIL_WORDS = {
    "kpi": N_("KPI"), "sessions_ended": N_("sign-ins ended"), "start_path": N_("start page"),
    "session_id": N_("session"), "kpi_scope": N_("scope"), "due": N_("due"), "what": N_("what"),
    "owner": N_("owner"), "result": N_("what was done"), "role": N_("role"), "address": N_("address"),
    "failures": N_("failures"), "disabled": N_("disabled"), "refused_while_waiting": N_("refused while waiting"),
    "rehashed": N_("password stored anew"), "problems": N_("problems"), "reason": N_("reason"),
    "rows_loaded": N_("rows loaded"), "rows_rejected": N_("rows refused"), "record": N_("record"),
    "scope": N_("scope"), "status": N_("status"), "quarter": N_("quarter"), "title": N_("title"),
    "parent": N_("parent"), "objective": N_("objective"), "kind": N_("kind"), "start": N_("start"),
    "target": N_("target"), "unit": N_("unit"), "weight": N_("weight"), "kpi_window": N_("read over"),
    "value": N_("value"), "source": N_("source"), "week": N_("week"), "confidence": N_("confidence"),
    "replaces": N_("replaces"), "scores": N_("scores"), "entries": N_("entries"), "summary": N_("summary"),
    "moved": N_("what moved"), "blocks": N_("what blocks"), "cause": N_("cause"), "method": N_("method"),
    "whys": N_("whys"), "root": N_("root cause"), "problem": N_("problem"), "countermeasure": N_("countermeasure"),
    "check": N_("check"), "reading": N_("reading"), "sentence": N_("sentence"), "to": N_("to"),
    "answer": N_("answer"), "state": N_("state"), "frequency": N_("frequency"), "no_source": N_("no data source"),
}
#: targets stored as "action 12": the record's kind in words, then its number
_TARGET_KINDS = {"action": N_("action {n}"), "objective": N_("objective {n}"), "key result": N_("key result {n}"),
                 "escalation": N_("escalation {n}")}


def role_word(role: str) -> str:
    """A role as people read it, in the plant's language ('editor')."""
    words = {"viewer": pgettext("role", "viewer"), "operator": pgettext("role", "operator"),
             "editor": pgettext("role", "editor"),
             "admin": pgettext("role", "admin"), "display": pgettext("role", "display"),
             "anonymous": pgettext("role", "anonymous")}
    return words.get(role, role)


def state_word(state: str) -> str:
    """A user's, display's or monitor's state in words: active, disabled, live or revoked."""
    words = {"active": pgettext("state", "active"), "disabled": pgettext("state", "disabled"),
             "live": pgettext("state", "live"), "revoked": pgettext("state", "revoked")}
    return words.get(state, state)


def audit_action(action: str) -> str:
    """An audit entry's action in words ('user.add' -> 'user added')."""
    return _(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action.replace(".", " ").replace("_", " ")


def audit_target(config: PlantConfig | None, action: str, target: str, names: Mapping[str, str]) -> str:
    """What an audit entry acted on, in words: a person by name, a scope, a period, a KPI at a scope."""
    if action.startswith(("user.", "session.")) or action in ("login", "logout", "login.failed"):
        return person_name(target, names)
    if config is None:
        return target
    if action == "calendar.last_recordable":
        return scope_name(config, target)
    if action == "okr.quarter.close":
        return period_id_words(config, target)
    if action == "baseline.sprint.open" and " at " in target:
        tree, scope = target.split(" at ", 1)
        name = config.trees[tree].name if tree in config.trees else tree
        return _("{kpi} at {scope}").format(kpi=name, scope=scope_name(config, scope))
    if action.startswith(("kpi.baseline.", "baseline.sprint.")) and " at " in target:
        kpi, scope = target.split(" at ", 1)
        return _("{kpi} at {scope}").format(kpi=kpi_name(config, kpi), scope=scope_name(config, scope))
    if action == "kpi_value.set":  # "oee L2 2026-11-20 N": KPI, where, production date and shift
        kpi, *rest = target.split()
        where = [scope_name(config, rest[0])] if rest else []
        when = [period_id_words(config, "/".join(rest[1:3]) if len(rest) > 2 else rest[1])] if len(rest) > 1 else []
        return ", ".join([kpi_name(config, kpi), *where, *when])
    kind, _space, number_ = target.rpartition(" ")
    if kind in _TARGET_KINDS and number_.isdigit():
        return _(_TARGET_KINDS[kind]).format(n=number_)
    return _("planned days") if target == "planned days" else target


def _value_words(config: PlantConfig | None, key: str, value: Any, names: Mapping[str, str],
                 words: Mapping[str, str]) -> str:
    if value is None or value == "":
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return str(value)  # a count or a record's number: no grouping
    if isinstance(value, float):
        return number(value, 0 if value == int(value) else 2)
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(config, key, v, names, words) for v in value) or _("none")
    if isinstance(value, dict):
        return "; ".join(f"{_key_words(k)} {_value_words(config, k, v, names, words)}" for k, v in value.items())
    text = str(value)
    if key == "cause" and text.startswith("{"):  # an action's 5-why or A3, stored as JSON
        try:
            return _value_words(config, key, json.loads(text), names, words)
        except ValueError:
            return text
    if config is not None and key == "kpi":
        return kpi_name(config, text)
    if config is not None and key in ("scope", "kpi_scope", "to"):  # an objective's may be the company's
        if text == "company":
            return config.company or _("company")
        return config.site_name if text == config.site_key else scope_name(config, text)
    if key in ("owner", "by", "who", "user"):
        return person_name(text, names)
    if key == "role" or (not key and text in ("viewer", "operator", "editor", "admin")):  # a role: before → after
        return role_word(text)
    if key in ("status", "state", "kind", "kpi_window", "method") and text in words:  # a status, a kind
        return _(words[text])
    if config is not None and key in ("week", "period", "quarter", "due", "day", "month"):
        return period_id_words(config, text)
    return text.replace("_", " ") if re.fullmatch(r"[a-z]+(?:_[a-z]+)+", text) else text  # a kind: stay_below


def _key_words(key: str) -> str:
    return _(_DETAIL_WORDS[key]) if key in _DETAIL_WORDS else key.replace("_", " ")


def _change_words(config: PlantConfig | None, before: Any, after: Any, names: Mapping[str, str],
                  words: Mapping[str, str], unit: str = "") -> list[str]:
    """'target 95 → 96 %' for every field that changed between two dicts; one arrow for two plain values."""
    suffix = f" {unit}" if unit else ""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in after:
            old, new = before.get(key), after[key]
            if old != new:
                field_unit = unit if key in ("target", "value", "baseline") else ""
                out.append(f"{_key_words(key)} {_value_words(config, key, old, names, words)} → "
                           f"{_value_words(config, key, new, names, words)}{' ' + field_unit if field_unit else ''}")
        return out
    if isinstance(after, dict):
        return [f"{_key_words(k)} {_value_words(config, k, v, names, words)}" for k, v in after.items()]
    return [f"{_value_words(config, '', before, names, words)} → {_value_words(config, '', after, names, words)}"
            f"{suffix}"]


def audit_details(config: PlantConfig | None, details: str, names: Mapping[str, str] | None = None,
                  words: Mapping[str, str] | None = None) -> str:
    """An audit entry's details in words: what changed ('target 95 → 96 %'), and the rest as 'field value';
    ``words`` names stored values of a status or a kind (``{"in_progress": N_("in progress")}``)."""
    names, words = names or {}, words or {}
    if not details:
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return str(data)
    unit = ""
    if config is not None and isinstance(data.get("kpi"), str) and data["kpi"] in config.kpis:
        unit = config.kpis[data["kpi"]].unit
    parts = []
    if "before" in data or "after" in data:
        parts.extend(_change_words(config, data.get("before"), data.get("after"), names, words, unit))
    for key, value in data.items():
        if key == "fields" and isinstance(value, dict):  # a key result's fields, each in its own words
            parts.extend(f"{_key_words(k)} {_value_words(config, k, v, names, words)}" for k, v in value.items())
        elif key not in ("before", "after"):
            parts.append(f"{_key_words(key)} {_value_words(config, key, value, names, words)}")
    return "; ".join(parts)
