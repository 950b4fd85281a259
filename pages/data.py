"""The Data page: the quarantine's open problems first (with a form to dismiss them), then the loaders, the files
read with their outcome in words, the 48-hour baseline tracker and the run ledger. The layout (the tables arrive
through the data callback) and its renderers: the data status (``services.data_status.report()``) in, the health
strip and the tables out. Text from files is passed as text, which Dash escapes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash
from dash import dcc, html
from huddle.dashboard.core.format import format_age
from huddle.dashboard.core.i18n import N_, _, ngettext, number, pgettext
from huddle.dashboard.core.names import record_type_name
from huddle.dashboard.web import ids
from huddle.dashboard.web.html_pane import pane_store
from huddle.dashboard.web.security import current_identity, has_request_context
from huddle.pages.components import scroll_box, table
from huddle.pages.notifications_log import section as notifications_section

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

#: a loader run's or a file's status in words (the ledger stores the code)
RUN_WORDS = {"loaded": N_("loaded"), "partial": N_("partly refused"), "failed": N_("failed"), "idle": N_("idle"),
             "running": N_("running"), "rejected": N_("refused"), "cut off": N_("cut off"),
             "never run": N_("never run"), "ok": N_("ok")}
#: how often a KPI is measured, and the baseline tracker's findings (the catalogue's codes)
FREQUENCIES = {"hour": N_("hourly"), "shift": N_("per shift"), "day": N_("daily"), "week": N_("weekly"),
               "month": N_("monthly")}
FINDINGS = {"ok": N_("ok"), "no data source": N_("no data source"), "no owner": N_("no owner"),
            "no data yet": N_("no data yet"), "stale": N_("stale")}
#: a source's kind in words
SOURCE_KINDS = {"files": N_("files"), "sql": N_("database query"), "mqtt": N_("MQTT messages")}
#: what started a loader run
TRIGGER_WORDS = {"schedule": N_("schedule"), "admin": N_("by hand"), "cli": N_("command line"),
                 "retry": N_("retry"), "demo": N_("demo"), "live": N_("live messages")}


def run_word(status: str) -> str:
    """A run's or file's status in words ("partial" reads "partly refused")."""
    return _(RUN_WORDS[status]) if status in RUN_WORDS else status


#: the tables that arrive as HTML (``html_pane``): plain text and badges, redrawn on every refresh of the page
TABLE_PANES = (ids.DATA_QUARANTINE, ids.QUARANTINE_CLOSED, ids.DATA_SOURCES, ids.DATA_FILES, ids.DATA_BASELINE,
               ids.DATA_RUNS)


def _pane(title: str, body_id: str) -> list[Any]:
    """A scrolling box whose table arrives as HTML, and the store it arrives in."""
    return [scroll_box(title, id=body_id), pane_store(body_id)]


def _section(title: str, hint: str, body_id: str, *extra: object) -> html.Section:
    return html.Section([html.H2(title), html.P(hint, className="hint"), *_pane(title, body_id), *extra],
                        className="card")


def _run_now() -> html.Div:
    """Admins may run a loader now instead of waiting for its schedule (the server checks the role)."""
    admin = current_identity().may("admin") if has_request_context() else True
    return html.Div([
        html.Label([_("Run a loader now"), dcc.Dropdown(id=ids.RUN_SOURCE, clearable=False)], className="manual-field"),
        html.Button(_("Run now"), id=ids.RUN_BUTTON, n_clicks=0, className="primary", disabled=not admin),
        html.Span(id=ids.RUN_MESSAGE, className="form-message", role="status"),
    ], className="form-row run-now")


def _dismiss_form() -> html.Div:
    """Dismiss open problems with a reason; editors only (the server checks, the form only says so)."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = (_("A problem that needs no fix (a test row, a line sent twice by mistake) can be dismissed with a "
              "reason, kept with it and in the audit trail.") if editor
            else _("Sign in as an editor to dismiss problems."))
    return html.Div([
        html.H3(_("Dismiss problems")), html.P(hint, className="hint"),
        html.Div([
            html.Label([_("Problems"), dcc.Dropdown(id=ids.QUARANTINE_PICK, multi=True,
                                                 placeholder=_("Pick one or more open problems"))],
                       className="manual-field wide"),
            html.Label([_("Reason"), dcc.Input(id=ids.QUARANTINE_REASON, type="text", maxLength=500,
                                            placeholder=_("why it needs no fix"))], className="manual-field wide"),
            html.Button(_("Dismiss"), id=ids.QUARANTINE_DISMISS, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.P(id=ids.QUARANTINE_MESSAGE, className="form-message", role="status"),
        dcc.Store(id=ids.QUARANTINE_CHANGED, data=0),
    ], className="dismiss-form")


def _manual_form() -> html.Section:
    """Enter a value of a KPI computed nowhere else; editors only (the server checks, the form only says so)."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = (_("A value typed here is stored like a loaded one and recorded in the audit trail.")
            if editor else _("Sign in as an editor to enter values."))
    field = "manual-field"
    return html.Section([
        html.H2(_("Enter a value")), html.P(hint, className="hint"),
        html.Div([
            html.Label([_("KPI"), dcc.Dropdown(id=ids.MANUAL_KPI, clearable=False)], className=field),
            html.Label([_("Line, area or plant"), dcc.Dropdown(id=ids.MANUAL_LOCATION, clearable=False)],
                       className=field),
            html.Label([_("Production date"), dcc.Input(id=ids.MANUAL_DATE, type="date")], className=field),
            html.Label([_("Shift (blank: whole day)"), dcc.Dropdown(id=ids.MANUAL_SHIFT)], className=field),
            html.Label([_("Value"), dcc.Input(id=ids.MANUAL_VALUE, type="number", min=0)], className=field),
            html.Button(_("Save"), id=ids.MANUAL_SAVE, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.P(id=ids.MANUAL_MESSAGE, className="form-message", role="status"),
    ], id=ids.MANUAL_SECTION, className="card")


def layout(**_query: str) -> html.Div:
    """Skeleton; the tables arrive through the data callback."""
    return html.Div([
        html.Div([html.H1(_("Data"))], className="page-head"),
        html.Div(id=ids.DATA_HEALTH, className="health-strip"),
        _section(_("Quarantine"), _("Rows and files the loaders refused and that are still to fix, newest first: "
                 "where they were and why. Fix the file and drop it in the inbox again: a row that then loads "
                 "resolves its problem, and good rows already loaded are not doubled."), ids.DATA_QUARANTINE,
                 _dismiss_form(), *_pane(_("Resolved and dismissed problems"), ids.QUARANTINE_CLOSED)),
        _section(_("Loaders"), _("Each source Huddle reads, its schedule and its last runs. The last load is the "
                 "last run that read something, with the rows it loaded and refused; runs that found nothing new "
                 "come after it."), ids.DATA_SOURCES, _run_now()),
        _section(_("Files read"), _("Every file the loaders have seen, newest first, and what became of it."),
                 ids.DATA_FILES),
        _section(_("Baseline tracker"), _("Every KPI with its current value, data source, frequency and owner. "
                 "A KPI with no data source is a finding to resolve."), ids.DATA_BASELINE),
        _section(_("Run ledger"), _("The latest 50 loader runs."), ids.DATA_RUNS),
        _manual_form(),
        notifications_section(),
        dcc.Interval(id=ids.DATA_REFRESH, interval=15_000),
    ])


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("data", path="/data", name=N_("Data"), order=90, nav=True, layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


def health_strip(health: dict[str, Any]) -> list[Any]:
    """Data age and failing loaders, in words; a database that cannot be trusted first of all."""
    if health["status"] == "error" and "scheduler" not in health:  # the database itself, not the loaders
        return [html.Span("✗ " + _("Database problem: {reason}").format(reason=health["reason"]),
                          className="pill bad", role="alert")]
    parts: list[Any] = [html.Span(_("Newest data: {age}").format(age=format_age(health["data_age_seconds"])),
                                  className="pill")]
    loaders = health.get("scheduler", {}).get("words", "")
    if loaders:  # the loaders stopped, or a source is late
        parts.append(html.Span(f"✗ {loaders}", className="pill bad", role="alert"))
    if health["failing_sources"]:
        failing = health["failing_sources"]
        parts.append(html.Span(ngettext("Loader failing: {sources}", "Loaders failing: {sources}", len(failing))
                               .format(sources=", ".join(failing)), className="pill bad"))
    elif not loaders:
        parts.append(html.Span(_("All loaders ran without failure"), className="pill good"))
    return parts


def _baseline(baseline: list[dict[str, Any]]) -> list[Any]:
    ready = sum(1 for b in baseline if b["findings"] == "ok")
    summary = html.P(ngettext("{ready} of {n} KPI has a current value, a data source, a frequency and an owner; "
                              "{findings} has findings.",
                              "{ready} of {n} KPIs have a current value, a data source, a frequency and an owner; "
                              "{findings} have findings.", len(baseline))
                     .format(ready=number(ready), n=number(len(baseline)), findings=number(len(baseline) - ready)),
                     className="summary")
    baseline = [b | {"frequency": _(FREQUENCIES.get(b["frequency"], b["frequency"])),
                     "findings": ", ".join(_(FINDINGS.get(f, f)) for f in b["findings"].split(", "))}
                for b in baseline]
    return [summary, table([("category", ""), ("name", _("KPI")), ("period_name", _("Period")),
                            ("value", _("Current value")), ("target", _("Target")), ("status", _("Status")),
                            ("age", _("Freshness")), ("data_source", _("Data source")),
                            ("frequency", _("Frequency")), ("owner", _("Owner")), ("baseline", _("Baseline")),
                            ("findings", _("Findings"))], baseline, status_key="status")]


def quarantine_view(status: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """How many problems are open, resolved and dismissed, and the open ones (file, row, column, value, reason);
    then (below the dismiss form) the latest resolved or dismissed, with how."""
    counts, open_rows = status["problem_counts"], status["problems"]
    closed = counts["resolved"] + counts["dismissed"]
    summary = ngettext("{n} open problem; {resolved} resolved by a later file or a retry, {dismissed} dismissed.",
                       "{n} open problems; {resolved} resolved by a later file or a retry, {dismissed} dismissed.",
                       counts["open"]).format(n=number(counts["open"]), resolved=number(counts["resolved"]),
                                              dismissed=number(counts["dismissed"]))
    if counts["open"] > len(open_rows):
        summary += " " + _("The newest {n} are shown; huddle quarantine list and the API's quarantine list show "
                           "them all.").format(n=number(len(open_rows)))
    parts: list[Any] = [html.P(summary, className="summary"),
                        table([("when", _("Found")), ("source", _("Source")), ("file", _("File")), ("row", _("Row")),
                               ("column", _("Column")), ("value", _("Value")), ("reason", _("Reason"))], open_rows,
                              empty=N_("Nothing is waiting to be fixed.") if closed
                              else N_("Nothing has been refused."))]
    closed_parts: list[Any] = []
    if status["closed"]:
        closed_parts = [html.H3(_("Fixed or dismissed lately")),
                        table([("when", _("When")), ("file", _("File")), ("row", _("Row")), ("problem", _("Problem")),
                               ("outcome", _("Outcome"))], status["closed"])]
    return parts, closed_parts


def dismiss_options(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open problems the dismiss form offers, each named by its place and what was wrong."""
    return [{"label": p["label"], "value": p["id"]} for p in problems]


def files_view(status: dict[str, Any]) -> list[Any]:
    """The files read, newest first, each with its outcome in words; a note when more were read than shown."""
    files = status["files"]
    rows = [f | {"class": "failed" if f["status"] in ("rejected", "cut off") else
                 "partial" if f["status"] == "partial" else ""} for f in files]
    parts: list[Any] = []
    if status["files_total"] > len(files):
        parts.append(html.P(_("The latest {n} of {total} files read.").format(
            n=number(len(files)), total=number(status["files_total"])), className="hint"))
    parts.append(table([("when", pgettext("file", "Read")), ("source", _("Source")), ("file", _("File")),
                        ("outcome", _("Outcome"))], rows, empty=N_("No file has been read yet."), row_class="class"))
    return parts


def render_status(status: dict[str, Any]) -> tuple[Any, ...]:
    """The health strip; the quarantine's open problems, those closed lately and the dismiss form's choices; the
    loaders, files read, baseline tracker and run ledger tables."""
    runs = [r | {"duration": _("{n} s").format(n=number(r["duration_s"], 1)) if r["duration_s"] is not None
                 else run_word("running"), "status_words": run_word(r["status"]),
                 "trigger": _(TRIGGER_WORDS[r["trigger"]]) if r["trigger"] in TRIGGER_WORDS else r["trigger"]}
            for r in status["runs"]]
    return (
        health_strip(status["health"]),
        *quarantine_view(status),
        dismiss_options(status["problems"]),
        table([("key", _("Source")), ("kind", _("Kind")), ("record", _("Record type")), ("where", _("Reads")),
               ("schedule", _("Schedule")), ("status", _("Last status")), ("last_run", _("Last run")),
               ("due_by", _("Due by")), ("last_load", _("Last load")), ("last_success", _("Last success")),
               ("last_failure", _("Last failure"))],
              [s | {"record": record_type_name(s["record"]), "kind": _(SOURCE_KINDS.get(s["kind"], s["kind"])),
                    "status": run_word(s["status"])} for s in status["sources"]],
              empty=N_("No sources are configured.")),
        files_view(status),
        _baseline(status["baseline"]),
        table([("started", _("Started")), ("source", _("Source")), ("trigger", _("Trigger")),
               ("status_words", _("Status")), ("duration", _("Took")), ("files", _("Files")),
               ("rows_read", pgettext("rows", "Read")), ("rows_loaded", _("Loaded")),
               ("rows_rejected", _("Refused")), ("message", _("Message"))], runs,
              empty=N_("No loader has run yet."), row_class="status"),
    )


def place_options(config: PlantConfig) -> list[dict[str, str]]:
    """Where a value can be entered: the site, each area and its lines (indented)."""
    places = [{"label": config.site_name, "value": config.site_key}]
    for area in config.areas.values():
        places.append({"label": area.name, "value": area.key})
        places.extend({"label": f"  {config.lines[ln].name}", "value": ln} for ln in area.lines)
    return places
