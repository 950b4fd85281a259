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
from collections.abc import Callable, Mapping
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
#: what Dash keeps on every component besides its props: its lists of property names
_NOT_PROPS = frozenset({"_prop_names", "_valid_wildcard_attributes", "available_properties",
                        "available_wildcard_properties"})


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
    out: list[str] = []
    _write(node, controls, out.append)
    return "".join(out)


def component_props(component: Component) -> dict[str, Any]:
    """The props set on a component, as ``to_plotly_json`` gives them.

    Read from the component's own attributes: ``to_plotly_json`` asks for each of its class's 30-odd property names
    in turn, which was half the time of writing the OKR page's 9,000 elements."""
    return {key: value for key, value in vars(component).items() if key not in _NOT_PROPS}


def _write(node: Any, controls: bool, out: Callable[[str], None]) -> None:
    """Write a node's HTML piece by piece (joined once, at the end, by ``to_html``)."""
    if type(node) is str:  # most nodes: asked first, as the checks below cost more
        out(escape(node))
        return
    if node is None or isinstance(node, bool):
        return
    if isinstance(node, (list, tuple)):
        for child in node:
            _write(child, controls, out)
        return
    if isinstance(node, Component):
        namespace, kind, props = node._namespace, node._type, component_props(node)
    elif isinstance(node, Mapping) and {"namespace", "type", "props"} <= node.keys():
        namespace, kind, props = node["namespace"], node["type"], node["props"]  # a render kept as Dash's JSON
    else:
        out(str(escape(node)))
        return
    if namespace == HTML:
        tag = kind.lower()
        out(f"<{tag}{_attributes(props)}>")
        if tag not in VOID:
            _write(props.get("children"), controls, out)
            out(f"</{tag}>")
    elif kind == "Link":  # dcc.Link: an anchor
        out(f"<a{_attributes(props)}>")
        _write(props.get("children"), controls, out)
        out("</a>")
    elif controls and kind == "Input":
        out(f"<input{_attributes(props)}>")
    elif controls and kind == "Textarea":
        out(f"<textarea{_attributes({k: v for k, v in props.items() if k != 'value'})}>"
            f"{escape(props.get('value') or '')}</textarea>")
    else:  # stores, timers, locations and form controls draw nothing in a picture; a wrapper its content
        _write(props.get("children"), controls, out)
