"""Wiring of the Data page: loaders, run ledger, quarantine and baseline tracker, refreshed every 15 s."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, html

from dashboard import ids
from dashboard.format import format_age
from dashboard.services import Services
from pages.components import table


def health_strip(health: dict[str, Any]) -> list[Any]:
    """Data age and failing loaders, in words."""
    parts: list[Any] = [html.Span(f"Newest data: {format_age(health['data_age_seconds'])}", className="pill")]
    if health["failing_sources"]:
        parts.append(html.Span(f"Loader failing: {', '.join(health['failing_sources'])}", className="pill bad"))
    else:
        parts.append(html.Span("All loaders ran without failure", className="pill good"))
    return parts


def register(app: Dash, services: Services) -> None:
    """Wire the Data page."""

    @app.callback(
        Output(ids.DATA_HEALTH, "children"), Output(ids.DATA_SOURCES, "children"),
        Output(ids.DATA_BASELINE, "children"), Output(ids.DATA_QUARANTINE, "children"),
        Output(ids.DATA_RUNS, "children"),
        Input(ids.DATA_REFRESH, "n_intervals"),
    )
    def refresh(_n: int | None) -> tuple[Any, ...]:
        status = services.data_status()
        baseline = status["baseline"]
        ready = sum(1 for b in baseline if b["findings"] == "ok")
        summary = html.P(f"{ready} of {len(baseline)} KPIs have a current value, a data source, a frequency and an "
                         f"owner; {len(baseline) - ready} have findings.", className="summary")
        runs = [r | {"duration": f"{r['duration_s']:.1f} s" if r["duration_s"] is not None else "running"}
                for r in status["runs"]]
        return (
            health_strip(status["health"]),
            table([("key", "Source"), ("kind", "Kind"), ("record", "Record type"), ("where", "Reads"),
                   ("schedule", "Schedule"), ("status", "Last status"), ("last_run", "Last run"),
                   ("last_success", "Last success"), ("last_failure", "Last failure")], status["sources"],
                  empty="No sources are configured."),
            [summary, table([("category", ""), ("name", "KPI"), ("period", "Period"), ("value", "Current value"),
                   ("target", "Target"), ("status", "Status"), ("age", "Freshness"),
                   ("data_source", "Data source"), ("frequency", "Frequency"), ("owner", "Owner"),
                   ("baseline", "Baseline"), ("findings", "Findings")], baseline, status_key="status")],
            table([("when", "When"), ("source", "Source"), ("file", "File"), ("row", "Line"),
                   ("column", "Column"), ("value", "Value"), ("reason", "Reason")], status["quarantine"],
                  empty="Nothing has been refused."),
            table([("started", "Started"), ("source", "Source"), ("trigger", "Trigger"), ("status", "Status"),
                   ("duration", "Took"), ("files", "Files"), ("rows_read", "Read"), ("rows_loaded", "Loaded"),
                   ("rows_rejected", "Rejected"), ("message", "Message")], runs, empty="No loader has run yet.",
                  row_class="status"),
        )
