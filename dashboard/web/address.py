"""The page address, read in one place and written in one place.

Every page keeps what it shows in its address, so a bookmark, a TV or a link always opens the same view:

- ``/board?scope=L2&date=2026-11-20&shift=N`` (default: the plant, the shift that just ended); ``live=1`` the shift
  in progress, ``kiosk=1`` a TV (no navigation or controls), ``scopes=L1,L2,L3&cycle=30`` a playlist rotating every
  30 s, ``refresh=60`` seconds between refreshes, ``timer=15`` minutes of huddle timer;
- ``/tree?tree=oee&scope=L2&grain=day&date=2026-11-20&node=availability`` (``shift=N`` with ``grain=shift``);
- ``/review?scope=L2&month=2026-10``;
- ``/okr?quarter=2026-Q4&scope=L2``;
- ``/stack?scope=L2&layer=2`` (the KPI stack);
- ``/?grain=week`` (the overview: the shift that just ended, today, this week or this month);
- ``layer=2`` on the overview, the board, the tree, the review, the OKRs and the stack keeps the KPIs of the KPI
  stack's layer 2 (or of several, ``1,2``): the pages list only those, their numbers unchanged;
- and ``site=lake`` on any of them when several sites are served (``sites.py`` reads it for every request);
  every address ``href`` writes for such a request keeps the request's site, so a link never leaves it.

Reading is two steps. ``BoardAddress.from_query`` (and the tree's, the review's and the OKRs') reads the parameters
as text, cheaply: a page's layout calls it and keeps the result in its store as the page's view. ``resolve`` then
judges that view against the plant and the clock and gives what to show, or raises ``AddressError`` naming the
parameter and saying why in the page's words (the checks of one parameter at a time, and the error, live in
``parameters``). The API reads its query through the same checks (``api_query``) and
answers an ``AddressError`` with a 400 naming the parameter. The ``*_href`` functions build the addresses pages link
to; in the browser, ``keepAddress`` (assets/board.js) writes back only the names ``keep_address_js`` gives it, which
are the fields of these address classes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Self
from urllib.parse import urlencode

from flask import g, has_request_context
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.periods import (
    Period,
    label_grain,
    parse_period,
    period_containing,
)
from huddle.dashboard.services.review import last_full_month, month_name
from huddle.dashboard.services.tree import last_complete_day
from huddle.dashboard.web.parameters import (
    AddressError,
    check_okr_scope,
    check_scope,
    check_shift,
    no_line_or_area,
    read_layers,
    read_period,
    seconds_in_range,
    text_value,
    whole_number,
)

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

SITE = "site"  # the parameter naming the site, on every page and API address
API = "/api/v1"
YES = ("1", "true", "yes")  # how an address says yes (live=1, kiosk=true)
NO = ("0", "false", "no")  # and no (the API's open=0)
DEFAULT_REFRESH_S = 60
TREE_GRAINS = ("shift", "day", "week", "month")
EVERY_LEVEL = "all"  # the OKR page's scope choice for objectives of every level


class _TextAddress:
    """An address whose every field is one parameter, as text ("" when the address does not give it)."""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Self:
        """The address's parameters (judged by ``resolve``)."""
        return cls(**{f.name: query.get(f.name) or "" for f in fields(cls)})  # type: ignore[arg-type]

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> Self:
        """The address a page's store keeps (``as_view``)."""
        return cls(**{f.name: text_value(view.get(f.name)) for f in fields(cls)})  # type: ignore[arg-type]

    def as_view(self) -> dict[str, Any]:
        """The address as the page's store keeps it (JSON)."""
        return asdict(self)  # type: ignore[call-overload]


# ---- the pages' addresses ----------------------------------------------------------------------------------


class BoardTarget(NamedTuple):
    """What a board address shows: a scope and one shift."""

    scope: str
    period: Period


@dataclass(frozen=True)
class BoardAddress:
    """The board's address: scope (or a playlist of scopes), date and shift, live, kiosk and the timings."""

    PATH: ClassVar[str] = "/board"

    scope: str = "plant"
    scopes: tuple[str, ...] = ()
    date: str = ""
    shift: str = ""
    live: bool = False
    kiosk: bool = False
    cycle: int = 0
    refresh: int = DEFAULT_REFRESH_S
    timer: int = 0
    layer: str = ""  # the KPI stack's layers whose tiles are shown (read_layers), every layer when empty

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> BoardAddress:
        """The address's parameters (unknown scopes and dates are judged by ``resolve``; timings held in range)."""
        scopes = tuple(s for s in (query.get("scopes") or "").split(",") if s)
        return cls(scope=query.get("scope") or (scopes[0] if scopes else "plant"), scopes=scopes,
                   date=query.get("date") or "", shift=query.get("shift") or "", live=query.get("live") in YES,
                   kiosk=query.get("kiosk") in YES, cycle=seconds_in_range(query.get("cycle"), 0, 0, 3600),
                   refresh=seconds_in_range(query.get("refresh"), DEFAULT_REFRESH_S, 10, 3600),
                   timer=seconds_in_range(query.get("timer"), 0, 0, 120), layer=query.get("layer") or "")

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> BoardAddress:
        """The address a page's store keeps (``as_view``)."""
        scopes = view.get("scopes")
        return cls(scope=text_value(view.get("scope")) or "plant",
                   scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
                   date=text_value(view.get("date")), shift=text_value(view.get("shift")),
                   live=bool(view.get("live")),
                   kiosk=bool(view.get("kiosk")), cycle=whole_number(view.get("cycle"), 0),
                   refresh=whole_number(view.get("refresh"), DEFAULT_REFRESH_S),
                   timer=whole_number(view.get("timer"), 0), layer=text_value(view.get("layer")))

    def as_view(self) -> dict[str, Any]:
        """The address as the page's store keeps it (JSON)."""
        return asdict(self) | {"scopes": list(self.scopes)}

    def layers(self) -> tuple[int, ...]:
        """The layers whose tiles the board shows (empty: every layer), or an ``AddressError``."""
        return read_layers(self.layer)

    def shown_scope(self, cycle_n: int | None = None) -> str:
        """The scope on show: the playlist's at position ``cycle_n`` when it rotates, else the address's."""
        if self.scopes and self.cycle:
            return self.scopes[(cycle_n or 0) % len(self.scopes)]
        return self.scope or "plant"

    def next_scope(self, cycle_n: int | None = None) -> str | None:
        """The scope the playlist shows after the one at ``cycle_n``; None when nothing rotates."""
        if not self.cycle or len(self.scopes) < 2:
            return None
        return self.scopes[((cycle_n or 0) + 1) % len(self.scopes)]

    def resolve(self, config: PlantConfig, now: datetime, cycle_n: int | None = None) -> BoardTarget:
        """The scope and shift to show at ``now``, or an ``AddressError`` saying why there is none."""
        scope = check_scope(config, self.shown_scope(cycle_n))
        if self.date or self.shift:
            return BoardTarget(scope, self._asked_shift(config))
        instance = config.calendar.current(now) if self.live else config.calendar.last_completed(now)
        if instance is None:
            raise AddressError("live" if self.live else "shift",
                               _("no shift is running now") if self.live else _("no shift has ended yet"))
        return BoardTarget(scope, Period("shift", instance.production_date, instance.production_date,
                                         instance.shift_key))

    def _asked_shift(self, config: PlantConfig) -> Period:
        shift = check_shift(config, self.shift)
        try:
            read_period("day", self.date, "date")  # the date alone: the message names what was asked for
            return read_period("shift", f"{self.date}/{shift}", "date")
        except AddressError as exc:
            raise (exc.reworded(_("There is no such date on the board: {why}.").format(why=exc.message))
                   if exc.outside else exc.reworded(_("There is no such date: {date} (expected like 2026-11-20).")
                                                    .format(date=self.date or _("none")))) from None


class TreeTarget(NamedTuple):
    """What a tree address shows: a tree, a scope and a period."""

    tree: str
    scope: str
    period: Period


@dataclass(frozen=True)
class TreeAddress(_TextAddress):
    """The KPI tree's address: tree, scope, grain, date, shift and the node selected."""

    PATH: ClassVar[str] = "/tree"

    tree: str = ""
    scope: str = ""
    grain: str = ""
    date: str = ""
    shift: str = ""
    node: str = ""
    layer: str = ""  # the KPI stack's layers the tree stresses (read_layers); the others are drawn dimmed

    def resolve(self, config: PlantConfig, now: datetime) -> TreeTarget:
        """The tree, scope and period to show (defaults filled in), or an ``AddressError`` saying why not."""
        if not config.trees:
            raise AddressError("tree", "No KPI tree is configured: add one under trees in the plant configuration.")
        tree = self.tree or next(iter(config.trees))
        if tree not in config.trees:
            raise AddressError("tree", f"There is no tree {tree!r}; this plant has {', '.join(config.trees)}.")
        scope = self.scope or "plant"
        try:
            check_scope(config, scope)
        except AddressError:
            raise no_line_or_area(config, scope) from None
        grain = self.grain or "day"
        if grain not in TREE_GRAINS:
            raise AddressError("grain", f"A tree is read for a shift, day, week or month, not {grain!r}.")
        day = self._day(config, now)
        shift = self._shift(config, now, day) if grain == "shift" else None
        return TreeTarget(tree, scope, period_containing(grain, day, shift))

    def _day(self, config: PlantConfig, now: datetime) -> date:
        if not self.date:
            return last_complete_day(config, now) or now.astimezone(config.tz).date()
        try:
            return read_period("day", self.date, "date").first
        except AddressError as exc:
            raise (exc.reworded(f"There is no such date in the tree: {exc.message}.") if exc.outside else
                   exc.reworded(f"The date {self.date!r} is not a date: {exc.message}")) from None

    def _shift(self, config: PlantConfig, now: datetime, day: date) -> str:
        keys = [s.key for s in config.calendar.shifts]
        shift = self.shift or None
        if shift is None:  # the shift that ended last on that date, else the day's last shift
            last = config.calendar.last_completed(now)
            shift = last.shift_key if last is not None and last.production_date == day else keys[-1]
        if shift not in keys:
            raise AddressError("shift", f"There is no shift {shift!r}; the shifts are {', '.join(keys)}.")
        return shift


class ReviewTarget(NamedTuple):
    """What a review address shows: a scope and a month."""

    scope: str
    month: Period


@dataclass(frozen=True)
class ReviewAddress(_TextAddress):
    """The monthly review's address: scope and month."""

    PATH: ClassVar[str] = "/review"

    scope: str = ""
    month: str = ""
    layer: str = ""  # the KPI stack's layers the bowler keeps (read_layers), every layer when empty

    def resolve(self, config: PlantConfig, now: datetime) -> ReviewTarget:
        """The scope and month to review (default: the plant, the last full month), or an ``AddressError``."""
        scope = self.scope or "plant"
        try:
            check_scope(config, scope)
        except AddressError:
            raise no_line_or_area(config, scope) from None
        if not self.month:
            return ReviewTarget(scope, last_full_month(config, now))
        try:
            month = read_period("month", self.month, "month")
        except AddressError as exc:
            raise (exc.reworded(_("There is no such month to review: {why}.").format(why=exc.message))
                   if exc.outside else exc.reworded(_("The month {month!r} is not a month like 2026-10: {why}").format(
                       month=self.month, why=exc.message))) from None
        if month.first > now.astimezone(config.tz).date():
            raise AddressError("month", _("{month} has not started yet.").format(month=month_name(month)))
        return ReviewTarget(scope, month)


class StackTarget(NamedTuple):
    """What a KPI stack address shows: a scope and the layers asked for (empty: all five)."""

    scope: str
    layers: tuple[int, ...]


@dataclass(frozen=True)
class StackAddress(_TextAddress):
    """The KPI stack's address: scope and the layers shown."""

    PATH: ClassVar[str] = "/stack"

    scope: str = ""
    layer: str = ""

    def resolve(self, config: PlantConfig) -> StackTarget:
        """The scope (default: the plant) and the layers to show, or an ``AddressError``."""
        scope = self.scope or "plant"
        try:
            check_scope(config, scope)
        except AddressError:
            raise no_line_or_area(config, scope) from None
        return StackTarget(scope, read_layers(self.layer))


class OkrTarget(NamedTuple):
    """What an OKR address shows: a quarter, and the scope whose objectives are shown (None: every level)."""

    quarter: str
    scope: str | None


@dataclass(frozen=True)
class OkrAddress(_TextAddress):
    """The OKR page's address: quarter and scope."""

    PATH: ClassVar[str] = "/okr"

    quarter: str = ""
    scope: str = ""
    layer: str = ""  # the KPI stack's layers the KPI pickers offer (read_layers), every layer when empty

    def resolve(self, config: PlantConfig, today: date) -> OkrTarget:
        """The quarter (default: the one containing ``today``) and scope to show, or an ``AddressError``."""
        quarter = read_period("quarter", self.quarter, "quarter").label if self.quarter else \
            period_containing("quarter", today).label
        if self.scope in ("", EVERY_LEVEL):
            return OkrTarget(quarter, None)
        return OkrTarget(quarter, check_okr_scope(config, self.scope))


@dataclass(frozen=True)
class OverviewAddress(_TextAddress):
    """The plant overview's address: the period's grain and the layers whose KPIs are listed."""

    PATH: ClassVar[str] = "/"

    grain: str = ""  # shift (default), day, week or month: pages.overview.GRAIN_TITLES
    layer: str = ""  # the KPI stack's layers whose KPIs the table lists (read_layers), every layer when empty

    def layers(self) -> tuple[int, ...]:
        """The layers whose KPIs the overview lists (empty: every layer), or an ``AddressError``."""
        return read_layers(self.layer)


@dataclass(frozen=True)
class HuddlesAddress(_TextAddress):
    """The huddle records' address: a production date and a scope (``/huddles?date=2026-12-01&scope=L1``)."""

    PATH: ClassVar[str] = "/huddles"

    date: str = ""
    scope: str = ""

    def resolve(self, config: PlantConfig, today: date) -> tuple[str, date]:
        """The scope (default: the plant) and day (default: today) to list, or an ``AddressError``."""
        scope = check_scope(config, self.scope or "plant")
        return scope, read_period("day", self.date, "date").first if self.date else today


# ---- links -------------------------------------------------------------------------------------------------


def request_site() -> str | None:
    """The site of the current request when several sites are served (``sites.py`` sets it); else None."""
    return g.get("site") if has_request_context() and g.get("site_names") else None


def href(path: str, params: Mapping[str, Any], site: str | None = None) -> str:
    """``path`` with the given parameters as its query (empty ones left out; yes as 1), the site first: the one
    given, else the current request's when several sites are served."""
    site = site or request_site()
    query = {SITE: site} if site else {}
    query |= {k: "1" if v is True else str(v) for k, v in params.items() if v is not None and v is not False
              and v != ""}
    return path + (f"?{urlencode(query)}" if query else "")


def board_search(scope: str | None = None, *, live: bool = False, kiosk: bool = False, layer: str | None = None,
                 site: str | None = None) -> str:
    """The query part of a board address (``?scope=L1&live=1&layer=2``), for a page that changes only its query."""
    return href("", {"scope": scope, "kiosk": kiosk, "live": live, "layer": layer}, site)


def board_href(scope: str | None = None, *, live: bool = False, kiosk: bool = False, layer: str | None = None,
               site: str | None = None) -> str:
    """The address of a board: a scope, the shift in progress (``live``), as a TV (``kiosk``), one layer's tiles."""
    return BoardAddress.PATH + board_search(scope, live=live, kiosk=kiosk, layer=layer, site=site)


def tree_href(tree: str | None = None, scope: str | None = None, period: Period | None = None,
              node: str | None = None, *, layer: str | None = None, site: str | None = None) -> str:
    """The address of a tree view, with a node selected (and the layers stressed)."""
    when = {"grain": period.grain, "date": period.last.isoformat()} if period else {}
    return href(TreeAddress.PATH, {"tree": tree, "scope": scope, **when, "node": node,
                                   "shift": period.shift if period else None, "layer": layer}, site)


def node_href(tree: str | None, kpi: str, scope: str, period: str, *, site: str | None = None) -> str | None:
    """The address of a KPI's node in a tree for a scope over the period a reading covers (its label), where a board
    tile or an overview cell leads; None without a tree or for a period no tree reads (a quarter, a year)."""
    grain = label_grain(period)
    if tree is None or grain not in TREE_GRAINS:
        return None
    return tree_href(tree, scope, parse_period(str(grain), period), kpi, site=site)


def review_href(scope: str | None = None, month: Period | None = None, *, layer: str | None = None,
                site: str | None = None) -> str:
    """The address of a monthly review (its bowler kept to ``layer`` when given)."""
    return href(ReviewAddress.PATH, {"scope": scope, "month": month.label if month else None, "layer": layer}, site)


def okr_href(quarter: str | None = None, scope: str | None = None, *, layer: str | None = None,
             site: str | None = None) -> str:
    """The address of a quarter's OKRs (their KPI pickers kept to ``layer`` when given)."""
    return href(OkrAddress.PATH, {"quarter": quarter, "scope": scope, "layer": layer}, site)


def huddles_href(day: date | None = None, scope: str | None = None, *, site: str | None = None) -> str:
    """The address of the huddle records of a day and scope."""
    return href(HuddlesAddress.PATH, {"date": day.isoformat() if day else None, "scope": scope}, site)


def stack_href(scope: str | None = None, layer: int | None = None, *, site: str | None = None) -> str:
    """The address of the KPI stack of a scope, one layer only when given."""
    return href(StackAddress.PATH, {"scope": scope, "layer": layer}, site)


def api_href(name: str, **params: str) -> str:
    """The address of an API answer or export: ``api_href("review.pdf", scope="L1", month="2026-10")``."""
    return href(f"{API}/{name}", params)


def keep_address_js(address: type[BoardAddress | TreeAddress | ReviewAddress | OkrAddress | StackAddress
                                   | OverviewAddress], *,
                    second: str | None = None, answer: bool = False) -> str:
    """A clientside function keeping a page's address in step with its view (the view store its first input; the
    value of parameter ``second`` its second input): ``keepAddress`` in assets/board.js writes the page's path, the
    site and exactly the address's fields. ``answer``: return the address written (else ``no_update``)."""
    spec = json.dumps({"path": address.PATH, "site": SITE, "names": [f.name for f in fields(address)]})
    extra = f"values[{json.dumps(second)}] = second;" if second else ""
    result = "written" if answer else "window.dash_clientside.no_update"
    return (f"function (view, second) {{ if (!view) {{ return window.dash_clientside.no_update; }} "
            f"const values = Object.assign({{}}, view); {extra} "
            f"const written = window.dash_clientside.huddle.keepAddress({spec}, values); return {result}; }}")
