"""The WSGI entry for production servers, for several worker processes behind a reverse proxy:

    gunicorn --workers 4 --threads 4 --bind 127.0.0.1:8050 --access-logfile - 'huddle.dashboard.wsgi:create_server()'

Settings come from the environment and ``HUDDLE_SETTINGS`` as for ``huddle serve``, checked the same way. Each
worker builds its own services (database pool, caches); nothing a worker keeps can make it disagree with another:
pages read through the data version, sessions are signed with the shared secret key, sign-in throttling lives in
the database, and the board's render cache is keyed by the data version (and shared through Redis when
``HUDDLE_REDIS_URL`` is set). Run the loaders in their own process (``huddle scheduler``), not in the web workers.
"""

from __future__ import annotations

import logging

from flask import Flask
from huddle.dashboard.heap import settle_heap
from huddle.dashboard.logging_setup import configure_logging
from huddle.dashboard.settings import load_settings
from huddle.dashboard.settings_read import SettingsError
from huddle.dashboard.web.app import create_app
from huddle.data.db import name_connections


def create_server() -> Flask:
    """The Flask server of a Huddle web app built from the environment's settings; settings that cannot be used
    stop gunicorn with their problems, one line each, and no traceback."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _cannot_start(exc) from None
    configure_logging(False, settings.log_format, logging.INFO)  # dated lines, one per load run asked for
    name_connections("huddle-web")
    server = create_app(settings).server
    settle_heap()  # each worker builds its own app: what it built stays, and need not be walked again
    return server


def _cannot_start(exc: SettingsError) -> Exception:
    """What stops the server: gunicorn prints an ``AppImportError``'s words alone and stops every worker."""
    message = "\n".join(f"error: settings: {problem}" for problem in exc.problems)
    try:
        from gunicorn.errors import AppImportError
    except ImportError:  # another WSGI server: the settings' own error
        return exc
    return AppImportError(message)
