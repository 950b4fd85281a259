"""The plain-HTML picture of a page: tags, classes, styles and the attributes style sheets read are written, every
text and value escaped, and nothing that could pass for the live page (ids) or that draws nothing is."""

from __future__ import annotations

from dash import dash_table, dcc, html
from huddle.dashboard.web.static_html import component_props, one_element, to_html
from huddle.pages.elements import html as fast_html


def test_html_components_are_written_as_their_tags_with_what_the_style_sheets_read() -> None:
    tree = html.Div([html.Span("OEE", className="kpi-name", title="Line 1"), html.B(97.6), html.Br(),
                     html.Img(src="/assets/logo.svg", alt="logo")],
                    className="tile status-green", style={"gridRow": 2, "gridColumn": "3"}, role="img",
                    hidden=False, **{"data-icon": "✓", "aria-label": "on target"})
    assert to_html(tree) == (
        '<div aria-label="on target" class="tile status-green" data-icon="✓" role="img" '
        'style="grid-row: 2; grid-column: 3"><span class="kpi-name" title="Line 1">OEE</span><b>97.6</b><br>'
        '<img alt="logo" src="/assets/logo.svg"></div>')
    assert to_html(html.Section("x", hidden=True)) == "<section hidden>x</section>"


def test_every_text_and_value_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    tree = html.Div(hostile, title=hostile, className='a" onclick="b', **{"data-icon": "<&>"})
    written = to_html(tree)
    assert "<script>" not in written and 'onclick="b' not in written
    assert written == ('<div class="a&#34; onclick=&#34;b" data-icon="&lt;&amp;&gt;" '
                       'title="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;">'
                       '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</div>')


def test_ids_stores_timers_and_controls_are_left_out_and_links_are_anchors() -> None:
    tree = html.Div([dcc.Store(id="view", data={"scope": "L1"}), dcc.Interval(id="tick"),
                     dcc.Dropdown(id="pick", options=["a"]), dcc.Input(id="what", value="typed"),
                     dcc.Link("OEE", href="/tree?node=oee&scope=L1", className="tile-link"),
                     dcc.Loading(html.P("inside"))], id="board-body", className="board")
    assert to_html(tree) == ('<div class="board"><a class="tile-link" href="/tree?node=oee&amp;scope=L1">OEE</a>'
                             '<p>inside</p></div>')


def test_text_lists_and_nothing() -> None:
    assert to_html(["a", 1, None, False, html.I("b")]) == "a1<i>b</i>"
    assert to_html(None) == ""


def test_a_render_kept_as_the_json_dash_sends_is_written_alike() -> None:
    from huddle.dashboard.web.render_cache import plain

    tree = html.Div([html.Span("OEE", className="kpi-name"), dcc.Link("tree", href="/tree")], className="tile")
    assert to_html(plain(tree)) == to_html(tree) == ('<div class="tile"><span class="kpi-name">OEE</span>'
                                                     '<a href="/tree">tree</a></div>')


def test_content_sent_as_one_element_is_its_escaped_html_with_no_blank_line() -> None:
    hostile = '<script>alert("x")</script>'
    table = html.Table(html.Tr([html.Td(dcc.Link("Line 1\n\n# not a heading", href="/tree?scope=L1"),
                                        className="cell status-red"), html.Td(hostile)]), className="grid")
    block = one_element(table)
    assert isinstance(block, dcc.Markdown) and block.dangerously_allow_html is True
    assert block.children == ('<table class="grid"><tr><td class="cell status-red"><a href="/tree?scope=L1">'
                              'Line 1&#10;&#10;# not a heading</a></td>'
                              '<td>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td></tr></table>')
    assert "\n" not in block.children  # a blank line would end the HTML and let the rest be read as Markdown


def test_text_and_number_boxes_are_written_as_the_browsers_own_when_asked() -> None:
    form = html.Label(["Confidence 0–10", dcc.Input(id={"type": "c", "kr": 3}, type="number", min=0, max=10, step=1,
                                                    value=4, className="okr-ci-confidence", disabled=True),
                       dcc.Textarea(className="okr-ci-moved", maxLength=1000, value="<b>kept</b>"),
                       html.Button("Save", type="button", className="primary")])
    assert to_html(form, controls=True) == (
        '<label>Confidence 0–10<input class="okr-ci-confidence" disabled max="10" min="0" step="1" type="number" '
        'value="4"><textarea class="okr-ci-moved" maxlength="1000">&lt;b&gt;kept&lt;/b&gt;</textarea>'
        '<button class="primary" type="button">Save</button></label>')
    assert to_html(form) == '<label>Confidence 0–10<button class="primary" type="button">Save</button></label>'
    assert to_html(dcc.Input(value='"><script>x</script>'), controls=True) == (
        '<input value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;">')


def test_the_props_read_are_those_dash_sends() -> None:
    made = [html.Div(["a", html.Span("b")], className="c", title="t", **{"data-kr": 3, "aria-label": "x"}),
            fast_html.Div("x", className="c", **{"data-seen": 2}), fast_html.Button("Save", hidden=True, n_clicks=0),
            dcc.Input(id={"kr": 1}, value=3.5, type="number", min=0), dcc.Link("OEE", href="/tree"),
            dcc.Store(id="s", data={"a": [1]}), dcc.Textarea(value="why", maxLength=500), html.Br(),
            dash_table.DataTable(data=[{"a": 1}], columns=[{"id": "a", "name": "A"}])]
    unnamed = html.Div()
    unnamed._set_random_id()
    for component in [*made, unnamed]:
        assert component_props(component) == component.to_plotly_json()["props"], type(component).__name__
