"""The KPI tree's graph and its outline: how the graph is drawn (its stylesheet, labels readable at 1366×768, the
canvas sized to the drawn tree, the way down to each red node marked) and the same tree as a nested list of
buttons for the keyboard and a screen reader. The tree's read model (``services.tree.TreeView``) in, cytoscape
elements and components out; no services, no database, no clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dash import html
from huddle.dashboard.core.format import format_value, status_label
from huddle.dashboard.core.i18n import _, number
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.services.tree import TreeView

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

#: What a label reads at the least, in screen pixels: the graph never zooms out below it (a tree wider than seven
#: nodes side by side stacks its leaves under their parents to fit a laptop: core.tree_layout).
LABEL_PX = 14
#: The canvas's height per level of drawn nodes and around them, in screen pixels (the tree fits; no empty canvas);
#: a tree whose leaves are stacked under their parents (too wide side by side) may take more than a laptop's screen
#: in height: the page scrolls down, the labels stay readable.
LEVEL_PX, CANVAS_MARGIN_PX, CANVAS_MIN_PX, CANVAS_MAX_PX, CANVAS_STACKED_MAX_PX = 140, 70, 260, 640, 1100

#: How the tree is drawn: status by fill, border and an icon in the label (colour is never the only signal),
#: driver edges solid with how they combine, trade-offs dashed; the way down to each red node thick, with arrows
#: and an outline around its nodes.
STYLESHEET: list[dict[str, Any]] = [
    {"selector": "node", "style": {
        "shape": "round-rectangle", "width": 164, "height": 92, "label": "data(label)", "text-wrap": "wrap",
        "text-max-width": 152, "text-valign": "center", "text-halign": "center", "font-size": LABEL_PX,
        "font-family": "DejaVu Sans, sans-serif", "line-height": 1.15, "background-color": "#eceff1",
        "border-width": 3, "border-color": "#6b7680", "color": "#14202b"}},
    {"selector": ".green", "style": {"background-color": "#e3f4e7", "border-color": "#1e7b34"}},
    {"selector": ".amber", "style": {"background-color": "#fff1d6", "border-color": "#9a6200"}},
    {"selector": ".red", "style": {"background-color": "#fde4e4", "border-color": "#b3141c", "border-width": 5}},
    {"selector": ".grey", "style": {"background-color": "#eceff1", "border-color": "#6b7680", "color": "#4b5660"}},
    {"selector": ".stale", "style": {"background-color": "#e6e6e6", "border-style": "dashed"}},
    {"selector": ".incomplete", "style": {"background-color": "#e9ecef", "border-color": "#6b7680",
                                          "border-style": "dashed", "border-width": 4}},
    {"selector": ".check", "style": {"background-color": "#fff8e1", "border-color": "#3b2a00", "border-width": 6}},
    {"selector": ".red-below", "style": {"border-style": "double", "border-width": 7}},
    {"selector": ".folded", "style": {"shape": "round-rectangle", "background-opacity": 0.9}},
    {"selector": "node.red-path", "style": {"outline-width": 4, "outline-color": "#7a0d12", "outline-offset": 4,
                                            "outline-style": "solid"}},
    # a KPI of another layer than the address keeps: drawn faint, as the tree still needs it to add up
    {"selector": ".off-layer", "style": {"opacity": 0.4}},
    {"selector": ".chosen", "style": {"underlay-color": "#1f4e79", "underlay-opacity": 0.35,
                                      "underlay-padding": 12}},
    {"selector": "edge", "style": {"curve-style": "taxi", "taxi-direction": "downward", "width": 2.5,
                                   "line-color": "#8796a5", "target-arrow-shape": "none",
                                   "label": "data(label)", "font-size": 18, "font-weight": "bold",
                                   "text-background-color": "#ffffff", "text-background-opacity": 1,
                                   "text-background-padding": 2, "color": "#1f4e79"}},
    {"selector": ".driver", "style": {"line-style": "dotted", "line-color": "#9aa7b3"}},
    # a leaf stacked under its parent: a line down the stack's left, from the parent's bottom into the leaf's side
    {"selector": ".stacked", "style": {"curve-style": "straight", "source-endpoint": "-40% 50%",
                                       "target-endpoint": "-50% 0%", "text-margin-x": -16}},
    {"selector": "edge.red-path", "style": {"width": 7, "line-style": "solid", "line-color": "#b3141c",
                                            "target-arrow-shape": "triangle", "target-arrow-color": "#b3141c",
                                            "arrow-scale": 1.1, "z-index": 5}},
    # a trade-off arcs between the bottoms of its two nodes: siblings sit too close for a straight line to show
    {"selector": ".tradeoff", "style": {"curve-style": "unbundled-bezier", "control-point-distances": [70],
                                        "control-point-weights": [0.5], "source-endpoint": "0% 50%",
                                        "target-endpoint": "0% 50%", "line-style": "dashed",
                                        "line-color": "#c26a00", "width": 3, "font-size": LABEL_PX,
                                        "color": "#c26a00", "label": "data(label)", "z-index": 10}},
]


def node_label(view: TreeView, key: str, unit: str) -> str:
    """A node's label: name, value / target, status in an icon and words, and what lies below it."""
    node = view.nodes[key]
    reading = node.reading
    status = str(reading.status)
    value = _("no data") if reading.value is None else format_value(reading.value, unit)
    target = "" if reading.target is None else f" / {format_value(reading.target, unit)}"
    marks = []
    if node.red_below:
        marks.append("▼ " + _("red below"))
    if key in view.hidden_below:
        marks.append(_("+{n} below").format(n=view.hidden_below[key]))
    word = status_label(status)
    if reading.status is Status.INCOMPLETE and reading.coverage is not None:
        word += " · " + _("{share} % covered").format(share=number(reading.coverage * 100))
    lines = [node.name, value + target, word]
    if marks:
        lines.append(" · ".join(marks))
    return "\n".join(lines)


def off_layer(config: PlantConfig, key: str, layers: tuple[int, ...]) -> bool:
    """Whether a node's KPI lies outside the layers an address keeps (never, without a filter)."""
    return bool(layers) and config.kpis[key].layer not in layers


def render_elements(view: TreeView, config: PlantConfig, selected: str | None,
                    layers: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """Cytoscape elements of the drawn nodes (preset positions from the server) and their edges, the way down to
    each red node marked, the nodes outside ``layers`` faint."""
    path_nodes, path_edges = view.red_path()
    out: list[dict[str, Any]] = []
    for key in view.visible:
        node = view.nodes[key]
        x, y = view.positions[key]
        classes = [str(node.reading.status)]
        if node.red_below:
            classes.append("red-below")
        if key in view.hidden_below:
            classes.append("folded")
        if key in path_nodes:
            classes.append("red-path")
        if key == selected:
            classes.append("chosen")
        if off_layer(config, key, layers):
            classes.append("off-layer")
        out.append({"data": {"id": key, "label": node_label(view, key, config.kpis[key].unit),
                             "opens": bool(view.tree.children(key)), "folded": key in view.hidden_below},
                    "position": {"x": x, "y": y}, "classes": " ".join(classes)})
    for parent, child, formula in view.edges():
        classes = ["formula" if formula else "driver"] + (["red-path"] if (parent, child) in path_edges else []) \
            + (["stacked"] if child in view.stacked else [])
        out.append({"data": {"id": f"{parent}->{child}", "source": parent, "target": child,
                             "label": {"product": "×", "sum": "+"}.get(formula or "", "")},
                    "classes": " ".join(classes)})
    for t in view.tradeoffs():
        out.append({"data": {"id": f"{t.a}<->{t.b}", "source": t.a, "target": t.b, "label": _("trade-off")},
                    "classes": "tradeoff"})
    return out


def canvas_style(view: TreeView) -> dict[str, str]:
    """The canvas as tall as the drawn tree needs (so it fits without an empty band), within bounds."""
    levels = 1 + max((view.nodes[k].depth for k in view.visible), default=0)
    height = min(CANVAS_MAX_PX, max(CANVAS_MIN_PX, levels * LEVEL_PX + CANVAS_MARGIN_PX))
    if view.stacked:  # as tall as the stacks reach
        ys = [view.positions[k][1] for k in view.visible]
        height = min(CANVAS_STACKED_MAX_PX, max(height, int(max(ys) - min(ys)) + LEVEL_PX + CANVAS_MARGIN_PX))
    return {"width": "100%", "height": f"{height}px"}


def _outline_words(view: TreeView, key: str, config: PlantConfig, on_path: bool, off: bool) -> list[Any]:
    node = view.nodes[key]
    reading = node.reading
    unit = config.kpis[key].unit
    status = str(reading.status)
    value = _("no data") if reading.value is None else format_value(reading.value, unit)
    target = _("no target") if reading.target is None else _("target {value}").format(
        value=format_value(reading.target, unit))
    words: list[Any] = [html.Strong(node.name), f" {value}, {target}, ",
                        html.Span(status_label(status), className=f"outline-status status-{status}")]
    if node.red_below:
        words.append(", " + _("red below"))
    if on_path:
        words.append(html.Span(" ▶ " + _("on the red path"), className="outline-path"))
    if off:
        words.append(html.Span(" · " + _("another layer"), className="hint"))
    return words


def render_outline(view: TreeView, config: PlantConfig, selected: str | None,
                   layers: tuple[int, ...] = ()) -> html.Nav:
    """The whole tree as a nested list of buttons, each node's value, target and status in words and the way down
    to each red node marked (the nodes outside ``layers`` faint and said to be): the tree for the keyboard and a
    screen reader, choosing what the canvas chooses."""
    path_nodes, _edges = view.red_path()

    def item(key: str, path: tuple[str, ...]) -> html.Li:
        on_path, off = key in path_nodes, off_layer(config, key, layers)
        button = html.Button(_outline_words(view, key, config, on_path, off), type="button", **{"data-node": key},
                             className="outline-node" + (" on-red-path" if on_path else "")
                             + (" off-layer" if off else ""),
                             **({"aria-current": "true"} if key == selected else {}))
        kids = [c for c in view.tree.children(key) if c not in path and c in view.nodes]
        return html.Li([button, html.Ul([item(c, (*path, c)) for c in kids]) if kids else None])

    root = view.tree.root
    return html.Nav([html.H2(_("The tree as a list"), id="tree-outline-title"),
                     html.P(_("Choose a node to open its panel; ▶ marks the way down to each red node."),
                            className="hint"),
                     html.Ul([item(root, (root,))], className="outline-tree")],
                    className="tree-outline", **{"aria-labelledby": "tree-outline-title"})
