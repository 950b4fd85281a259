"""A pane of a page whose content, a large part without controls, arrives as one string of HTML that the browser
puts in place itself.

Dash keeps every component it is sent and checks them all again on each later update of the page, and even sent
as one element of HTML (``static_html.one_element``) a Markdown component turns each tag into a React element.
The OKR page's objectives of a 20-line plant are some 9,000 elements: drawn that way they kept the browser busy
for 2–3 s, while the browser's own parser puts the same HTML in place, laid out, in 0.1–0.3 s. So the server
writes the HTML (``static_html.to_html``, every text and attribute escaped) into the pane's store, and a
clientside callback (``assets/html_pane.js``) sets it as the pane's content. Dash never renders children into the
pane, so it never undoes what the script put there.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, dcc
from huddle.dashboard.web.static_html import to_html

#: what a pane's store id adds to the pane's
STORE_SUFFIX = "-html"


def store_id(pane_id: str) -> str:
    """The id of the store that carries a pane's HTML."""
    return pane_id + STORE_SUFFIX


def is_pane_store(component_id: object, prop: str) -> bool:
    """Whether an output (a component's id and property) is the HTML of a pane."""
    return isinstance(component_id, str) and component_id.endswith(STORE_SUFFIX) and prop.split("@")[0] == "data"


def pane_store(pane_id: str) -> dcc.Store:
    """The store a pane's HTML arrives in (laid out next to the pane, which has no children of its own)."""
    return dcc.Store(id=store_id(pane_id))


def pane_html(node: Any, controls: bool = False) -> str:
    """A component tree as the HTML its pane shows, every text escaped; with ``controls``, its text and number
    boxes as the browser's own (a form the page's script reads: ``static_html.to_html``)."""
    return to_html(node, controls)


def register(app: Dash, pane_id: str) -> None:
    """Put the HTML its store receives in place as the pane's content."""
    app.clientside_callback(ClientsideFunction("html_pane", "fill"), Input(store_id(pane_id), "data"))
