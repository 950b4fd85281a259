"""The Data page: loader status, the run ledger, the quarantine and the 48-hour baseline tracker. The layout (the
tables arrive through the data callback) and its renderers: the data status (``services.data_status.report()``) in, the
health strip and the tables out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash
from dash import dcc, html
from huddle.dashboard.core.format import format_age
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, has_request_context
from huddle.pages.components import table

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig


def _section(title: str, hint: str, body_id: str, *extra: object) -> html.Section:
    return html.Section([html.H2(title), html.P(hint, className="hint"), html.Div(id=body_id, className="table-wrap"),
                         *extra], className="card")


def _run_now() -> html.Div:
    """Admins may run a loader now instead of waiting for its schedule (the server checks the role)."""
    admin = current_identity().may("admin") if has_request_context() else True
    return html.Div([
        html.Label(["Run a loader now", dcc.Dropdown(id=ids.RUN_SOURCE, clearable=False)], className="manual-field"),
        html.Button("Run now", id=ids.RUN_BUTTON, n_clicks=0, className="primary", disabled=not admin),
        html.Span(id=ids.RUN_MESSAGE, className="form-message", role="status"),
    ], className="form-row run-now")


def _manual_form() -> html.Section:
    """Enter a value of a KPI computed nowhere else; editors only (the server checks, the form only says so)."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = ("A value typed here is stored like a loaded one and recorded in the audit trail."
            if editor else "Sign in as an editor to enter values.")
    field = "manual-field"
    return html.Section([
        html.H2("Enter a value"), html.P(hint, className="hint"),
        html.Div([
            html.Label(["KPI", dcc.Dropdown(id=ids.MANUAL_KPI, clearable=False)], className=field),
            html.Label(["Line, area or plant", dcc.Dropdown(id=ids.MANUAL_LOCATION, clearable=False)],
                       className=field),
            html.Label(["Production date", dcc.Input(id=ids.MANUAL_DATE, type="date")], className=field),
            html.Label(["Shift (blank: whole day)", dcc.Dropdown(id=ids.MANUAL_SHIFT)], className=field),
            html.Label(["Value", dcc.Input(id=ids.MANUAL_VALUE, type="number", min=0)], className=field),
            html.Button("Save", id=ids.MANUAL_SAVE, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.P(id=ids.MANUAL_MESSAGE, className="form-message", role="status"),
    ], id=ids.MANUAL_SECTION, className="card")


def layout(**_query: str) -> html.Div:
    """Skeleton; the tables arrive through the data callback."""
    return html.Div([
        html.Div([html.H1("Data")], className="page-head"),
        html.Div(id=ids.DATA_HEALTH, className="health-strip"),
        _section("Loaders", "Each source Huddle reads, its schedule and its last runs. The last load is the last run "
                 "that read something, with the rows it loaded and refused; runs that found nothing new come after "
                 "it.", ids.DATA_SOURCES, _run_now()),
        _section("Baseline tracker", "Every KPI with its current value, data source, frequency and owner. "
                 "A KPI with no data source is a finding to resolve.", ids.DATA_BASELINE),
        _section("Quarantine", "Rows and files the loaders refused, where they were and why. Fix the file and "
                 "drop it in the inbox again: good rows already loaded are not doubled.", ids.DATA_QUARANTINE),
        _section("Run ledger", "The latest 50 loader runs.", ids.DATA_RUNS),
        _manual_form(),
        dcc.Interval(id=ids.DATA_REFRESH, interval=15_000),
    ])


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("data", path="/data", name="Data", order=90, nav=True, layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


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


def _baseline(baseline: list[dict[str, Any]]) -> list[Any]:
    ready = sum(1 for b in baseline if b["findings"] == "ok")
    summary = html.P(f"{ready} of {len(baseline)} KPIs have a current value, a data source, a frequency and an "
                     f"owner; {len(baseline) - ready} have findings.", className="summary")
    return [summary, table([("category", ""), ("name", "KPI"), ("period", "Period"), ("value", "Current value"),
                            ("target", "Target"), ("status", "Status"), ("age", "Freshness"),
                            ("data_source", "Data source"), ("frequency", "Frequency"), ("owner", "Owner"),
                            ("baseline", "Baseline"), ("findings", "Findings")], baseline, status_key="status")]


def render_status(status: dict[str, Any]) -> tuple[Any, ...]:
    """The health strip, and the loaders, baseline tracker, quarantine and run ledger tables."""
    runs = [r | {"duration": f"{r['duration_s']:.1f} s" if r["duration_s"] is not None else "running"}
            for r in status["runs"]]
    return (
        health_strip(status["health"]),
        table([("key", "Source"), ("kind", "Kind"), ("record", "Record type"), ("where", "Reads"),
               ("schedule", "Schedule"), ("status", "Last status"), ("last_run", "Last run"),
               ("last_load", "Last load"), ("last_success", "Last success"), ("last_failure", "Last failure")],
              status["sources"], empty="No sources are configured."),
        _baseline(status["baseline"]),
        table([("when", "When"), ("source", "Source"), ("file", "File"), ("row", "Line"),
               ("column", "Column"), ("value", "Value"), ("reason", "Reason")], status["quarantine"],
              empty="Nothing has been refused."),
        table([("started", "Started"), ("source", "Source"), ("trigger", "Trigger"), ("status", "Status"),
               ("duration", "Took"), ("files", "Files"), ("rows_read", "Read"), ("rows_loaded", "Loaded"),
               ("rows_rejected", "Rejected"), ("message", "Message")], runs, empty="No loader has run yet.",
              row_class="status"),
    )


def place_options(config: PlantConfig) -> list[dict[str, str]]:
    """Where a value can be entered: the site, each area and its lines (indented)."""
    places = [{"label": config.site_name, "value": config.site_key}]
    for area in config.areas.values():
        places.append({"label": area.name, "value": area.key})
        places.extend({"label": f"  {config.lines[ln].name}", "value": ln} for ln in area.lines)
    return places
