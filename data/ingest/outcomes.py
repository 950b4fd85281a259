"""What a load reports: each file's and each run's outcome, and the words the run ledger stores for them.

``Loader`` (``loaders``) fills a ``RunOutcome`` with one ``FileOutcome`` per file or query; the run's message is
made of ``_file_summary`` phrases, a run cut off by the end of its process gets a ``CUT_OFF`` note, and an
exception is shortened to its first line by ``_short``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: what a run cut off by the end of its process is marked with, by what started it
CUT_OFF = {
    "schedule": "cut off: the scheduler running it stopped mid-run; its files are read again by the next run",
    "cli": "cut off: the huddle import running it stopped before it finished (killed or crashed); the files it "
           "finished are stored: import the same files again for the rest (a file already stored is skipped)",
}
CUT_OFF_OTHER = ("cut off: the process running it stopped before it finished (killed or crashed); its files are "
                 "read again by the next run")


@dataclass
class FileOutcome:
    """What happened to one file (or one query result)."""

    name: str
    status: str  # loaded | partial | rejected | duplicate | waiting | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # (row, column, value, reason)
    note: str = ""


@dataclass
class RunOutcome:
    """What one run of one source did."""

    source: str
    run_id: int | None
    status: str  # ok | partial | failed | idle
    files: list[FileOutcome] = field(default_factory=list)
    message: str = ""

    @property
    def rows_read(self) -> int:
        """Rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows stored over all files."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows quarantined over all files."""
        return sum(f.rows_rejected for f in self.files)


def _file_summary(f: FileOutcome) -> str:
    """One phrase per file for the run ledger: its status and, when rows were refused, the first reason."""
    if f.status == "rejected" and f.problems:
        return f"{f.name}: rejected ({_where(f.problems[0])}{f.problems[0][3]})"
    if f.status == "partial" and f.problems:
        return (f"{f.name}: partial, {f.rows_rejected} of {f.rows_read} rows refused "
                f"(first: {_where(f.problems[0])}{f.problems[0][3]})")
    if f.status == "failed":
        return f"{f.name}: failed ({f.note})"
    return f"{f.name}: {f.status}"


def _where(problem: tuple[int, str, str, str]) -> str:
    row, column = problem[0], problem[1]
    if not row:
        return ""
    return f"line {row}" + (f", {column}" if column else "") + ": "


def _short(exc: BaseException) -> str:
    text_ = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text_[:300]
