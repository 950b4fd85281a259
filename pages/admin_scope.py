"""The Admin page's home-scope fields: the line or area a person works in, or the whole site.

An operator enters shop-floor data for their own line only; a leader's scope says which tier's board is theirs.
The fields hold no data in the layout; ``callbacks.admin_scope`` fills their options from the plant file.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.names import scope_name
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.web import ids

SITE = "plant"  # the picker's value for the whole site (stored as no scope)


def scope_picker(component_id: str) -> html.Label:
    """A labelled picker of a home scope, the whole site first."""
    return html.Label([html.Span(_("Home line or area")),
                       dcc.Dropdown(id=component_id, options=[], value=SITE, clearable=False, searchable=False,
                                    className="admin-dropdown")], className="admin-field")


def scope_change_row() -> list[Any]:
    """The change form's row: a new home scope and its button, with the answer under them."""
    return [
        html.Div([scope_picker(ids.ADMIN_SCOPE),
                  html.Button(_("Change home"), id=ids.ADMIN_SCOPE_BUTTON, n_clicks=0, type="button",
                              className="primary")], className="admin-row"),
        html.P(id=ids.ADMIN_SCOPE_MESSAGE, className="admin-message", role="status", **{"aria-live": "polite"}),
    ]


def scope_options(config: PlantConfig) -> list[dict[str, str]]:
    """The whole site, then each area followed by its lines, by name."""
    options = [{"label": _("Whole site ({name})").format(name=config.site_name), "value": SITE}]
    for key, area in config.areas.items():
        options.append({"label": area.name, "value": key})
        options += [{"label": f"– {scope_name(config, line)}", "value": line} for line in area.lines]
    return options


def scope_words(config: PlantConfig, scope: str | None) -> str:
    """A home scope as people say it: 'Whole site', 'Filling', 'Line 1 – Filling'."""
    return _("Whole site") if scope is None else scope_name(config, scope)
