"""A quarter's OKRs written down as data: a YAML file for ``huddle okr import`` or the JSON body of
``POST /api/v1/okr``. Both have the same shape::

    quarter: 2027-Q1
    objectives:
      - title: Ship every order on the day promised
        scope: plant                # company, plant, an area key or a line key
        owner: Dana Whitfield
        parent: ...                 # optional: the title of an objective above it (in the file or the quarter)
        key_results:
          - {title: Plant OEE, kind: increase, start: 62, target: 70, owner: Dana Whitfield, kpi: oee}
          - {title: New packer commissioned, kind: milestone, owner: Luis Ortega}

This module reads the shape and the types, and names every problem with its place (objective 2 ("…"), key result
1 ("…"): target: …); a maintain key result (target equal to start) is stored with a warning (``plan_warnings``),
not refused; the rules that need the plant and the stored quarter (scopes, levels, how many, a bound KPI
that can carry the key result) are the planning service's, the same as the OKR page's form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huddle.dashboard.core.okr_scoring import KINDS, maintain_warning

OBJECTIVE_FIELDS = ("title", "scope", "owner", "parent", "key_results")
KEY_RESULT_FIELDS = ("title", "kind", "start", "target", "unit", "weight", "owner", "kpi", "kpi_scope", "kpi_window")
NEEDS_START = ("increase", "decrease")


@dataclass(frozen=True)
class KeyResultEntry:
    """One key result as written, its types checked."""

    where: str
    title: str
    kind: str
    start: float | None
    target: float | None
    unit: str = ""
    weight: float = 1.0
    owner: str = ""
    kpi: str = ""
    kpi_scope: str = ""
    kpi_window: str = "quarter"


@dataclass(frozen=True)
class ObjectiveEntry:
    """One objective as written, with its key results."""

    where: str
    title: str
    scope: str
    owner: str
    parent: str = ""
    key_results: tuple[KeyResultEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OkrPlan:
    """A quarter's objectives as a file or a request gives them."""

    quarter: str
    objectives: tuple[ObjectiveEntry, ...]


def _place(kind: str, n: int, raw: Any) -> str:
    title = raw.get("title") if isinstance(raw, dict) else None
    return f"{kind} {n}" + (f' ("{str(title)[:60]}")' if isinstance(title, str) and title.strip() else "")


def _text(raw: dict[str, Any], key: str, where: str, problems: list[str], required: bool = True) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{where}: {key}: missing; say it in a few words")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.append(f"{where}: {key}: expected text, not a {type(value).__name__}")
        return ""
    return str(value).strip()


def _number(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(f"{where}: {key}: expected a number, not {value!r}")
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append(f"{where}: {key}: expected a number like 70 or 12.5, not {value!r}")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        problems.append(f"{where}: {key}: expected a number, not {value!r}")
        return None
    return number


def _unknown(raw: dict[str, Any], known: tuple[str, ...], where: str, problems: list[str]) -> None:
    for key in raw:
        if key not in known:
            problems.append(f"{where}: {key!s}: not a field here (fields: {', '.join(known)})")


def _key_result(raw: Any, where: str, problems: list[str]) -> KeyResultEntry | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected the key result's fields (title, kind, target, …)")
        return None
    before = len(problems)
    _unknown(raw, KEY_RESULT_FIELDS, where, problems)
    title, owner = _text(raw, "title", where, problems), _text(raw, "owner", where, problems)
    kind = _text(raw, "kind", where, problems)
    if kind and kind not in KINDS:
        problems.append(f"{where}: kind: {kind!r} is not one of {', '.join(KINDS)}")
    start, target = _number(raw, "start", where, problems), _number(raw, "target", where, problems)
    if kind in NEEDS_START and start is None and "start" not in raw:
        article = "an" if kind == "increase" else "a"
        problems.append(f"{where}: start: missing; {article} {kind} key result starts from a value")
    if target is None and kind != "milestone" and "target" not in raw:
        problems.append(f"{where}: target: missing")
    weight = _number(raw, "weight", where, problems)
    if weight is not None and weight <= 0:
        problems.append(f"{where}: weight: must be above 0")
    window = _text(raw, "kpi_window", where, problems, required=False) or "quarter"
    if window not in ("quarter", "month", "week"):
        problems.append(f"{where}: kpi_window: quarter (quarter to date), month (this month to date) or week "
                        f"(latest full week), not {window!r}")
    if len(problems) > before:
        return None
    return KeyResultEntry(where, title, kind, start, 1.0 if kind == "milestone" else target,
                          _text(raw, "unit", where, problems, required=False), 1.0 if weight is None else weight,
                          owner, _text(raw, "kpi", where, problems, required=False),
                          _text(raw, "kpi_scope", where, problems, required=False), window)


def _objective(raw: Any, where: str, problems: list[str]) -> ObjectiveEntry | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected the objective's fields (title, scope, owner, key_results)")
        return None
    before = len(problems)
    _unknown(raw, OBJECTIVE_FIELDS, where, problems)
    title, scope = _text(raw, "title", where, problems), _text(raw, "scope", where, problems)
    owner, parent = _text(raw, "owner", where, problems), _text(raw, "parent", where, problems, required=False)
    listed = raw.get("key_results") or []
    if not isinstance(listed, list):
        problems.append(f"{where}: key_results: expected a list of key results")
        listed = []
    results = [_key_result(k, f"{where}, {_place('key result', j, k)}", problems)
               for j, k in enumerate(listed, start=1)]
    if len(problems) > before:
        return None
    return ObjectiveEntry(where, title, scope, owner, parent, tuple(k for k in results if k is not None))


def read_okr_plan(document: Any, whole: str = "the file") -> tuple[OkrPlan | None, list[str]]:
    """The plan a file or request body gives, or None and every problem found, each with its place (``whole``
    names the document itself: the file, the request)."""
    if not isinstance(document, dict):
        return None, [f"{whole}: expected a quarter and its objectives (quarter: 2027-Q1, objectives: [...])"]
    problems: list[str] = []
    _unknown(document, ("quarter", "objectives"), whole, problems)
    quarter = _text(document, "quarter", whole, problems)
    listed = document.get("objectives")
    if not isinstance(listed, list) or not listed:
        problems.append(f"{whole}: objectives: expected a list of one objective or more")
        listed = []
    objectives = [_objective(o, _place("objective", i, o), problems) for i, o in enumerate(listed, start=1)]
    if problems:
        return None, problems
    return OkrPlan(quarter, tuple(o for o in objectives if o is not None)), []


def plan_warnings(plan: OkrPlan) -> list[str]:
    """What a readable plan is warned about but stored with, each with its place: every maintain key result (its
    target equals its start), which is scored holding or slipping rather than by progress."""
    warnings = []
    for o in plan.objectives:
        for k in o.key_results:
            said = maintain_warning(k.kind, k.start, k.target, k.unit) if k.target is not None else None
            if said:
                warnings.append(f"{k.where}: target: {said}")
    return warnings
