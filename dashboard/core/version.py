"""Which Huddle this is: the installed package's version, for ``huddle --version``, the health answer and the
Admin page."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def app_version() -> str:
    """The installed Huddle's version, e.g. "0.1.0" ("unknown" when run from a tree that was never installed)."""
    try:
        return version("huddle")
    except PackageNotFoundError:
        return "unknown"
