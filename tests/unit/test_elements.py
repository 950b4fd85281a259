"""The board's HTML elements are Dash's own components, made without Dash's slow constructor: same JSON, same
refusals."""

from __future__ import annotations

import json

import pytest
from dash import html as dash_html
from huddle.dashboard.web.render_cache import plain
from huddle.pages.elements import html
from plotly.io.json import to_json_plotly


def _tree(h: object) -> object:
    return h.Div([h.Span("OEE", className="kpi-name", title="Overall"),  # type: ignore[attr-defined]
                  h.Div(None, id={"kind": "tile", "kpi": "oee"}, **{"data-icon": "ok", "aria-label": "ok"}),
                  h.Td("5", colSpan=2), h.Div()],
                 className="tile", style={"gridColumn": "1 / 3"})


def test_elements_write_the_json_dash_writes() -> None:
    light, dash = _tree(html), _tree(dash_html)
    assert type(light) is dash_html.Div and type(light.children[2]) is dash_html.Td  # type: ignore[attr-defined]
    # Dash orders data- and aria- props as a set of their names does (by hash): compare what they say
    assert json.loads(to_json_plotly(light)) == json.loads(to_json_plotly(dash))
    assert plain(light) == plain(dash)
    for mine, theirs in zip(light.children, dash.children, strict=True):  # type: ignore[attr-defined]
        assert vars(mine) == vars(theirs)  # the same attributes, Dash's lists of property names included


def test_elements_refuse_what_dash_refuses() -> None:
    with pytest.raises(TypeError, match="no property `colour`"):
        html.Div("x", colour="red")
    with pytest.raises(TypeError, match="not for `children`"):
        html.Div("x", title=html.Span("y"))
    with pytest.raises(TypeError, match="`id` must be text"):
        html.Div("x", id=3)
    with pytest.raises(AttributeError):
        html.NoSuchElement  # noqa: B018
