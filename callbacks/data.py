"""Wiring of the Data page: loaders, run ledger, quarantine and baseline tracker, refreshed every 15 s."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, html
from huddle.dashboard.core.format import format_age
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.manual_values import ManualValueError
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity
from huddle.pages.components import table


def health_strip(health: dict[str, Any]) -> list[Any]:
    """Data age and failing loaders, in words; a database that cannot be trusted first of all."""
    if health["status"] == "error":
        return [html.Span(f"✖ Database problem: {health['reason']}", className="pill bad", role="alert")]
    parts: list[Any] = [html.Span(f"Newest data: {format_age(health['data_age_seconds'])}", className="pill")]
    if health["failing_sources"]:
        parts.append(html.Span(f"Loader failing: {', '.join(health['failing_sources'])}", className="pill bad"))
    else:
        parts.append(html.Span("All loaders ran without failure", className="pill good"))
    return parts


def register(app: Dash, services: Services) -> None:
    """Wire the Data page."""

    @app.callback(
        Output(ids.MANUAL_KPI, "options"), Output(ids.MANUAL_KPI, "value"),
        Output(ids.MANUAL_LOCATION, "options"), Output(ids.MANUAL_LOCATION, "value"),
        Output(ids.MANUAL_SHIFT, "options"), Output(ids.MANUAL_DATE, "value"),
        Input(ids.MANUAL_SAVE, "id"),
    )
    def manual_options(_id: str) -> tuple[Any, ...]:
        config = services.config
        kpis = [{"label": name, "value": key} for key, name in services.manual.kpis()]
        places = [{"label": config.site_name, "value": config.site_key}]
        for area in config.areas.values():
            places.append({"label": area.name, "value": area.key})
            places.extend({"label": f"  {config.lines[ln].name}", "value": ln} for ln in area.lines)
        shifts = [{"label": s.name, "value": s.key} for s in config.calendar.shifts]
        today = services.clock().astimezone(config.tz).date().isoformat()
        return kpis, (kpis[0]["value"] if kpis else None), places, config.site_key, shifts, today

    @app.callback(Output(ids.RUN_SOURCE, "options"), Output(ids.RUN_SOURCE, "value"), Input(ids.RUN_BUTTON, "id"))
    def run_options(_id: str) -> tuple[list[dict[str, str]], str | None]:
        keys = list(services.config.sources)
        return [{"label": k, "value": k} for k in keys], (keys[0] if keys else None)

    @app.callback(
        Output(ids.RUN_MESSAGE, "children"),
        Input(ids.RUN_BUTTON, "n_clicks"), State(ids.RUN_SOURCE, "value"),
        prevent_initial_call=True,
    )
    def run_now(_n: int, key: str | None) -> str:
        who = current_identity()
        try:
            who.require("admin", "running a loader")
        except ForbiddenError as exc:
            return f"Not run: {exc}"
        if key not in services.config.sources:
            return "Not run: pick a source"
        outcome = services.loader.run_source(key, trigger="admin")
        with services.sessions.begin() as session:
            services.accounts.audit(session, who, "loader.run", key, status=outcome.status,
                                    rows_loaded=outcome.rows_loaded, rows_rejected=outcome.rows_rejected)
        return (f"{key}: {outcome.status}, {outcome.rows_read} rows read, {outcome.rows_loaded} loaded, "
                f"{outcome.rows_rejected} refused" + (f" — {outcome.message}" if outcome.status == "failed" else ""))

    @app.callback(
        Output(ids.MANUAL_MESSAGE, "children"),
        Input(ids.MANUAL_SAVE, "n_clicks"),
        State(ids.MANUAL_KPI, "value"), State(ids.MANUAL_LOCATION, "value"), State(ids.MANUAL_DATE, "value"),
        State(ids.MANUAL_SHIFT, "value"), State(ids.MANUAL_VALUE, "value"),
        prevent_initial_call=True,
    )
    def save_manual(_n: int, kpi: str, location: str, day: str, shift: str | None, value: Any) -> str:
        try:
            entry = services.manual.set(current_identity(), kpi, location, day, shift or "", value)
        except (ForbiddenError, ManualValueError) as exc:
            return f"Not stored: {exc}"
        was = f" (was {entry.replaced:g})" if entry.replaced is not None else ""
        return f"Stored {entry.value:g} for {entry.kpi}, {entry.location}, {entry.production_date} {entry.shift}{was}."

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
                   ("last_load", "Last load"), ("last_success", "Last success"), ("last_failure", "Last failure")],
                  status["sources"],
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
