"""OKR scoring: a key result's progress, the progress expected by a date in the quarter, its status, confidence
bands, an objective's roll-up (weakest status, weighted progress), the score at the quarter's close, and the
disagreements a weekly meeting should talk about. Plain Python: pages, the API and exports all score through here.

Progress follows DOMAIN.md: (current − start) / (target − start), for key results that increase or decrease alike,
shown above 100 % when exceeded. A threshold key result ("stay above 95 %") is held or not; a milestone is done or
not.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from huddle.dashboard.core.i18n import N_, _

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


# the words shown for a status and a confidence band, translated where shown (``_(STATUS_WORDS[status])``)
STATUS_WORDS = {KrStatus.ON_TRACK: N_("on track"), KrStatus.NEEDS_ATTENTION: N_("needs attention"),
                KrStatus.OFF_TRACK: N_("off track"), KrStatus.NO_DATA: N_("no data")}
BAND_WORDS = {"on track": N_("on track"), "has issues": N_("has issues"), "at risk": N_("at risk")}


_ORDER = [KrStatus.OFF_TRACK, KrStatus.NEEDS_ATTENTION, KrStatus.NO_DATA, KrStatus.ON_TRACK]


def check_key_result(kind: str, start: float | None, target: float) -> None:
    """Refuse a key result whose progress cannot be measured (unknown kind, target equal to start, a direction
    the target contradicts)."""
    if kind not in KINDS:
        raise OkrError(_("unknown kind {kind}: use one of {kinds}").format(kind=repr(kind), kinds=", ".join(KINDS)),
                       "kind")
    if kind in ("increase", "decrease"):
        if start is None:
            raise OkrError(_("an increase or decrease key result needs a start value"), "start")
        if target == start:
            raise OkrError(_("the target equals the start: there is nothing to measure progress against"))
        if kind == "increase" and target < start:
            raise OkrError(_("'increase to {target}' starts at {start}, above it: use 'decrease to'").format(
                target=f"{target:g}", start=f"{start:g}"))
        if kind == "decrease" and target > start:
            raise OkrError(_("'decrease to {target}' starts at {start}, below it: use 'increase to'").format(
                target=f"{target:g}", start=f"{start:g}"))


def progress(kind: str, start: float | None, target: float, current: float | None) -> float | None:
    """Progress as a fraction (1.0 = target reached; above 1.0 when exceeded); None without a current value."""
    check_key_result(kind, start, target)
    if current is None:
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
    """The key result reached its target with this value (progress 100 % or more; a threshold held, a milestone
    done); never without a value."""
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
    return min((r.status for r in results), key=_ORDER.index)


def close_score(value: float | None) -> float:
    """The score of a key result when its quarter closes: progress clamped to 0–1 (no data scores 0)."""
    if value is None:
        return 0.0
    return min(1.0, max(0.0, value))


def disagreement(confidences: Sequence[int], kr_status: KrStatus) -> str | None:
    """What a weekly meeting should ask about when confidence and progress disagree, or None."""
    if not confidences:
        return None
    latest = confidences[-1]
    if latest >= HIGH_CONFIDENCE and kr_status is KrStatus.OFF_TRACK:
        return _("confidence {latest}/10 but off track: what makes the owner confident?").format(latest=latest)
    if len(confidences) > 1 and confidences[-2] - latest >= CONFIDENCE_DROP and kr_status is KrStatus.ON_TRACK:
        return _("on track but confidence fell from {before} to {latest}: what is coming?").format(
            before=confidences[-2], latest=latest)
    return None
