"""The plant's KPI catalogue as the API and the Data page list it: every definition with its target and baseline,
and the baseline tracker (each KPI's current value, source, frequency and owner, with the gaps found)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from huddle.dashboard.core.format import format_age, format_value
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.kpi import FORMULAS
from huddle.dashboard.core.names import date_words, period_label
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import KpiDef, PlantConfig
from huddle.dashboard.core.targets import target_grain
from huddle.dashboard.services.okr_quarter import OkrQuarters
from huddle.dashboard.services.reading_context import sharing_context
from huddle.dashboard.services.readings import Reading, Readings


class KpiCatalogue:
    """Every KPI of the plant, defined and tracked."""

    def __init__(self, config: PlantConfig, readings: Readings, okrs: OkrQuarters,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.readings = readings
        self.okrs = okrs
        self.clock = clock

    def definitions(self) -> list[dict[str, Any]]:
        """Every KPI definition, JSON-ready."""
        today = self.clock().astimezone(self.config.tz).date()
        baselines = self.okrs.baselines()
        return [{
            "key": k.key, "name": k.name, "unit": k.unit, "category": k.category, "layer": k.layer,
            "direction": k.direction, "target": k.target_on(today), "amber": k.amber, "owner": k.owner,
            "data_source": k.data_source, "frequency": k.frequency,
            "leading": "leading" if k.leading else "lagging", "formula": k.formula,
            "formula_text": FORMULAS[k.formula].description, "target_grain": str(target_grain(k)),
            "baseline": ({"value": b.value, "date": b.on.isoformat(), "source": b.source}
                         if (b := baselines[k.key]) else None),
        } for k in self.config.kpis.values()]

    def current_period(self, kdef: KpiDef, last_shift: Period | None) -> Period:
        """The period a KPI's current value is read over: its last shift or day, else this week or month."""
        if kdef.frequency in ("shift", "hour") and last_shift:
            return last_shift
        if kdef.frequency == "day" and last_shift:
            return Period("day", last_shift.first, last_shift.first)
        return self.readings.current_period("week" if kdef.frequency == "week" else "month")

    def current_reading(self, kdef: KpiDef, scope: str = "plant") -> Reading:
        """A KPI's current value at a scope, as the baseline tracker reads it."""
        return self.readings.reading(kdef.key, scope, self.current_period(kdef, self.readings.last_completed_shift()))

    @sharing_context  # the KPIs' readings share one instant, calendar and session (15 contexts were 60 % of it)
    def baseline_tracker(self) -> list[dict[str, Any]]:
        """Every KPI with its current value, source, frequency and owner; gaps shown as findings."""
        last_shift = self.readings.last_completed_shift()
        baselines = self.okrs.baselines()
        out = []
        for k in self.config.kpis.values():
            period = self.current_period(k, last_shift)
            reading = self.readings.reading(k.key, "plant", period)
            problems = []
            if not k.data_source:
                problems.append("no data source")
            if not k.owner:
                problems.append("no owner")
            if reading.value is None:
                problems.append("no data yet")
            elif str(reading.status) == "stale":
                problems.append("stale")
            out.append({"kpi": k.key, "name": k.name, "category": k.category, "period": period.label,
                        "period_name": period_label(self.config, period, period.last),
                        "value": format_value(reading.value, k.unit), "status": str(reading.status),
                        "target": format_value(reading.target, k.unit), "data_source": k.data_source or "—",
                        "frequency": k.frequency, "owner": k.owner or "—", "age": format_age(reading.age_s),
                        "baseline": (_("{value} on {day}").format(value=format_value(b.value, k.unit),
                                                                  day=date_words(b.on))
                                     if (b := baselines[k.key]) else "—"),
                        "findings": ", ".join(problems) or "ok"})
        return out
