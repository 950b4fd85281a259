"""OKR scoring: a key result's progress, the progress expected by a date in the quarter, its status, confidence
bands, an objective's roll-up (weakest status, weighted progress), the score at the quarter's close, and the
disagreements a weekly meeting should talk about. Plain Python: pages, the API and exports all score through here.

Progress follows DOMAIN.md: (current − start) / (target − start), for key results that increase or decrease alike,
shown above 100 % when exceeded. A threshold key result ("stay above 95 %") is held or not; a milestone is done or
not.

A maintain key result (an increase or decrease whose target equals its start) keeps a level rather than moving one:
it has no progress (nothing to divide by) and is warned about when planned, not refused. It is **holding** while its
current value is on the right side of the target for its direction (at or above it for an increase, at or below it
for a decrease) and **slipping** otherwise; in an objective's roll-up holding counts as on track and slipping as off
track, and at the quarter's close holding scores 1 and slipping 0.

A key result bound to a KPI also reads each month of the quarter so far (``MonthMark``): a quarter to date can be
green while its last month was red, and ``hidden_red_months`` names the months it hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from huddle.dashboard.core.format import format_value, status_label
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import period_id_words

KINDS = ("increase", "decrease", "stay_above", "stay_below", "milestone")
ON_TRACK_SHARE = 0.9  # progress at 90 % of what the date expects or more is on track
ATTENTION_SHARE = 0.7  # from 70 % it needs attention; below, it is off track
HIGH_CONFIDENCE = 7  # 7–10: on track in the owner's view
LOW_CONFIDENCE = 3  # 0–3: at risk
CONFIDENCE_DROP = 2  # a fall of this much since the last check-in is worth a question


class OkrError(ValueError):
    """A key result that cannot be scored as given, with the reason; ``field`` names the field refused, when one
    is (the OKR file import says which field of which entry, whatever language the reason is in)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class KrStatus(StrEnum):
    """Where a key result stands against the straight path from start to target."""

    ON_TRACK = "on track"
    NEEDS_ATTENTION = "needs attention"
    OFF_TRACK = "off track"
    NO_DATA = "no data"
    HOLDING = "holding"  # a maintain key result at its level or beyond it
    SLIPPING = "slipping"  # a maintain key result fallen back from its level


# the words shown for a status and a confidence band, translated where shown (``_(STATUS_WORDS[status])``)
STATUS_WORDS = {KrStatus.ON_TRACK: N_("on track"), KrStatus.NEEDS_ATTENTION: N_("needs attention"),
                KrStatus.OFF_TRACK: N_("off track"), KrStatus.NO_DATA: N_("no data"),
                KrStatus.HOLDING: N_("holding"), KrStatus.SLIPPING: N_("slipping")}
BAND_WORDS = {"on track": N_("on track"), "has issues": N_("has issues"), "at risk": N_("at risk")}


_ORDER = [KrStatus.OFF_TRACK, KrStatus.NEEDS_ATTENTION, KrStatus.NO_DATA, KrStatus.ON_TRACK]
# how a maintain key result's status counts where progress statuses are compared (an objective, a disagreement)
_AS_PROGRESS = {KrStatus.HOLDING: KrStatus.ON_TRACK, KrStatus.SLIPPING: KrStatus.OFF_TRACK}


def is_maintain(kind: str, start: float | None, target: float) -> bool:
    """An increase or decrease whose target equals its start: it keeps a level rather than moving one."""
    return kind in ("increase", "decrease") and start is not None and start == target


def maintain_warning(kind: str, start: float | None, target: float, unit: str = "") -> str | None:
    """What planning a maintain key result is warned (not refused) with, in words; None for any other."""
    if not is_maintain(kind, start, target):
        return None
    level = format_value(target, unit)
    held = (_("at or above {level}") if kind == "increase" else _("at or below {level}")).format(level=level)
    return _("the target equals the start: this key result keeps {level} rather than moving it, so it is scored "
             "holding (while {held}) or slipping, not by progress; keeping a level is the KPI's job on the board, "
             "an OKR's is to move one").format(level=level, held=held)


def check_key_result(kind: str, start: float | None, target: float) -> None:
    """Refuse a key result that cannot be scored (unknown kind, no start, a direction the target contradicts); a
    target equal to the start is a maintain key result, warned about by ``maintain_warning``."""
    if kind not in KINDS:
        raise OkrError(_("unknown kind {kind}: use one of {kinds}").format(kind=repr(kind), kinds=", ".join(KINDS)),
                       "kind")
    if kind in ("increase", "decrease"):
        if start is None:
            raise OkrError(_("an increase or decrease key result needs a start value"), "start")
        if kind == "increase" and target < start:
            raise OkrError(_("'increase to {target}' starts at {start}, above it: use 'decrease to'").format(
                target=f"{target:g}", start=f"{start:g}"))
        if kind == "decrease" and target > start:
            raise OkrError(_("'decrease to {target}' starts at {start}, below it: use 'increase to'").format(
                target=f"{target:g}", start=f"{start:g}"))


def progress(kind: str, start: float | None, target: float, current: float | None) -> float | None:
    """Progress as a fraction (1.0 = target reached; above 1.0 when exceeded); None without a current value, and
    for a maintain key result, which holds a level or slips from it instead."""
    check_key_result(kind, start, target)
    if current is None or is_maintain(kind, start, target):
        return None
    if kind == "stay_above":
        return 1.0 if current >= target else 0.0
    if kind == "stay_below":
        return 1.0 if current <= target else 0.0
    if kind == "milestone":
        return 1.0 if current >= 1 else 0.0
    assert start is not None  # checked above
    return (current - start) / (target - start)


def achieved(kind: str, start: float | None, target: float, value: float | None) -> bool:
    """The key result reached its target with this value (progress 100 % or more; a threshold or a maintained
    level held, a milestone done); never without a value."""
    if is_maintain(kind, start, target):
        return holding(kind, target, value) is KrStatus.HOLDING
    reached = progress(kind, start, target, value)
    return reached is not None and reached >= 1.0


def expected_progress(quarter_first: date, quarter_last: date, on: date,
                      off: AbstractSet[date] = frozenset()) -> float:
    """The share of the quarter elapsed by the end of ``on`` (0 before it starts, 1 after it ends); days the plant
    planned not to run (``off``: holidays, shutdowns) count neither in the quarter nor as elapsed."""
    skipped = [d for d in off if quarter_first <= d <= quarter_last]
    days = (quarter_last - quarter_first).days + 1 - len(skipped)
    elapsed = (on - quarter_first).days + 1 - sum(1 for d in skipped if d <= on)
    if days <= 0:  # the whole quarter planned off
        return 1.0 if on >= quarter_last else 0.0
    return min(1.0, max(0.0, elapsed / days))


def status(kind: str, value: float | None, expected: float) -> KrStatus:
    """On track, needs attention or off track: progress against what the date in the quarter expects. A
    threshold is on track while held and off track when not; a milestone needs attention until done once most
    of the quarter has passed."""
    if value is None:
        return KrStatus.NO_DATA
    if kind in ("stay_above", "stay_below"):
        return KrStatus.ON_TRACK if value >= 1 else KrStatus.OFF_TRACK
    if kind == "milestone":
        if value >= 1:
            return KrStatus.ON_TRACK
        return KrStatus.NEEDS_ATTENTION if expected >= 0.75 else KrStatus.ON_TRACK
    if value >= expected * ON_TRACK_SHARE:
        return KrStatus.ON_TRACK
    if value >= expected * ATTENTION_SHARE:
        return KrStatus.NEEDS_ATTENTION
    return KrStatus.OFF_TRACK


def holding(kind: str, target: float, current: float | None) -> KrStatus:
    """A maintain key result: holding while at its level or on the better side of it for its direction (at or
    above for an increase, at or below for a decrease), slipping otherwise; no data without a value."""
    if current is None:
        return KrStatus.NO_DATA
    held = current >= target if kind == "increase" else current <= target
    return KrStatus.HOLDING if held else KrStatus.SLIPPING


def score(kind: str, start: float | None, target: float, current: float | None,
          expected: float) -> tuple[float | None, KrStatus]:
    """A key result's progress and status on a day: a maintain key result holds or slips (no progress), any other
    is scored by progress against what the date expects."""
    if is_maintain(kind, start, target):
        check_key_result(kind, start, target)
        return None, holding(kind, target, current)
    reached = progress(kind, start, target, current)
    return reached, status(kind, reached, expected)


def confidence_band(confidence: int) -> str:
    """DOMAIN.md's reading of a 0–10 confidence: at risk, has issues, on track."""
    if not 0 <= confidence <= 10:
        raise OkrError(_("confidence {confidence} is outside 0–10").format(confidence=confidence))
    if confidence <= LOW_CONFIDENCE:
        return "at risk"
    return "on track" if confidence >= HIGH_CONFIDENCE else "has issues"


@dataclass(frozen=True)
class ScoredKeyResult:
    """A key result's progress and status, with its weight in the objective."""

    key: str
    progress: float | None
    status: KrStatus
    weight: float = 1.0


def objective_progress(results: Sequence[ScoredKeyResult]) -> float | None:
    """The weighted mean of the key results' progress (those without a value left out)."""
    scored = [(r.progress, r.weight) for r in results if r.progress is not None and r.weight > 0]
    total = sum(w for _, w in scored)
    if not total:
        return None
    return sum(p * w for p, w in scored) / total  # type: ignore[operator]


def objective_status(results: Sequence[ScoredKeyResult]) -> KrStatus:
    """An objective stands where its weakest key result stands."""
    if not results:
        return KrStatus.NO_DATA
    return min((_AS_PROGRESS.get(r.status, r.status) for r in results), key=_ORDER.index)


def close_score(value: float | None) -> float:
    """The score of a key result when its quarter closes: progress clamped to 0–1 (no data scores 0)."""
    if value is None:
        return 0.0
    return min(1.0, max(0.0, value))


def closing_score(kind: str, start: float | None, target: float, value: float | None) -> float:
    """A key result's score at its quarter's close from the value it ended at: a maintained level held scores 1
    and slipped 0; any other scores its progress clamped to 0–1."""
    if is_maintain(kind, start, target):
        return 1.0 if holding(kind, target, value) is KrStatus.HOLDING else 0.0
    return close_score(progress(kind, start, target, value))


def disagreement(confidences: Sequence[int], kr_status: KrStatus) -> str | None:
    """What a weekly meeting should ask about when confidence and progress disagree, or None."""
    if not confidences:
        return None
    latest = confidences[-1]
    kr_status = _AS_PROGRESS.get(kr_status, kr_status)
    if latest >= HIGH_CONFIDENCE and kr_status is KrStatus.OFF_TRACK:
        return _("confidence {latest}/10 but off track: what makes the owner confident?").format(latest=latest)
    if len(confidences) > 1 and confidences[-2] - latest >= CONFIDENCE_DROP and kr_status is KrStatus.ON_TRACK:
        return _("on track but confidence fell from {before} to {latest}: what is coming?").format(
            before=confidences[-2], latest=latest)
    return None


@dataclass(frozen=True)
class MonthMark:
    """One month of a bound key result's quarter as the KPI engine reads it: its value and the KPI's own status
    that month (green, red, incomplete, …), the month still running or not."""

    month: str  # the month's period label (2026-11)
    value: float | None
    status: str
    running: bool = False


def hidden_red_months(quarter_status: str, months: Sequence[MonthMark]) -> list[MonthMark]:
    """The red months a quarter to date that is not red itself hides: of the latest complete month and the month
    running, those whose own reading is red (only red: incomplete, stale or unchecked data is never called red)."""
    if quarter_status == "red":
        return []
    complete = [m for m in months if not m.running]
    shown = ([complete[-1]] if complete else []) + [m for m in months if m.running]
    return [m for m in shown if m.status == "red"]


def month_words(mark: MonthMark, unit: str = "") -> str:
    """A month of a bound key result in words, its status in icon and word: 'Nov 2026: 3.4 % ✗ off target'."""
    said = _("{month} (to date): {value} {status}") if mark.running else _("{month}: {value} {status}")
    return said.format(month=period_id_words(None, mark.month), value=format_value(mark.value, unit),
                       status=status_label(mark.status))
