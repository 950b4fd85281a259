"""What a load reports: each file's and each run's outcome, and the words the run ledger stores for them.

``Loader`` (``loaders``) fills a ``RunOutcome`` with one ``FileOutcome`` per file or query; the run's message is
made of ``_file_summary`` phrases, a run cut off by the end of its process gets a ``CUT_OFF`` note, and an
exception is shortened to its first line by ``_short``. ``is_refused`` tells a file that had something refused
(also a refused file seen again, still refused while its problems are open: ``still_refused_words``).
``file_words`` gives a file's outcome in the words its ledger entry keeps and the Data page shows ("loaded 240
rows", "header only: no rows", "partly refused: 3 of 240 rows", "cut off at byte 18234: ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.sentence import Sentence

#: what a run cut off by the end of its process is marked with, by what started it
CUT_OFF = {
    "schedule": "cut off: the scheduler running it stopped mid-run; its files are read again by the next run",
    "cli": "cut off: the huddle import running it stopped before it finished (killed or crashed); the files it "
           "finished are stored: import the same files again for the rest (a file already stored is skipped)",
}
CUT_OFF_OTHER = ("cut off: the process running it stopped before it finished (killed or crashed); its files are "
                 "read again by the next run")
#: a file's statuses when some or all of its rows (or the file itself) were refused
REFUSED_STATUSES = ("rejected", "partial", "cut off")


@dataclass
class FileOutcome:
    """What happened to one file (or one query result)."""

    name: str
    status: str  # loaded | partial | rejected | duplicate | empty | header only | cut off | waiting | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # (row, column, value, reason)
    note: str = ""
    # of rows_loaded (every row accepted): those replacing a stored row with other values, and those equal to it
    rows_replaced: int = 0
    rows_unchanged: int = 0


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


def rows_text(n: int) -> str:
    """'1 row', '240 rows'."""
    return f"{n:,} {'row' if n == 1 else 'rows'}"


def file_words(outcome: FileOutcome, *, lines: tuple[int, int] | None = None, waiting_line: int = 0,
               cut: str = "") -> str:
    """A file's outcome in words, as its ledger entry keeps it: what its rows became, ``lines`` first and last
    read when only the new rows of a file that grew were read, the line that has not ended yet (``waiting_line``)
    or the words of a last line cut off (``cut``, whose refusal is counted in ``rows_rejected``)."""
    refused = outcome.rows_rejected - (1 if cut else 0)
    read = outcome.rows_read
    if read and refused >= read:
        words = f"refused: all {rows_text(read)} ({_where(outcome.problems[0])}{outcome.problems[0][3]})"
    elif refused > 0:
        words = f"partly refused: {refused:,} of {rows_text(read)}"
    else:
        words = f"loaded {rows_text(outcome.rows_loaded)}"
    if lines:
        words = f"grew: read lines {lines[0]:,}–{lines[1]:,}, {words}"
    elif not read and not cut:
        words = "nothing new"
    if cut:
        words = f"{cut}; {words}" if read else cut
    if waiting_line:
        words += f"; {waiting_words(waiting_line)}"
    return words


def is_refused(outcome: FileOutcome) -> bool:
    """Whether a file (or query) had something refused or failed: the whole of it, some of its rows, a cut-off
    last line, or a refusal still open from an earlier read of the same content."""
    return outcome.status in (*REFUSED_STATUSES, "failed") or outcome.rows_rejected > 0


def still_refused_words(note: str, problems: list[tuple[int, str, str, str]]) -> str:
    """What a refused file seen again unchanged is reported as: still refused, the first reason, how many of its
    problems are open, and what its first read said."""
    first = problems[0]
    more = f" (and {len(problems) - 1:,} more open)" if len(problems) > 1 else ""
    said = f"; when read: {note}" if note else ""
    return f"still refused, unchanged since it was read: {_where(first)}{first[3]}{more}{said}"


def cut_off_words(at: int, final: float) -> str:
    """What a last line that never ended is refused as."""
    return Sentence(N_("cut off at byte {at}: the last line never ended (still for {seconds} s)"), at=at,
                    seconds=f"{final:g}")


def waiting_words(line: int) -> str:
    """What a last line that has not ended yet waits as."""
    return f"line {line:,} has not ended yet: waiting for the rest of it"


def _file_summary(f: FileOutcome) -> str:
    """One phrase per file for the run ledger: its status and, when rows were refused, the first reason."""
    if (f.status in ("empty", "header only", "cut off", "duplicate") and f.note) \
            or f.note.startswith("still refused"):
        return f"{f.name}: {f.note}"
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
