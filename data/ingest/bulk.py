"""The loaders' bulk SQL: the stored rows a chunk of a file may replace or overlap, the writing of its new and
changed rows at the speed of the database, the row-change ledger and the open quarantine's keys.

New and changed rows are written in one statement per chunk: on PostgreSQL copied (``COPY``) into the table when
they are all new, else merged with ``INSERT … SELECT … FROM unnest(…) ON CONFLICT`` (one array per column); on
SQLite an ``INSERT … ON CONFLICT`` run for every row by the driver, the values already in the form SQLAlchemy
stores them (UTC text for instants).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import numpy as np
from huddle.data.ingest import binary_arrays
from huddle.data.ingest.column_parse import stored_text
from huddle.data.ingest.copy_text import array_text, columns_text
from huddle.data.ingest.fact_spans import NEVER
from huddle.data.models import (
    LoadedFile,
    ProductionCount,
    QuarantinedRow,
    StopEvent,
    UTCDateTime,
)
from huddle.data.models_feeds import RowChange
from sqlalchemy import (
    Date,
    Row,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal,
    null,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

#: columns that say when and by which run a row was stored, not what it says: a row differing only in them is
#: the same row
BOOKKEEPING = frozenset({"id", "run_id", "loaded_at"})


def range_column(table: Table, key: Sequence[str]) -> str:
    """The natural key's column of an instant or a day (the one stored rows are looked up by range)."""
    for name in key:
        if isinstance(table.c[name].type, UTCDateTime | Date):
            return name
    raise ValueError(f"{table.name}: no instant or day in the natural key")


def stored_rows(session: Session, table: Table, key: Sequence[str], columns: Sequence[str], lo: Any, hi: Any,
                firsts: Iterable[Any] | None = None, ending_after: datetime | None = None) -> list[Any]:
    """The stored rows whose key's instant or day lies in [lo, hi] (and whose first key column is one of
    ``firsts``; and that end after ``ending_after``), with ``columns`` and their run."""
    rc = table.c[range_column(table, key)]
    by_first = firsts is not None and key[0] != rc.name
    shape = (table.name, tuple(key), tuple(columns), ending_after is not None, by_first)
    stmt = _STORED_ROWS.get(shape)
    if stmt is None:  # one statement per shape, its values bound: built and compiled once, not per chunk
        where = [rc >= bindparam("lo", type_=rc.type), rc <= bindparam("hi", type_=rc.type)]
        if ending_after is not None:
            where.append(table.c["end_utc"] > bindparam("after", type_=table.c["end_utc"].type))
        if by_first:
            where.append(table.c[key[0]].in_(bindparam("firsts", expanding=True)))
        cols = [table.c[c] for c in dict.fromkeys([*key, *columns, "run_id"])]
        stmt = _STORED_ROWS[shape] = select(*cols).where(and_(*where))
    params: dict[str, Any] = {"lo": lo, "hi": hi}
    if ending_after is not None:
        params["after"] = ending_after
    if by_first:
        params["firsts"] = sorted(set(firsts))  # type: ignore[arg-type]
    return list(session.connection().execute(stmt, params).all())


#: the statements of ``stored_rows``, by table, key, columns and which conditions they have
_STORED_ROWS: dict[tuple[Any, ...], Any] = {}


def driver_rows(session: Session, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of a query through the database driver, as plain tuples (instants as the driver gives them: UTC
    text on SQLite, naive UTC on PostgreSQL); ``:name`` marks a parameter, aware instants and days are bound as
    stored."""
    dialect = session.get_bind().dialect.name
    names = re.findall(r":(\w+)", sql)
    values = [_bound(dialect, params[n]) for n in names]
    text = re.sub(r":\w+", "?" if dialect == "sqlite" else "%s", sql)
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(text, values)
        return cursor.fetchall()
    finally:
        cursor.close()


def _bound(dialect: str, value: Any) -> Any:
    """A parameter as the table stores it: instants as UTC (text on SQLite), days as ISO text on SQLite."""
    if isinstance(value, datetime):
        return _instant_text(value) if dialect == "sqlite" else _to_naive_utc(value)
    if isinstance(value, date) and dialect == "sqlite":
        return value.isoformat()
    return value


def micros_sql(session: Session, column: str) -> str:
    """SQL reading a column of instants cheaply for ``numpy``: microseconds since 1970 on PostgreSQL (whole numbers,
    not a datetime made per value), the stored UTC text on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS bigint)"
    return column


def plain(column: Any) -> Any:
    """A column of instants read as the driver gives it (text on SQLite, a naive datetime on PostgreSQL), for
    ``instant`` to turn into UTC: much cheaper on many rows than SQLAlchemy's per-value processing."""
    return type_coerce(column, String)


def instant(value: str | datetime) -> datetime:
    """A UTC instant from a column read ``plain``."""
    if value.__class__ is str:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)  # type: ignore[arg-type]
    return value.replace(tzinfo=UTC)  # type: ignore[union-attr]


def _to_naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # as UTCDateTime refuses it: a naive time has no meaning here
        raise ValueError("naive datetime given where a UTC instant is required")
    return value.astimezone(UTC).replace(tzinfo=None)


def _driver_values(dialect: str, table: Table, columns: Sequence[str], rows: list[dict[str, Any]]) -> list[Any]:
    """Rows as the database driver takes them: instants as naive UTC (on SQLite, as the text SQLAlchemy stores;
    days too)."""
    get = itemgetter(*columns)
    values = [list(get(r)) for r in rows] if len(columns) > 1 else [[get(r)] for r in rows]
    types = [table.c[c].type for c in columns]
    sqlite = dialect == "sqlite"
    for i, kind in enumerate(types):  # a column at a time: one test per column, not one per value
        if isinstance(kind, UTCDateTime):
            convert = _instant_text if sqlite else _to_naive_utc
        elif sqlite and isinstance(kind, Date):
            convert = _day_text
        else:
            continue
        for v in values:
            v[i] = convert(v[i])
    return values


def _instant_text(value: datetime | None) -> str | None:
    """An instant as SQLAlchemy's SQLite DateTime stores it: naive UTC, microseconds always written."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = _to_naive_utc(value).replace(tzinfo=UTC)  # type: ignore[union-attr]
    return value.isoformat(" ", "microseconds")[:26]


def _day_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _marks(dialect: str, n: int) -> str:
    return ", ".join(("?" if dialect == "sqlite" else "%s") for _ in range(n))


def stored_keys(session: Session, table: Table, key: Sequence[str],
                columns: dict[str, list[Any]]) -> set[tuple[Any, ...]]:
    """The natural keys of the stored rows in the range of some rows given as columns (and of their first key
    column's values)."""
    ranged = columns[range_column(table, key)]
    rows = stored_rows(session, table, key, [], min(ranged), max(ranged), columns[key[0]])
    return {tuple(r[: len(key)]) for r in rows}


def write_columns(session: Session, table: Table, key: Sequence[str], columns: dict[str, list[Any]],
                  new_only: bool = False, instants: dict[str, np.ndarray] | None = None) -> None:
    """Insert rows given as columns, replacing the stored row of the same natural key, in one statement; each
    distinct instant or day is converted for the driver once (an instant column also given in ``instants``, as
    microseconds since 1970, is written as UTC text at once). ``new_only``: no row has a stored one (checked in
    this transaction), so PostgreSQL copies them straight into the table."""
    dialect = session.get_bind().dialect.name
    _write_values(session, table, key, list(columns), _driver_columns(dialect, table, columns, instants or {}),
                  new_only)


#: instants and days as the driver takes them, kept between statements: a shift's bounds are written for every
#: line, an hour's for every area's file
_CONVERTED: dict[Any, dict[Any, Any]] = {}
_CONVERTED_KEPT = 200_000


def _driver_columns(dialect: str, table: Table, columns: dict[str, list[Any]],
                    instants: dict[str, np.ndarray] | None = None) -> list[list[Any]]:
    """Columns as the database driver takes them (as ``_driver_values``), each distinct instant or day converted
    once; an instant column given in ``instants`` (microseconds) as UTC text, which both databases read."""
    converted = []
    for name, values in columns.items():
        kind = table.c[name].type
        if instants and name in instants and isinstance(kind, UTCDateTime) and None not in values:
            converted.append(stored_text(instants[name]))
            continue
        convert = None
        if isinstance(kind, UTCDateTime):
            convert = _instant_text if dialect == "sqlite" else _to_naive_utc
        elif dialect == "sqlite" and isinstance(kind, Date):
            convert = _day_text
        if convert is not None:
            known = _CONVERTED.setdefault(convert, {})
            if len(known) > _CONVERTED_KEPT:
                known.clear()
            once = {}  # read the shared memo by get only: a load in another thread may clear it meanwhile
            for v in set(values):
                text = known.get(v)
                once[v] = text if text is not None else known.setdefault(v, convert(v))
            values = [once[v] for v in values]
        converted.append(values)
    return converted


def write_rows(session: Session, table: Table, key: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Insert rows, replacing the stored row of the same natural key, in one statement."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    _write_values(session, table, key, list(rows[0]),
                  _driver_columns(dialect, table, {c: [r[c] for r in rows] for c in rows[0]}))


def _write_values(session: Session, table: Table, key: Sequence[str], columns: list[str],
                  values: list[list[Any]], new_only: bool = False) -> None:
    """Write rows given as columns (as the driver takes them) through the driver, replacing stored rows of the
    same key; ``new_only`` rows (checked in this transaction to have no stored row) are copied straight into the
    table on PostgreSQL."""
    if not values or not len(values[0]):
        return
    dialect = session.get_bind().dialect.name
    if new_only and dialect == "postgresql":
        _copy(session, table.name, columns, values)
        return
    updates = [c for c in columns if c not in key]
    conn = session.connection()
    names = ", ".join(f'"{c}"' for c in columns)
    conflict = ", ".join(f'"{c}"' for c in key)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in updates) if updates else None
    on_conflict = f"ON CONFLICT ({conflict}) " + (f"DO UPDATE SET {sets}" if sets else "DO NOTHING")
    if dialect == "sqlite":
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({_marks(dialect, len(columns))}) '
                             f'{on_conflict}', list(zip(*values, strict=True)))
    elif dialect == "postgresql":
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM '
                             f'{_unnest(session, table, columns)} {on_conflict}', _arrays(values))
    else:  # pragma: no cover - guarded by supported backends
        raise RuntimeError(f"unsupported database {dialect}")


def _unnest(session: Session, table: Table, columns: Sequence[str]) -> str:
    """(PostgreSQL) A ``FROM`` item of rows given as one array parameter per column (each cast to its column's
    type), named as the columns: many rows in one statement and one round trip, with no table to fill first."""
    dialect = session.get_bind().dialect
    arrays = ", ".join(f"%s::{table.c[c].type.compile(dialect=dialect)}[]" for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    return f"unnest({arrays}) AS given ({names})"


def _arrays(values: list[list[Any]]) -> tuple[Any, ...]:
    """(PostgreSQL) The parameters of ``_unnest``: each column as the text of an array (the server parses it, far
    cheaper than the driver dumping every value), or as a list when its values are not plain."""
    return tuple(text if (text := array_text(column)) is not None else list(column) for column in values)


def _copy(session: Session, into: str, columns: Sequence[str], values: list[list[Any]]) -> None:
    """(PostgreSQL) ``COPY`` rows given as columns into a table: as one block of text when their values are
    plain."""
    names = ", ".join(f'"{c}"' for c in columns)
    raw = session.connection().connection.driver_connection
    text = columns_text(values)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{into}" ({names}) FROM STDIN') as copy:
        if text is not None:
            copy.write(text)
            return
        for v in zip(*values, strict=True):
            copy.write_row(v)


def clear_facts(session: Session, table: Table, measures: Sequence[str], line: str, area: str,
                shifts: Sequence[tuple[date, str]], now: datetime) -> None:
    """Set some measures of a line's (or area's) fact rows of some shifts (production day, shift) to zero: the
    shifts whose records of those measures are all gone."""
    if not shifts:
        return
    dialect = session.get_bind().dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    sets = ", ".join(f'"{m}" = 0' for m in measures)
    stamp = _driver_values(dialect, table, ["updated_at"], [{"updated_at": now}])[0][0]
    days = _driver_columns(dialect, table, {"production_date": [day for day, _shift in shifts]})[0]
    session.connection().exec_driver_sql(
        f'UPDATE "{table.name}" SET {sets}, updated_at = {mark} '
        f"WHERE line = {mark} AND area = {mark} AND production_date = {mark} AND shift = {mark}",
        [(stamp, line, area, day, shift) for day, (_d, shift) in zip(days, shifts, strict=True)])


def upsert_facts(session: Session, table: Table, columns: dict[str, Any], measures: Sequence[str]) -> None:
    """Insert fact rows given as columns, or on a shift that has one set only ``measures`` (the others are another
    record type's), the time it was written, and the later of the two latest record times. Columns given as None
    are written as zero (bound once in the statement, not for every row); a column may be a ``numpy`` array: of
    floats, or of an instant's microseconds since 1970 (``fact_spans.NEVER`` for none)."""
    t = f'"{table.name}"'
    sets = ", ".join([*(f'"{m}" = excluded."{m}"' for m in measures), "updated_at = excluded.updated_at",
                      f"data_through_utc = CASE WHEN {t}.data_through_utc IS NULL OR excluded.data_through_utc > "
                      f"{t}.data_through_utc THEN excluded.data_through_utc ELSE {t}.data_through_utc END"])
    dialect = session.get_bind().dialect.name
    given = {name: values for name, values in columns.items() if values is not None}
    names = ", ".join(f'"{c}"' for c in columns)
    conflict = f"ON CONFLICT (line, production_date, shift, area) DO UPDATE SET {sets}"
    if dialect == "postgresql":  # the rows as arrays: one statement and one round trip, not one a row
        raw = session.connection().connection.driver_connection
        binary_arrays.register(raw)
        params, casts = [], []
        plain = {name: values for name, values in given.items() if not isinstance(values, np.ndarray)}
        texts = iter(_arrays(_driver_columns(dialect, table, plain)))
        for name, values in given.items():
            kind = table.c[name].type.compile(dialect=session.get_bind().dialect)
            if isinstance(values, np.ndarray):  # floats and instants in binary, made a column at once
                params.append(binary_arrays.timestamp_array(values, NEVER)
                              if isinstance(table.c[name].type, UTCDateTime)
                              else binary_arrays.float8_array(values.astype(np.float64)))
                casts.append(f"%b::{kind}[]")
            else:
                params.append(next(texts))
                casts.append(f"%s::{kind}[]")
        chosen = ", ".join(f'"{c}"' if columns[c] is not None else "0" for c in columns)
        quoted = ", ".join(f'"{c}"' for c in given)
        session.connection().exec_driver_sql(
            f"INSERT INTO {t} ({names}) SELECT {chosen} FROM unnest({', '.join(casts)}) AS given ({quoted}) "
            f"{conflict}", tuple(params))
        return
    plain = iter(_driver_columns(dialect, table, {name: values for name, values in given.items()
                                                  if not isinstance(values, np.ndarray)}))
    converted = [_listed(values, isinstance(table.c[name].type, UTCDateTime)) if isinstance(values, np.ndarray)
                 else next(plain) for name, values in given.items()]
    marks = ", ".join("?" if columns[c] is not None else "0" for c in columns)
    session.connection().exec_driver_sql(f"INSERT INTO {t} ({names}) VALUES ({marks}) {conflict}",
                                         list(zip(*converted, strict=True)))


def _listed(values: np.ndarray, instants: bool) -> list[Any]:
    """(SQLite) A column given as an array as the driver takes it: floats, or instants as the stored UTC text."""
    if not instants:
        return values.astype(np.float64).tolist()
    text = stored_text(values)
    return [None if us == NEVER else t for us, t in zip(values.tolist(), text, strict=True)]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_changes(session: Session, run_id: int, record_type: str, file: str, at: datetime,
                   changes: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    """Ledger rows a later row replaced: (natural key text, values before, values after)."""
    if changes:
        session.execute(RowChange.__table__.insert(), [
            {"run_id": run_id, "record_type": record_type, "natural_key": key[:400], "file": file,
             "before": json.dumps({k: _plain(v) for k, v in before.items()}, sort_keys=True),
             "after": json.dumps({k: _plain(v) for k, v in after.items()}, sort_keys=True), "changed_at": at}
            for key, before, after in changes])


_Q = QuarantinedRow.__table__.c
#: built once and run on the session's connection: a file asks it before its first row
_OPEN = (_Q.status == "open", _Q.record_type == bindparam("record_type"), _Q.natural_key != "")
_OPEN_KEYS = select(_Q.natural_key).distinct().where(*_OPEN)


def open_keys(session: Session, record_type: str) -> set[str]:
    """The natural keys of the open quarantined rows of a record type."""
    known = session.info.pop(_KNOWN, None)
    if known is not None and known[0] == (record_type, None):
        return known[1]
    return set(session.connection().execute(_OPEN_KEYS, {"record_type": record_type}).scalars())


_KNOWN = "open_keys_and_last_id"  # Session.info's key for what a file's first query read for its load
_ONE = select(literal(1).label("one")).subquery("one")
_LAST_ID = {"production_counts": ProductionCount.__table__, "stop_events": StopEvent.__table__}


def with_open_keys(session: Session, entries: Select[Any], params: dict[str, Any], record_type: str,
                   table: str | None) -> list[Row[Any]]:
    """The rows of ``entries`` (a file's ledger entries); on PostgreSQL read in the same statement as the open
    quarantine keys of its record type and the highest ``id`` of ``table`` (counts or stops, else None), which the
    session keeps for the file's load (``open_keys``, ``open_keys_and_last_id``): a round trip fewer per file."""
    if session.get_bind().dialect.name != "postgresql":
        return list(session.connection().execute(entries, params))
    found = entries.subquery("entries")
    keys = select(func.array_agg(_Q.natural_key.distinct())).where(*_OPEN).scalar_subquery()
    last = select(func.max(_LAST_ID[table].c.id)).scalar_subquery() if table else null()
    rows = list(session.connection().execute(
        select(keys.label("open_keys"), last.label("last_id"), *found.c)
        .select_from(_ONE.outerjoin(found, true())).order_by(found.c.id.desc()),
        {**params, "record_type": record_type}))
    session.info[_KNOWN] = ((record_type, table), set(rows[0].open_keys or ()), rows[0].last_id)
    return [r for r in rows if r.id is not None]


def open_keys_and_last_id(session: Session, record_type: str, table: str) -> tuple[set[str], int]:
    """A record type's open quarantine keys and ``table``'s highest ``id`` (0 if none): known, when the file's ledger
    entries were read with them (``with_open_keys``), else on PostgreSQL read in one statement."""
    known = session.info.pop(_KNOWN, None)
    if known is not None and known[0] == (record_type, table):
        return known[1], known[2] or 0
    if session.get_bind().dialect.name != "postgresql":
        return open_keys(session, record_type), driver_rows(session, f"SELECT MAX(id) FROM {table}")[0][0] or 0
    (keys, last), = driver_rows(
        session, f"SELECT ARRAY(SELECT DISTINCT natural_key FROM quarantine WHERE status = 'open' AND "
                 f"record_type = :record_type AND natural_key <> ''), (SELECT MAX(id) FROM {table})",
        record_type=record_type)
    return set(keys), last or 0


def quarantine(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write refused rows to the quarantine."""
    if rows:
        session.execute(QuarantinedRow.__table__.insert(), rows)


def run_files(session: Session, run_id: int) -> list[str]:
    """The files a run stored (their paths), for naming where a stored row came from."""
    return list(session.scalars(select(LoadedFile.path).where(
        LoadedFile.run_id == run_id, LoadedFile.status != "duplicate").order_by(LoadedFile.id)))


class KeyTable:
    """(``file_index.KeyStage``) A long file's natural keys as hashes and lines, in a temporary table of the file's
    transaction: a file of millions of rows does not hold its keys in memory."""

    NAME = "huddle_file_keys"

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def start(self) -> None:
        """Make the table (gone with the transaction on PostgreSQL; emptied on SQLite, where it lives as long as
        the connection)."""
        conn = self.session.connection()
        if self.dialect == "postgresql":
            conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {self.NAME} (hash BIGINT NOT NULL, "
                                 "line INTEGER NOT NULL) ON COMMIT DROP")
        else:
            conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {self.NAME} (hash INTEGER NOT NULL, "
                                 "line INTEGER NOT NULL)")
        conn.exec_driver_sql(f"DELETE FROM {self.NAME}")
        # not unique: two keys of one chunk may share a hash (they are told apart in the chunk)
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {self.NAME}_hash ON {self.NAME} (hash)")

    def add(self, hashes: np.ndarray, lines: np.ndarray) -> None:
        """Add keys and their lines."""
        if self.dialect == "postgresql":
            _copy(self.session, self.NAME, ["hash", "line"], [hashes.tolist(), lines.tolist()])
        else:
            self.session.connection().exec_driver_sql(f"INSERT INTO {self.NAME} (hash, line) VALUES (?, ?)",
                                                      list(zip(hashes.tolist(), lines.tolist(), strict=True)))

    def lines(self, hashes: np.ndarray) -> np.ndarray:
        """The line of each key, or 0."""
        given = hashes.tolist()
        if self.dialect == "postgresql":
            found = driver_rows(self.session,
                                f"SELECT hash, line FROM {self.NAME} WHERE hash = ANY(CAST(:h AS bigint[]))",
                                h=array_text(given))
        else:
            found = driver_rows(self.session, f"SELECT hash, line FROM {self.NAME} WHERE hash IN "
                                "(SELECT value FROM json_each(:h))", h=json.dumps(given))
        lines = dict(found)
        return np.fromiter((lines.get(h, 0) for h in given), dtype=np.int64, count=len(given))
