"""Dash components written out as plain HTML: the picture a wall TV shows before the page's scripts have run, and
content without controls that a page sends as one element (``one_element``).

Only what a picture needs is written: the html components as their tags, links as anchors, classes, styles, titles,
roles and the ``aria-``/``data-`` attributes the style sheets and screen readers read. Components that draw nothing
by themselves (stores, timers, the location) write nothing, a wrapper writes its content, and Dash's form controls
(``dcc``) write nothing: a TV's board has none showing, and a control that cannot be used yet is worse than none.
Asked to (``controls``), text and number boxes are written as the browser's own: a form whose script reads it
itself (the OKR check-in) is sent as HTML. Ids are left out, so nothing that looks an element
up by id (a script, a test, the page's own callbacks) can take the picture for the live page that replaces it.
Every text and attribute value is escaped: the picture holds the plant's words and people's, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dash import dcc
from dash.development.base_component import Component
from markupsafe import escape

#: attributes written under their HTML names (the rest of a component's props are Dash's own or a control's);
#: the form controls' own among them, for a form a page's script reads itself (``to_html(controls=True)``)
ATTRIBUTES = {"className": "class", "title": "title", "href": "href", "role": "role", "alt": "alt", "src": "src",
              "colSpan": "colspan", "rowSpan": "rowspan", "lang": "lang", "dir": "dir", "type": "type",
              "value": "value", "min": "min", "max": "max", "step": "step", "maxLength": "maxlength",
              "name": "name", "placeholder": "placeholder", "inputMode": "inputmode"}
#: attributes that are there or not (written without a value when true)
BOOLEAN_ATTRIBUTES = {"hidden": "hidden", "disabled": "disabled", "readOnly": "readonly", "required": "required"}
#: html components whose tag has no content and no end tag
VOID = {"br", "hr", "img", "wbr"}
#: namespaces whose components are their tag
HTML = "dash_html_components"
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _style(style: Mapping[str, Any]) -> str:
    """A React style object as a style attribute's text (``gridRow`` → ``grid-row``)."""
    return "; ".join(f"{CAMEL.sub('-', key).lower()}: {value}" for key, value in style.items()
                     if value is not None and value != "")


def _attributes(props: Mapping[str, Any], extra_class: str = "") -> str:
    """The HTML attributes a component's props make, escaped, each with its leading space."""
    found: list[str] = []
    for prop, value in props.items():
        if value is None or value is False:
            continue
        if prop in ATTRIBUTES:
            found.append(f'{ATTRIBUTES[prop]}="{escape(value)}"')
        elif prop == "style" and isinstance(value, Mapping):
            found.append(f'style="{escape(_style(value))}"')
        elif prop in BOOLEAN_ATTRIBUTES and value:
            found.append(BOOLEAN_ATTRIBUTES[prop])
        elif prop.startswith(("aria-", "data-")):
            found.append(f'{prop}="{escape(value)}"')
    if extra_class:
        found.append(f'class="{escape(extra_class)}"')
    return "".join(f" {a}" for a in sorted(found))  # in one order, whatever order the props were given in


def _children(value: Any) -> Iterable[Any]:
    """A children prop as a sequence."""
    if value is None:
        return ()
    return value if isinstance(value, (list, tuple)) else (value,)


def one_element(node: Any) -> dcc.Markdown:
    """Content without controls (a table of readings and links) sent as one element of HTML, every text escaped.

    Dash keeps each component it is sent in its store and checks every one of them again on each later update of
    the page: the overview's 1,700 elements kept the browser's main thread busy for 7.6 s after they arrived. As
    one element the browser draws the same elements in 0.2–0.6 s. Links become plain ones: following one loads the
    page they lead to. A line break is written as its character reference, so no blank line can end the HTML and
    let what follows be read as Markdown."""
    return dcc.Markdown(to_html(node).replace("\n", "&#10;"), dangerously_allow_html=True, className="as-html")


def to_html(node: Any, controls: bool = False) -> str:
    """A component tree (or text, or a list of them) as HTML, every text escaped; with ``controls``, Dash's text
    and number boxes (``dcc.Input``, ``dcc.Textarea``) as the browser's own, for a form a page's script reads."""
    if node is None or isinstance(node, bool):
        return ""
    if isinstance(node, (list, tuple)):
        return "".join(to_html(child, controls) for child in node)
    if isinstance(node, Component):
        node = node.to_plotly_json()  # a component as Dash sends it: namespace, type and the props set
    if not (isinstance(node, Mapping) and {"namespace", "type", "props"} <= node.keys()):
        return str(escape(node))  # (a render kept by the render cache is that JSON already)
    namespace, kind, props = node["namespace"], node["type"], node["props"]
    if namespace == HTML:
        tag = kind.lower()
        if tag in VOID:
            return f"<{tag}{_attributes(props)}>"
        return f"<{tag}{_attributes(props)}>{to_html(list(_children(props.get('children'))), controls)}</{tag}>"
    if kind == "Link":  # dcc.Link: an anchor
        return f"<a{_attributes(props)}>{to_html(list(_children(props.get('children'))), controls)}</a>"
    if controls and kind == "Input":
        return f"<input{_attributes(props)}>"
    if controls and kind == "Textarea":
        attributes = _attributes({k: v for k, v in props.items() if k != "value"})
        return f"<textarea{attributes}>{escape(props.get('value') or '')}</textarea>"
    # stores, timers, locations and form controls draw nothing in a picture; a wrapper (dcc.Loading) its content
    return to_html(list(_children(props.get("children"))), controls)
