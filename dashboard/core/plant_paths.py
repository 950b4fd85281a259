"""Paths in the plant file: a relative one belongs to the plant file's folder, not to wherever Huddle was started.

``huddle serve`` started from another folder must read the same inbox as ``huddle scheduler`` started from the
plant file's: so a source's folder (``path``), the database file of a ``sqlite:`` URL and any other file a source
names (a field ending in ``_file`` or ``_path``) are made absolute against the plant file's folder when it is read.
``~`` is the user's home; absolute paths and other URLs are kept as written. ``describe_source`` is how
``huddle check`` shows where each source reads, and ``source_findings`` its errors: a folder that does not exist.
"""

from __future__ import annotations

import os
import re
from dataclasses import fields, replace
from pathlib import Path

from huddle.dashboard.core.plant import Finding, SourceDef

SQLITE_URL = re.compile(r"^(sqlite(?:\+\w+)?:///)([^?]*)(\?.*)?$")
PASSWORD = re.compile(r"^([\w+]+://[^:/@]+:)[^@]*@")


def resolve_path(text: str, base: Path) -> str:
    """A file or folder path of the plant file, absolute: relative ones are taken from ``base``."""
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = base / path
    return Path(os.path.normpath(path)).as_posix()


def resolve_url(url: str, base: Path) -> str:
    """A database URL with a relative SQLite file made absolute (other URLs, and in-memory databases, as given)."""
    m = SQLITE_URL.match(url.strip())
    if not m or not m.group(2) or m.group(2) == ":memory:" or m.group(2).startswith("file:"):
        return url
    return f"{m.group(1)}{resolve_path(m.group(2), base)}{m.group(3) or ''}"


def resolve_sources(sources: dict[str, SourceDef], plant_path: Path | None) -> dict[str, SourceDef]:
    """The sources with every path they name resolved against the plant file's folder (as given without a file)."""
    if plant_path is None:
        return sources
    base = Path(plant_path).expanduser().resolve().parent
    out = {}
    for key, source in sources.items():
        changes: dict[str, str] = {}
        for f in fields(source):
            value = getattr(source, f.name)
            if not isinstance(value, str) or not value.strip():
                continue
            if f.name == "path" or f.name.endswith(("_file", "_path")):
                changes[f.name] = resolve_path(value, base)
            elif f.name == "url":
                changes[f.name] = resolve_url(value, base)
        out[key] = replace(source, **changes) if changes else source
    return out


def shown_url(url: str) -> str:
    """A URL as ``huddle check`` prints it: any password replaced by ``***``."""
    return PASSWORD.sub(r"\1***@", url)


def source_findings(sources: dict[str, SourceDef]) -> list[Finding]:
    """Errors in where the sources read: a folder that does not exist (a typo in ``path``, or a share not
    mounted), in which the loader would never find a file."""
    return [Finding("error", f"source {s.key}", f"the folder {s.path} does not exist: correct the source's path "
                    "(a typo?) or create the folder; until then its loader finds no files")
            for s in sources.values() if s.path and not Path(s.path).is_dir()]


def describe_source(source: SourceDef) -> str:
    """One line on where a source reads: its folder (and whether it exists) or its database."""
    where = f"source {source.key} ({source.kind}, {source.record})"
    if source.path:
        missing = "" if Path(source.path).is_dir() else " (this folder does not exist)"
        return f"{where}: reads {source.path}{missing}"
    if source.url:
        m = SQLITE_URL.match(source.url)
        missing = " (this database file does not exist)" if m and m.group(2) and not Path(
            m.group(2)).exists() and m.group(2) != ":memory:" else ""
        return f"{where}: reads {shown_url(source.url)}{missing}"
    return where
