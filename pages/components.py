"""Small presentation pieces shared by pages and callbacks: tables and status badges (text, never HTML), and text
and axes for charts."""

from __future__ import annotations

import html as markup
from collections.abc import Sequence
from functools import cache
from typing import Any

import plotly.io as pio
from dash import dcc, html
from huddle.dashboard.core.axes import HEADROOM, axis_scale, share_ticks
from huddle.dashboard.core.format import status_label
from huddle.dashboard.core.i18n import N_, _, day_text, ngettext, number, pgettext
from huddle.dashboard.core.periods import parse_period
from huddle.pages.elements import html as elements

#: what a Pareto's bars measure, as its axis and legend name it
MEASURE_WORDS = {"minutes": N_("minutes"), "quantity": N_("quantity"), "count": N_("count")}


@cache
def figure_template(name: str = "plotly_white") -> dict[str, Any]:
    """A Plotly template as a figure written as a dict carries it (its name is resolved in Python, not in the
    browser): read once."""
    return pio.templates[name].to_plotly_json()


def plot_text(text: Any) -> str:
    """Text for a chart's labels, legend, titles and hover boxes: Plotly reads ``<b>``, ``<a href>`` and friends in
    them as markup, so names and reasons from files and the plant file are escaped (Plotly shows ``&lt;`` as ``<``)."""
    return markup.escape(str(text), quote=False)


def period_tick(grain: str, label: str) -> str:
    """A period as a chart's axis names it, whole and in words: 'Mon 30 Nov E', 'Mon 30 Nov', 'Nov 2026' (a week
    keeps its label, 2026-W48)."""
    if grain not in ("shift", "day", "month"):
        return label
    period = parse_period(grain, label)
    day = period.first
    if grain == "month":
        return day_text(day, pgettext("date pattern", "MMM y"))
    words = day_text(day, pgettext("date pattern", "EEE d MMM"))
    return f"{words} {period.shift}" if grain == "shift" and period.shift else words


def category_axis(ticks: Sequence[str], most: int = 7) -> dict[str, Any]:
    """An x axis of named periods that labels at most ``most`` of them (the last always) and grows its margin to fit
    them rather than cut them."""
    step = max(1, -(-len(ticks) // most))
    shown = list(ticks)[::-1][::step][::-1]
    return {"type": "category", "automargin": True, "tickmode": "array", "tickvals": shown, "ticktext": shown}


def scroll_box(label: str, children: Any = None, *, css_class: str = "", **props: Any) -> html.Div:
    """A box that scrolls sideways when its table is wider than the screen (a phone), named ``label`` for screen
    readers; Tab reaches it while it scrolls (assets/accessible_controls.js), so the arrow keys scroll it."""
    return html.Div(children, className=f"table-wrap {css_class}".strip(), role="region", **{"aria-label": label},
                    **props)


def status_badge(status: str) -> html.Span:
    """Colour, icon and word for a status."""
    return elements.Span(status_label(status), className=f"badge status-{status}")  # a board draws dozens


def table(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], *, status_key: str | None = None,
          empty: str = N_("Nothing to show."), row_class: str | None = None) -> html.Table | html.P:
    """A plain table: ``columns`` is (key, heading); a ``status_key`` column renders as a badge."""
    if not rows:
        return html.P(_(empty), className="empty")
    head = html.Thead(html.Tr([html.Th(h) for _key, h in columns]))
    body = []
    for r in rows:
        cells = []
        for key, _heading in columns:
            value = r.get(key, "")
            if key == status_key:
                cells.append(html.Td(status_badge(str(value))))
            elif isinstance(value, html.Span | html.Div):
                cells.append(html.Td(value))
            else:
                cells.append(html.Td("" if value is None else str(value)))
        body.append(html.Tr(cells, className=str(r.get(row_class, "")) if row_class else None))
    return html.Table([head, html.Tbody(body)], className="grid")


def pareto_figure(report: Any) -> dict[str, Any]:
    """Events by reason, largest first, with the cumulative share; written as the figure's JSON-ready dict (the
    figure objects' validation cost 60 ms a chart, the dict what Plotly would have made of them)."""
    rows = report.pareto[:12]
    labels = [p.label for p in rows]
    values = [p.minutes if report.measure == "minutes" else p.quantity if report.measure == "quantity" else p.count
              for p in rows]
    hover = []
    for p in rows:
        bits = [ngettext("{n} event", "{n} events", p.count).format(n=number(p.count))]
        if p.minutes is not None:
            bits.append(_("{n} min").format(n=number(p.minutes)))
        if p.quantity is not None:
            bits.append(ngettext("{n} unit", "{n} units", p.quantity).format(n=number(p.quantity)))
        if p.cost is not None:
            bits.append(_("{n} cost").format(n=number(p.cost)))
        if p.where:
            bits.append(", ".join(p.where))
        hover.append(plot_text(p.name or p.label) + "<br>" + plot_text(" · ".join(bits)))
    # both scales in the same five even steps (core.axes), so their ticks and grid lines sit at the same heights
    top, step, _digits = axis_scale(max((v for v in values if v is not None), default=0))
    measure = _(MEASURE_WORDS[report.measure])
    return {
        "data": [
            # the bars' x stays the reason as recorded (a click names it); what is drawn is its escaped text
            {"type": "bar", "x": labels, "y": values, "name": measure, "marker": {"color": "#b3141c"},
             "hovertext": hover, "hoverinfo": "text"},
            {"type": "scatter", "x": labels, "y": [p.cumulative * 100 for p in rows], "yaxis": "y2",
             "mode": "lines+markers", "name": _("cumulative %"), "line": {"color": "#1f4e79"}, "hoverinfo": "y"},
        ],
        "layout": {
            "template": figure_template(), "margin": {"l": 50, "r": 40, "t": 10, "b": 80}, "showlegend": False,
            "clickmode": "event",
            "xaxis": {"tickmode": "array", "tickvals": labels,
                      "ticktext": [plot_text(p.name or p.label) for p in rows]},
            "yaxis": {"title": {"text": measure}, "rangemode": "tozero", "range": [0, top * HEADROOM], "tick0": 0,
                      "dtick": step},
            "yaxis2": {"overlaying": "y", "side": "right", "range": [0, 100 * HEADROOM], "tick0": 0,
                       "dtick": 100 * share_ticks()[1], "ticksuffix": " %", "showgrid": False},
        },
    }


def pareto_table(currency: str, report: Any) -> Any:
    """The Pareto's numbers per reason: minutes, events, units and cost, with the cumulative share."""
    rows = [{"label": p.name or p.label, "minutes": "" if p.minutes is None else number(p.minutes),
             "count": number(p.count), "quantity": "" if p.quantity is None else number(p.quantity),
             "cost": "" if p.cost is None else f"{number(p.cost)} {currency}".strip(),
             "share": f"{number(p.share * 100)} %", "cumulative": f"{number(p.cumulative * 100)} %",
             "lines": ", ".join(p.where or p.lines)} for p in report.pareto]
    columns = [("label", _("Reason") if report.kind == "stops" else _("Defect") if report.kind == "defects"
                else _("Kind"))]
    columns += [(c, h) for c, h in (("minutes", _("Minutes")), ("count", _("Events")), ("quantity", _("Units")),
                                    ("cost", _("Cost"))) if any(r[c] for r in rows)]
    columns += [("share", _("Share")), ("cumulative", _("Cumulative")), ("lines", _("Where"))]
    return table(columns, rows, empty=N_("No events recorded in this period."))


def scope_options(config: Any) -> list[dict[str, str]]:
    """Dropdown options for a scope: the plant, then each area followed by its lines (indented)."""
    options = [{"label": config.site_name, "value": "plant"}]
    for area in config.areas.values():
        options.append({"label": area.name, "value": area.key})
        options.extend({"label": f"  {config.lines[ln].name}", "value": ln} for ln in area.lines)
    return options


#: the layer pickers' choice for every layer (no filter)
EVERY_LAYER = "all"


def layer_options(config: Any) -> list[dict[str, str]]:
    """A layer picker's options: every layer, then each layer by its heading ('Layer 2 – Supervisor / shift')."""
    return [{"label": _("Every layer"), "value": EVERY_LAYER},
            *({"label": layer.heading, "value": str(layer.number)} for layer in config.layers)]


def layer_value(layers: tuple[int, ...]) -> str:
    """What a layer picker shows for the layers an address keeps: one layer, else every layer (several layers
    from an address are said by the chip)."""
    return str(layers[0]) if len(layers) == 1 else EVERY_LAYER


def picked_layer(value: str | None) -> str:
    """A layer picker's choice as the address's ``layer`` parameter ("" for every layer)."""
    return "" if not value or value == EVERY_LAYER else value


def layer_chip(config: Any, layers: tuple[int, ...], clear_href: str | None, note: str = "") -> Any:
    """A chip saying which layers the page is filtered to, with a link showing every layer again (None without a
    filter; no link where nobody can click, a TV); ``note`` says what the filter leaves as it was."""
    if not layers:
        return None
    names = ", ".join(layer.heading for layer in config.layers if layer.number in layers)
    return html.Span([html.Span(_("Showing only {layers}").format(layers=names)),
                      html.Span(note, className="hint") if note else None,
                      dcc.Link(_("✕ show every layer"), href=clear_href, className="chip-clear")
                      if clear_href else None],
                     className="filter-chip", role="status")
