"""The page shown for an address Huddle does not have."""

from __future__ import annotations

import dash
from dash import dcc, html
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.web.address import href


def layout(**_query: str) -> html.Div:
    """A clear message and a way back."""
    return html.Div([
        html.H1(_("Page not found")),
        html.P(_("This address is not a page of Huddle.")),
        dcc.Link(_("Back to the plant overview"), href=href("/", {})),  # on the same site
    ], className="not-found")


def register() -> None:
    """Register as Dash Pages' 404 page."""
    dash.register_page("not_found_404", path="/404", name=N_("Not found"), layout=layout, nav=False)
