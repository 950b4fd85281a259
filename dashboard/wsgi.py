"""The WSGI entry for production servers, for several worker processes behind a reverse proxy:

    gunicorn --workers 4 --threads 4 --bind 127.0.0.1:8050 'huddle.dashboard.wsgi:create_server()'

Settings come from the environment and ``HUDDLE_SETTINGS`` as for ``huddle serve``. Each worker builds its own
services (database pool, caches); nothing a worker keeps can make it disagree with another: pages read through the
data version, sessions are signed with the shared secret key, sign-in throttling lives in the database, and the
board's render cache is keyed by the data version (and shared through Redis when ``HUDDLE_REDIS_URL`` is set).
Run the loaders in their own process (``huddle scheduler``), not in the web workers.
"""

from __future__ import annotations

from flask import Flask
from huddle.dashboard.settings import load_settings
from huddle.dashboard.web.app import create_app


def create_server() -> Flask:
    """The Flask server of a Huddle web app built from the environment's settings."""
    return create_app(load_settings()).server
