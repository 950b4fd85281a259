"""The first paint of a page: the page arrives inside the app's layout, drawn, instead of after two more round trips.

Dash Pages sends an empty page container with the app's layout and fills it from a callback once the browser has
told it the address; the page's own callbacks then fetch its content (the board's tiles): on a cold load of a wall
TV that is two round trips and two renders after the layout, each waiting for the one before.

The address is known sooner: the browser fetches the layout from the page itself, and its ``Referer`` names the
page (the app sends ``Referrer-Policy: same-origin``). When it names a registered page, the container arrives with
that page's layout in it and its location already set to the address, so Dash's routing callback does not fire at
all; and a page may register a *filler* that draws its first content into that layout on the server, through the
same function its callback uses (the board's first body, with the key that makes the first refresh send nothing).
Without a Referer, for an address that is no page, or when anything here fails, the container is Dash's own and
the page arrives as it always did: the first paint is an optimisation, never a new way to fail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dash
from dash import dcc, html
from dash.development.base_component import Component
from flask import g, has_request_context, request
from huddle.dashboard.web.static_html import to_html

log = logging.getLogger(__name__)

# Dash Pages' own ids (dash.page_container): its routing callback and page-title callback are bound to them
PAGES_LOCATION = "_pages_location"
PAGES_CONTENT = "_pages_content"
PAGES_STORE = "_pages_store"
PAGES_DUMMY = "_pages_dummy"

KIOSK = ("1", "true", "yes")  # what ``kiosk=`` says for a TV (as assets/board.js reads it)
#: draws a page's first content into its layout: the layout, and the address's query
Filler = Callable[[Component, dict[str, Any]], None]


def query_of(search: str) -> dict[str, Any]:
    """An address's query as Dash Pages hands it to a layout (a value given once is a string, twice a list)."""
    parsed = parse_qs(search.lstrip("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def page_at(path: str) -> dict[str, Any] | None:
    """The registered page whose path is ``path`` (relative to the app's prefix), or None."""
    wanted = path.strip("/")
    for page in dash.page_registry.values():
        if not page.get("path_template") and page["path"].strip("/") == wanted:
            return page
    return None


class FirstPaint:
    """Builds the page container of each layout request, filled with the page the request comes from."""

    def __init__(self, app: dash.Dash) -> None:
        self.app = app
        self.fillers: dict[str, Filler] = {}
        # Dash Pages builds its callback-checking layout from the app's layout in a hook of the first request, which
        # may be a layout request: that copy holds every page already, so it gets the empty container. This hook
        # runs after Dash's (registered when the app was made), so the layout the browser gets is filled.
        app.server.before_request(self._ready)

    @staticmethod
    def _ready() -> None:
        """Mark the request as past Dash's own hooks: its layout may be filled."""
        g.first_paint_ready = True

    def fill(self, module: str, filler: Filler) -> None:
        """Have the page registered as ``module`` drawn by ``filler`` in its first paint."""
        self.fillers[module] = filler

    def address(self) -> tuple[str, str] | None:
        """The path and query of the page this request is about: the page itself, or the page a layout request
        comes from; None when it does not say."""
        if not has_request_context() or not g.get("first_paint_ready"):
            return None
        if not request.path.endswith("_dash-layout"):
            query = request.query_string.decode("utf-8", "replace")
            return request.path, f"?{query}" if query else ""
        referrer = request.headers.get("Referer") or ""
        if not referrer:
            return None
        parts = urlsplit(referrer)
        if parts.netloc and parts.netloc != request.host:
            return None  # another origin's page: not ours to draw
        return parts.path or "/", f"?{parts.query}" if parts.query else ""

    def container(self) -> Component:
        """The page container: filled with the page the request comes from, or Dash's empty one."""
        address = self.address()
        if address is None:
            return dash.page_container
        try:
            return self._filled(*address)
        except Exception:  # whatever fails here, the routing callback draws the page as before
            log.exception("first paint of %s failed; the page is drawn by its callbacks", address[0])
            return dash.page_container

    def _filled(self, pathname: str, search: str) -> Component:
        """The container with the page at ``pathname`` in it, drawn by its filler, its location already set."""
        page = page_at(self.app.strip_relative_path(pathname) or "")
        if page is None:
            return dash.page_container
        query = query_of(search)
        layout = page["layout"](**query) if callable(page["layout"]) else page["layout"]
        if filler := self.fillers.get(page["module"]):
            filler(layout, query)
        title = page["title"]() if callable(page["title"]) else page["title"]
        # pathname and search set to the browser's own: the location then has nothing to tell on mount, and the
        # routing callback (Input on both) is not called; hash and href are left for the browser to fill in
        return html.Div([
            dcc.Location(id=PAGES_LOCATION, refresh="callback-nav", pathname=pathname, search=search),
            html.Div(layout, id=PAGES_CONTENT, disable_n_clicks=True),
            dcc.Store(id=PAGES_STORE, data={"title": title}),
            html.Div(id=PAGES_DUMMY, disable_n_clicks=True),
        ])

    def with_picture(self, render: Callable[..., str]) -> Callable[..., str]:
        """Dash's page wrapper, with a wall TV's page drawn into it as plain HTML (``static_html``).

        A TV (``kiosk=1``) on a page whose first content is drawn on the server gets that content in the page's
        first answer: it shows the board as soon as the style sheets are in, while the scripts load and the live
        page takes its place (the same components, so the same picture). Other pages keep Dash's loading note."""
        def index(**parts: Any) -> str:
            if picture := self.picture():
                parts["app_entry"] = f'<div id="react-entry-point">{picture}</div>'
            return render(**parts)
        return index

    def picture(self) -> str:
        """The plain-HTML picture of this request's page for a TV, or "" when it gets none."""
        address = self.address()
        if address is None or query_of(address[1]).get("kiosk") not in KIOSK:
            return ""
        page = page_at(self.app.strip_relative_path(address[0]) or "")
        if page is None or page["module"] not in self.fillers:
            return ""
        try:
            layout = self.app.layout() if callable(self.app.layout) else self.app.layout
            # a page whose first paint failed came as Dash's empty container: no picture of an empty page either
            return to_html(layout) if layout[PAGES_CONTENT].children else ""
        except Exception:  # whatever fails here, the page still comes, with Dash's loading note
            log.exception("the picture of %s failed; the page is drawn by its scripts", address[0])
            return ""

    def root_class(self) -> str:
        """The app root's class for the page the request comes from (a TV's kiosk hides the header at once)."""
        address = self.address()
        kiosk = address is not None and query_of(address[1]).get("kiosk") in KIOSK
        return "app kiosk" if kiosk else "app"
