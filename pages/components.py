"""Small presentation pieces shared by pages and callbacks: tables and status badges (text, never HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from dashboard.format import status_label


def status_badge(status: str) -> html.Span:
    """Colour, icon and word for a status."""
    return html.Span(status_label(status), className=f"badge status-{status}")


def table(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], *, status_key: str | None = None,
          empty: str = "Nothing to show.", row_class: str | None = None) -> html.Table | html.P:
    """A plain table: ``columns`` is (key, heading); a ``status_key`` column renders as a badge."""
    if not rows:
        return html.P(empty, className="empty")
    head = html.Thead(html.Tr([html.Th(h) for _, h in columns]))
    body = []
    for r in rows:
        cells = []
        for key, _ in columns:
            value = r.get(key, "")
            if key == status_key:
                cells.append(html.Td(status_badge(str(value))))
            elif isinstance(value, html.Span | html.Div):
                cells.append(html.Td(value))
            else:
                cells.append(html.Td("" if value is None else str(value)))
        body.append(html.Tr(cells, className=str(r.get(row_class, "")) if row_class else None))
    return html.Table([head, html.Tbody(body)], className="grid")
