"""Which Huddle and which database schema answer: the app's version and the schema's migration revision, for the
health answer and the Admin page (and for a monitor to see an upgrade that was installed but not yet migrated)."""

from __future__ import annotations

from typing import Any

from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.version import app_version
from huddle.data.db import schema_revision
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError


def about(db: Engine) -> dict[str, Any]:
    """``version``, ``schema_revision``, ``schema_version``, ``schema_head`` and ``schema_current``; the schema's
    fields are None when the database cannot be read."""
    try:
        schema = schema_revision(db)
    except SQLAlchemyError:
        schema = {"schema_revision": None, "schema_version": None, "schema_head": None, "schema_current": None}
    return {"version": app_version(), **schema}


def about_words(facts: dict[str, Any]) -> str:
    """One line for people: 'Huddle 0.1.0 · database schema 7 (revision 0005)', and what to do when behind."""
    line = f"Huddle {facts['version']}"
    if facts["schema_revision"] is None:
        return line + " · " + _("database schema unknown (the database cannot be read)")
    line += " · " + _("database schema {version} (revision {revision})").format(
        version=facts["schema_version"] or "?", revision=facts["schema_revision"])
    if not facts["schema_current"]:
        line += _(": behind this Huddle's revision {head}, run huddle init").format(head=facts["schema_head"])
    return line
