"""One parameter of an address at a time: the checks pages and the API share (a scope the plant has, one of its
shifts, a period within the dates Huddle can show, the KPI stack's layers), and ``AddressError``, which names the
parameter that cannot be shown and says why in the page's words. ``address`` builds the pages' addresses from these;
the API reads its query through them (``api_query``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.periods import Period, PeriodError, PeriodRangeError, parse_asked_period
from huddle.dashboard.services.okrs import COMPANY

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig


class AddressError(ValueError):
    """A parameter of a page's or the API's address that cannot be shown: which parameter, and why."""

    def __init__(self, parameter: str, message: str, *, outside: bool = False) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.outside = outside  # a date outside what Huddle can show (rather than one that is not a date)

    def named(self) -> str:
        """The message with its parameter's name in front (unless it already begins with it): the API's answer."""
        return self.message if self.message.startswith(f"{self.parameter} ") else f"{self.parameter}: {self.message}"

    def reworded(self, message: str) -> AddressError:
        """The same problem in a page's own words."""
        return AddressError(self.parameter, message, outside=self.outside)


def check_scope(config: PlantConfig, scope: str, parameter: str = "scope") -> str:
    """``scope`` when the plant has it: the plant, one of its areas or lines."""
    try:
        config.scope_kind(scope)
    except KeyError as exc:
        raise AddressError(parameter, str(exc.args[0])) from None
    return scope


def check_shift(config: PlantConfig, shift: str) -> str:
    """``shift`` when it is the key of one of the plant's shifts."""
    shifts = config.calendar.shifts
    if shift not in {s.key for s in shifts}:
        known = ", ".join(f"{s.key} ({s.name})" for s in shifts)
        raise AddressError("shift", _("shift {shift!r} is not a shift of this plant: use one of {known}").format(
            shift=shift, known=known))
    return shift


def read_period(grain: str, text: str, parameter: str) -> Period:
    """The period of a grain a parameter names (``core.periods`` reads it), within the dates Huddle can show."""
    try:
        return parse_asked_period(grain, text)
    except PeriodRangeError as exc:
        raise AddressError(parameter, str(exc), outside=True) from None
    except PeriodError as exc:
        raise AddressError(parameter, str(exc)) from None


def check_okr_scope(config: PlantConfig, scope: str) -> str:
    """``scope`` when objectives can belong to it: the company, the plant, an area or a line."""
    return scope if scope == COMPANY else check_scope(config, scope)


def text_value(value: Any) -> str:
    """A view's value as text: a store only holds what the page put there, but a caller may send anything."""
    return value if isinstance(value, str) else ""


def whole_number(value: Any, default: int) -> int:
    """A view's whole number (``default`` for anything else)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def seconds_in_range(value: str | None, default: int, low: int, high: int) -> int:
    """A number of seconds from an address, held within ``low`` to ``high`` (``default`` when it is not a number)."""
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def no_line_or_area(config: PlantConfig, scope: str) -> AddressError:
    """The page's words for a scope the plant does not have."""
    return AddressError("scope", _("There is no line or area {scope!r} in {site}.").format(scope=scope,
                                                                                            site=config.site_name))


def read_layers(text: str) -> tuple[int, ...]:
    """The layers a page's ``layer`` parameter keeps (``2``, or ``1,2``); empty for every layer, or an
    ``AddressError`` naming what is not a layer."""
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= 5:
            raise AddressError("layer", _("There is no layer {layer!r}: the layers are 1 to 5.").format(layer=part))
        out.append(int(part))
    return tuple(sorted(set(out)))
