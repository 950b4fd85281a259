"""The OKR page's pickers: whose objectives to show, the levels, the KPIs a key result binds to, the quarters,
weeks, key results and objectives to choose from, each named in the plant's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.names import period_id_words, period_label
from huddle.dashboard.services.okrs import COMPANY, QuarterView
from huddle.dashboard.web.address import EVERY_LEVEL
from huddle.pages.components import scope_options

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import KpiDef, PlantConfig


def scope_choices(config: PlantConfig) -> list[dict[str, str]]:
    """Whose objectives to show: every level, the company, the plant, each area and line."""
    return [{"label": _("Every level"), "value": EVERY_LEVEL}, {"label": config.company, "value": COMPANY},
            *scope_options(config)]


def level_options(config: PlantConfig) -> list[dict[str, str]]:
    """The levels an objective can belong to: the company, the plant, each area and line."""
    return [o for o in scope_choices(config) if o["value"] != EVERY_LEVEL]


def kpi_options(config: PlantConfig, typed: str | None = None, layers: tuple[int, ...] = (),
                keep: str | None = None) -> list[dict[str, str]]:
    """The KPIs a key result can be bound to, with unit and direction, by name; with the text typed so far, the KPI
    of that very name first, then the names starting with it, then those containing it, then the rest (so "OEE"
    binds OEE, not Quality (OEE)). With ``layers``, only their KPIs, and ``keep``: the KPI the form has chosen
    stays, so a key result bound outside the layers is never unbound by the filter."""
    text = (typed or "").strip().casefold()
    value, better = _("value"), (_("lower is better"), _("higher is better"))

    def order(k: KpiDef) -> tuple[int, str]:
        name = k.name.casefold()
        if not text:
            return 0, name
        return (0 if name == text else 1 if name.startswith(text) else 2 if text in name else 3), name

    return [{"label": f"{k.name} ({k.unit or value}, {better[k.direction == 'higher']})", "value": k.key}
            for k in sorted(config.kpis.values(), key=order) if not layers or k.layer in layers or k.key == keep]


def quarter_options(quarters: list[str]) -> list[dict[str, str]]:
    """The quarter picker's options."""
    return [{"label": period_id_words(None, q), "value": q} for q in quarters]


def week_options(view: QuarterView) -> list[dict[str, str]]:
    """The quarter's weeks, newest first, this week marked."""
    return [{"label": period_label(None, w, view.today) + (" " + _("(this week)") if w == view.week else ""),
             "value": w.label}
            for w in reversed(view.weeks)]


def history_options(view: QuarterView) -> list[dict[str, Any]]:
    """Every key result of the quarter, with the level of its objective."""
    return [{"label": f"{k.title} ({o.scope_name})", "value": k.id} for o in view.objectives for k in o.key_results]


def objective_options(view: QuarterView) -> list[dict[str, Any]]:
    """The quarter's objectives, indented by level."""
    return [{"label": f"{'  ' * o.depth}{o.title} ({o.scope_name})", "value": o.id} for o in view.objectives]
