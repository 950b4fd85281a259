"""SQLAlchemy models: raw records as plants export them, per line × shift facts, and the loaders' ledgers.

Raw record tables carry a natural key (unique constraint) so that re-loading a file upserts instead of doubling.
``shift_facts`` holds the additive measures (numerators and denominators) every KPI is computed from. All
timestamps are stored as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    DDL,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 20


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, refuses naive input (a naive time has no meaning here)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of Huddle's tables."""


class Meta(Base):
    """Key/value facts about the database: schema version, data version (bumped by every load that changed data)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ProductionCount(Base):
    """Units produced on a line over an interval."""

    __tablename__ = "production_counts"
    __table_args__ = (UniqueConstraint("line", "start_utc", "product", name="uq_counts_natural"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    product: Mapped[str] = mapped_column(String(64), default="")
    total: Mapped[int] = mapped_column(Integer)
    good: Mapped[int] = mapped_column(Integer)
    planned_qty: Mapped[float | None] = mapped_column(Float)
    run_id: Mapped[int | None] = mapped_column(Integer)


class StopEvent(Base):
    """A line stopped: planned, unplanned or changeover, with a reason and the equipment."""

    __tablename__ = "stop_events"
    __table_args__ = (UniqueConstraint("line", "start_utc", name="uq_stops_natural"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(16))
    equipment: Mapped[str] = mapped_column(String(120), default="")
    run_id: Mapped[int | None] = mapped_column(Integer)
    # a stop entered on the shop floor (run_id None): who entered it and where; loaded stops keep NULL
    entered_by: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str | None] = mapped_column(String(200))
    ongoing: Mapped[bool | None] = mapped_column()  # entered as "still stopped": its end is when it was last told


class QualityEvent(Base):
    """Defective units found on a line: scrapped or reworked."""

    __tablename__ = "quality_events"
    __table_args__ = (UniqueConstraint("line", "at_utc", "defect", "disposition", name="uq_quality_natural"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    defect: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    disposition: Mapped[str] = mapped_column(String(16))
    escape: Mapped[str] = mapped_column(String(16), default="")  # "" | internal | customer (see ESCAPES)
    run_id: Mapped[int | None] = mapped_column(Integer)
    entered_by: Mapped[str | None] = mapped_column(String(64))  # entered on the shop floor: by whom, and where
    origin: Mapped[str | None] = mapped_column(String(200))


class SafetyEvent(Base):
    """A near miss, first aid case, recordable or lost-time case, at a line, an area or the plant."""

    __tablename__ = "safety_events"
    __table_args__ = (UniqueConstraint("at_utc", "location", "kind", name="uq_safety_natural"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    location: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(64), default="")
    area: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[int | None] = mapped_column(Integer)
    entered_by: Mapped[str | None] = mapped_column(String(64))  # entered on the shop floor: by whom, and where
    origin: Mapped[str | None] = mapped_column(String(200))


class Labour(Base):
    """People planned and present, hours worked and overtime for a line and shift."""

    __tablename__ = "labour"
    __table_args__ = (UniqueConstraint("line", "production_date", "shift", name="uq_labour_natural"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))
    production_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    planned_headcount: Mapped[float] = mapped_column(Float)
    present_headcount: Mapped[float] = mapped_column(Float)
    hours_worked: Mapped[float] = mapped_column(Float)
    overtime_hours: Mapped[float] = mapped_column(Float, default=0.0)
    run_id: Mapped[int | None] = mapped_column(Integer)


class KpiValue(Base):
    """A KPI value computed elsewhere (ERP cost...), per location, date and optionally shift."""

    __tablename__ = "kpi_values"
    __table_args__ = (
        UniqueConstraint("kpi", "location", "production_date", "shift", name="uq_kpi_values_natural"),
        Index("ix_kpi_values_kpi_date", "kpi", "production_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(64))  # a line, an area or the site key
    line: Mapped[str] = mapped_column(String(64), default="")
    area: Mapped[str] = mapped_column(String(64), default="")
    production_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16), default="")  # "" = the whole day
    value: Mapped[float] = mapped_column(Float)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)


class ShiftFact(Base):
    """The additive measures of one line (or area/plant for safety) in one shift instance."""

    __tablename__ = "shift_facts"
    __table_args__ = (
        # line first, then date: serves a line's or an area's date range (the board, the tree, trends)
        UniqueConstraint("line", "production_date", "shift", "area", name="uq_shift_facts"),
        # date first: serves the plant over a date range
        Index("ix_shift_facts_date", "production_date", "line"),
        # the newest data time (freshness on every page) without reading every row
        Index("ix_shift_facts_through", "data_through_utc"),
        # half of each page kept free: a later load of the shift's stops or labour rewrites its row in place,
        # leaving the indexes alone (a heap-only update)
        {"postgresql_with": {"fillfactor": 50}},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))  # "" for area- or plant-level facts (safety)
    area: Mapped[str] = mapped_column(String(64))  # "" for plant-level facts
    production_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    data_through_utc: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest record time seen
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the additive measures (huddle.dashboard.core.kpi.MEASURES): a test checks the two lists agree
    shift_s: Mapped[float] = mapped_column(Float, default=0.0)
    planned_stop_s: Mapped[float] = mapped_column(Float, default=0.0)
    ppt_s: Mapped[float] = mapped_column(Float, default=0.0)
    unplanned_stop_s: Mapped[float] = mapped_column(Float, default=0.0)
    changeover_s: Mapped[float] = mapped_column(Float, default=0.0)
    run_s: Mapped[float] = mapped_column(Float, default=0.0)
    total_count: Mapped[float] = mapped_column(Float, default=0.0)
    good_count: Mapped[float] = mapped_column(Float, default=0.0)
    planned_qty: Mapped[float] = mapped_column(Float, default=0.0)
    ideal_total_s: Mapped[float] = mapped_column(Float, default=0.0)
    ideal_good_s: Mapped[float] = mapped_column(Float, default=0.0)
    scrap_qty: Mapped[float] = mapped_column(Float, default=0.0)
    rework_qty: Mapped[float] = mapped_column(Float, default=0.0)
    failures: Mapped[float] = mapped_column(Float, default=0.0)
    hours_worked: Mapped[float] = mapped_column(Float, default=0.0)
    overtime_h: Mapped[float] = mapped_column(Float, default=0.0)
    headcount_planned: Mapped[float] = mapped_column(Float, default=0.0)
    headcount_present: Mapped[float] = mapped_column(Float, default=0.0)
    recordables: Mapped[float] = mapped_column(Float, default=0.0)
    lost_time_cases: Mapped[float] = mapped_column(Float, default=0.0)
    first_aid_cases: Mapped[float] = mapped_column(Float, default=0.0)
    near_misses: Mapped[float] = mapped_column(Float, default=0.0)
    internal_escapes: Mapped[float] = mapped_column(Float, default=0.0)
    customer_escapes: Mapped[float] = mapped_column(Float, default=0.0)
    pm_scheduled: Mapped[float] = mapped_column(Float, default=0.0)
    pm_on_time: Mapped[float] = mapped_column(Float, default=0.0)
    # 0 in facts built before schema 5: their coverage cannot be told, and is not claimed
    scheduled_s: Mapped[float] = mapped_column(Float, default=0.0)
    covered_s: Mapped[float] = mapped_column(Float, default=0.0)


class LoadRun(Base):
    """One run of one source: what was read, loaded and rejected, and how it ended."""

    __tablename__ = "load_runs"
    # what each source last did is found by a seek per source (ledger.py), however long the ledger grows
    __table_args__ = (Index("ix_load_runs_source_started", "source", "started_at"),
                      Index("ix_load_runs_source_id", "source", "id"),
                      Index("ix_load_runs_source_status_id", "source", "status", "id"),
                      Index("ix_load_runs_source_finished", "source", "finished_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | cli | demo
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # running | ok | partial | failed | idle
    files_loaded: Mapped[int] = mapped_column(Integer, default=0)
    files_skipped: Mapped[int] = mapped_column(Integer, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    runs: Mapped[int] = mapped_column(Integer, default=1)  # consecutive idle runs folded into this row


class LoadedFile(Base):
    """A file a source has read, by content hash, so the same file is never loaded twice."""

    __tablename__ = "loaded_files"
    __table_args__ = (
        UniqueConstraint("source", "path", "sha256", name="uq_loaded_files_path_hash"),
        Index("ix_loaded_files_hash", "source", "sha256"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    mtime: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # loaded, partial, rejected, duplicate, empty, header only, cut off
    read_to: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes read through (the last complete row's end)
    prefix_sha: Mapped[str] = mapped_column(String(64), default="")  # hash of those bytes: a file that grew
    note: Mapped[str] = mapped_column(Text, default="")  # the outcome in words


class QuarantinedRow(Base):
    """A row (or a whole file) a loader refused, with where it was and why."""

    __tablename__ = "quarantine"
    __table_args__ = (Index("ix_quarantine_run", "run_id"), Index("ix_quarantine_status", "status"),
                      Index("ix_quarantine_key", "record_type", "natural_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(Text)
    row: Mapped[int] = mapped_column(Integer)  # 0 = the whole file
    column: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)  # in English, as the CSV and the API give it
    #: the reason's message and values as JSON (core.sentence), to say it in the plant's language; "" for rows
    #: quarantined before schema 10 and for reasons that are the file's own text
    reason_message: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record_type: Mapped[str] = mapped_column(String(32), default="")
    natural_key: Mapped[str] = mapped_column(String(400), default="")  # "" when the row's key could not be read
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved | dismissed
    resolved_by: Mapped[str] = mapped_column(Text, default="")  # the file (or "retry") whose row replaced it
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_by: Mapped[str] = mapped_column(String(120), default="")
    dismiss_reason: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    """A person who signs in: viewer (reads), operator (also enters stops, defects and safety on their line), editor
    (writes actions, check-ins, values), admin (everything); with their home scope (a line, an area, or the site)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # viewer | operator | editor | admin
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[str | None] = mapped_column(String(64))  # a line or area key; None = the whole site


class DisplayScreen(Base):
    """A wall TV's read-only access: a secret token (stored hashed) that opens the board without a keyboard."""

    __tablename__ = "display_screens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    start_path: Mapped[str] = mapped_column(String(255), default="/")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who changed what and when. Append-only: the database refuses updates and deletes of these rows."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_at", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))  # user name, "display:<screen>", "cli" or "system"
    action: Mapped[str] = mapped_column(String(64))  # e.g. user.add, user.role, kpi_value.set, login.failed
    target: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[str] = mapped_column(Text, default="")  # JSON: before / after


# The audit trail is append-only in the database itself, not only in the code that writes it.
event.listen(AuditEntry.__table__, "after_create", DDL(
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END").execute_if(dialect="sqlite"))
event.listen(AuditEntry.__table__, "after_create", DDL(
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END").execute_if(dialect="sqlite"))
event.listen(AuditEntry.__table__, "after_create", DDL(
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$ LANGUAGE plpgsql").execute_if(
        dialect="postgresql"))
event.listen(AuditEntry.__table__, "after_create", DDL(
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_append_only()").execute_if(dialect="postgresql"))


class Action(Base):
    """A countermeasure: what, who owns it, by when, its status; raised for a KPI of a scope on a date."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_scope_status", "scope", "status"), Index("ix_actions_kpi", "kpi", "scope"))
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # a line, an area or the site key
    kpi: Mapped[str] = mapped_column(String(64), default="")  # "" when not about one KPI
    raised_for: Mapped[date] = mapped_column(Date)  # the production date whose result it answers
    raised_shift: Mapped[str] = mapped_column(String(16), default="")
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # open | in_progress | done | cancelled
    result: Mapped[str] = mapped_column(Text, default="")  # what was done, when closed
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # a change names the version it was made from
    #: why it happened, as JSON (core.causes): a 5-why or an A3; "" for none
    cause: Mapped[str] = mapped_column(Text, default="", server_default="")


class Objective(Base):
    """A quarter's objective at one level (company, plant, area or line), optionally under a parent objective."""

    __tablename__ = "okr_objectives"
    __table_args__ = (Index("ix_okr_objectives_quarter", "quarter", "scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(8))  # e.g. 2026-Q4
    scope: Mapped[str] = mapped_column(String(64))  # "company", "plant", an area or a line key
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("okr_objectives.id"))
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # an edit names the version it was made from


class KeyResult(Base):
    """A measurable result of an objective: start, target, unit, kind and weight; a manual value or a bound KPI."""

    __tablename__ = "okr_key_results"
    __table_args__ = (Index("ix_okr_key_results_objective", "objective_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("okr_objectives.id"))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # huddle.dashboard.core.okr_scoring.KINDS
    start: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    owner: Mapped[str] = mapped_column(String(120))
    kpi: Mapped[str] = mapped_column(String(64), default="")  # "" = the value is checked in by hand
    kpi_scope: Mapped[str] = mapped_column(String(64), default="")  # where the bound KPI is read
    kpi_window: Mapped[str] = mapped_column(String(16), default="quarter")  # quarter (to date) | week (latest full)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # the definition's version (edits)
    checkins: Mapped[int] = mapped_column(Integer, default=0)  # check-ins saved so far: a form names the count it saw
    final_value: Mapped[float | None] = mapped_column(Float)  # when the quarter closed
    score: Mapped[float | None] = mapped_column(Float)  # 0–1, when the quarter closed


class CheckIn(Base):
    """One week's check-in on a key result. Never changed: a correction is a new row naming the one it replaces."""

    __tablename__ = "okr_check_ins"
    __table_args__ = (Index("ix_okr_check_ins_kr_week", "key_result_id", "week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("okr_key_results.id"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. 2026-W47
    value: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[int] = mapped_column(Integer)  # 0–10
    moved: Mapped[str] = mapped_column(Text, default="")
    blocks: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaces_id: Mapped[int | None] = mapped_column(Integer)  # the earlier version of this week's check-in


class OkrQuarter(Base):
    """A closed OKR quarter: its key results are scored and take no more check-ins."""

    __tablename__ = "okr_quarters"
    quarter: Mapped[str] = mapped_column(String(8), primary_key=True)
    closed_by: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AdoptedBaseline(Base):
    """A KPI's baseline at a scope, dated: adopted from an OKR's level or signed off in a baseline sprint. Rows are
    only added (the history is kept); the newest one at a scope wins over the plant configuration's."""

    __tablename__ = "kpi_baselines"
    __table_args__ = (Index("ix_kpi_baselines_scope", "scope", "kpi"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))  # "plant", an area or a line: where the level was reached
    value: Mapped[float] = mapped_column(Float)
    on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    adopted_by: Mapped[str] = mapped_column(String(120))  # who signed it off
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    frequency: Mapped[str] = mapped_column(String(16), default="")  # how often it is measured ("" when not said)
    sprint_id: Mapped[int | None] = mapped_column(Integer)  # the baseline sprint that recorded it, if one did


# the feeds' tables share this metadata; imported by module so either module may be imported first
import huddle.data.models_baselines  # noqa: E402
import huddle.data.models_entry  # noqa: E402
import huddle.data.models_feeds  # noqa: E402
import huddle.data.models_huddles  # noqa: E402
import huddle.data.models_months  # noqa: E402
import huddle.data.models_notify  # noqa: E402
import huddle.data.models_security  # noqa: E402
import huddle.data.models_tiers  # noqa: E402,F401
