"""The API's query: each parameter of a request under ``/api/v1`` read and checked against the plant, through
the same checks as the pages' addresses (``address``); a bad one raises ``AddressError`` naming it, which the API
answers with a 400. An empty parameter is one not given; one that would not be used is refused, not left unread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from huddle.dashboard.core.periods import GRAINS, Period, period_containing
from huddle.dashboard.web.parameters import (
    AddressError,
    check_okr_scope,
    check_scope,
    check_shift,
    read_layers,
    read_period,
)

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

MAX_RANGE_DAYS = 3700  # an API series spans at most about ten years
LAYERS = re.compile(r"[1-5](,[1-5])*")  # the layer parameter as openapi.py describes it


class ApiQuery:
    """The parameters of an API request, each checked against the plant; a bad one raises ``AddressError``."""

    def __init__(self, args: Mapping[str, str], config: PlantConfig) -> None:
        self.args = args
        self.config = config

    def scope(self) -> str:
        """``scope`` (or ``line``, ``area``); default the plant."""
        args = self.args
        return check_scope(self.config, args.get("scope") or args.get("line") or args.get("area") or "plant")

    def grain(self, default: str) -> str:
        """``grain``: shift, day, week, month, quarter or year."""
        grain = self.args.get("grain", default)
        if grain not in GRAINS:
            raise AddressError("grain", f"expected one of {', '.join(GRAINS)}")
        return grain

    def period(self, grain: str) -> Period | None:
        """``period`` of that grain, or the one containing ``date`` (for a shift: ``date`` and ``shift``); None when
        none is asked for. A date or shift that would not be used is refused rather than left unread."""
        text, day, shift = self.args.get("period"), self.args.get("date"), self.args.get("shift")
        if text:
            if day or shift:
                raise AddressError("period", "give period, or date (and shift), not both")
            period = read_period(grain, text, "period")
        elif day:
            first = read_period("day", day, "date").first  # a wrong date is named alone, without the shift
            if grain != "shift":
                if shift:
                    raise AddressError("shift", f"a shift is asked for with grain=shift, not {grain}")
                return read_period(grain, period_containing(grain, first).label, "date")
            if not shift:
                raise AddressError("shift", "give the shift of that date too")
            period = read_period(grain, f"{day}/{shift}", "shift")
        elif shift:
            raise AddressError("date", "give the date of that shift too")
        else:
            return None
        if period.shift:
            check_shift(self.config, period.shift)
        return period

    def date_range(self) -> tuple[date, date] | None:
        """``from`` and ``to``, production dates in order, at most about ten years apart; None when neither."""
        first, last = self.args.get("from"), self.args.get("to")
        if not (first or last):
            return None
        if not (first and last):
            raise AddressError("from and to", "give both (production dates like 2026-11-01)")
        a, b = read_period("day", first, "from").first, read_period("day", last, "to").first
        if b < a:
            raise AddressError("from", f"{first} comes after to ({last})")
        if (b - a).days > MAX_RANGE_DAYS:
            raise AddressError("to", "more than ten years after from")
        return a, b

    def kpis(self) -> list[str]:
        """``kpi``: comma-separated KPI keys; default every KPI."""
        keys = [k for k in self.args.get("kpi", "").split(",") if k] or list(self.config.kpis)
        unknown = [k for k in keys if k not in self.config.kpis]
        if unknown:
            raise AddressError("kpi", f"unknown {', '.join(unknown)} (known: {', '.join(self.config.kpis)})")
        return keys

    def layers(self) -> tuple[int, ...]:
        """``layer``: the KPI stack's layers whose KPIs are listed (``2``, or ``1,2``); default every layer. Written
        exactly so (no spaces, no empty part), as the API's description says."""
        text = self.args.get("layer", "")
        if text and not LAYERS.fullmatch(text):
            raise AddressError("layer", f"expected layers 1 to 5 separated by commas, like 2 or 1,2, not {text!r}")
        return read_layers(text)

    def kept(self, keys: list[str]) -> list[str]:
        """``keys`` less the KPIs outside the layers asked for (``layer``)."""
        layers = self.layers()
        return [k for k in keys if not layers or self.config.kpis[k].layer in layers]

    def tree(self) -> str:
        """``tree``; default the first configured tree."""
        key = self.args.get("tree") or next(iter(self.config.trees), None)
        if key is None or key not in self.config.trees:
            raise AddressError("tree", f"unknown {key!r} (known: {', '.join(self.config.trees) or 'none'})")
        return key

    def node(self, tree: str) -> str:
        """``kpi``: a node of ``tree``; default its root."""
        kpi = self.args.get("kpi") or self.config.trees[tree].root
        if kpi not in self.config.trees[tree].nodes():
            raise AddressError("kpi", f"{kpi!r} is not a node of tree {tree!r}")
        return kpi

    def month(self) -> Period | None:
        """``month`` (like 2026-10); None when none is asked for."""
        text = self.args.get("month")
        return read_period("month", text, "month") if text else None

    def quarter(self) -> Period | None:
        """``quarter`` (like 2026-Q4); None when none is asked for."""
        text = self.args.get("quarter")
        return read_period("quarter", text, "quarter") if text else None

    def okr_scope(self) -> str | None:
        """``scope`` of objectives: the company, the plant, an area or a line; None for every level."""
        scope = self.args.get("scope") or None
        return check_okr_scope(self.config, scope) if scope else None
