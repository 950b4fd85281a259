"""Settings: where the database, data folder and plant configuration are, read from a file and the environment.

Precedence, lowest first: defaults, the TOML settings file (``--settings`` or ``HUDDLE_SETTINGS``), environment
variables (``HUDDLE_DATABASE_URL``, ``HUDDLE_DATA_DIR``, ``HUDDLE_PLANT_CONFIG``, ``HUDDLE_TIMEZONE``,
``HUDDLE_HOST``, ``HUDDLE_PORT``, ``HUDDLE_REDIS_URL``: ``HUDDLE_`` and any setting's name in capitals), then
command-line options. Every field of ``Settings`` is a setting, read and checked by its type in ``settings_read``:
an unknown key or variable, a wrong type or an impossible value stops the command with a line naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEMO_PLANT = Path(__file__).with_name("demo_plant.yaml")
DEMO_SECOND_SITE = Path(__file__).with_name("demo_plant_lakeside.yaml")


@dataclass(frozen=True)
class Settings:
    """Everything a Huddle process needs to start."""

    data_dir: Path = field(default_factory=lambda: Path("huddle-data"))
    database_url: str | None = None  # default: SQLite file in the data folder
    plant_config: Path | None = None  # default: the demo plant
    timezone: str | None = None  # overrides the plant's time zone when set
    host: str = "127.0.0.1"
    port: int = 8050
    run_scheduler_in_web: bool = False  # only for the single embedded demo server
    demo_feed: bool = False  # the demo keeps writing the current shift's files into the inbox
    anonymous_access: str = "off"  # "off": sign in (or a display link) to read; "read": anyone may read
    secret_key: str | None = None  # signs session cookies; default: created once in the data folder
    secure_cookies: bool = False  # send the session cookie over HTTPS only (set behind a TLS proxy)
    public_url: str | None = None  # the address people and TVs reach Huddle at (display links; set it in production:
    # only its host and allowed_hosts are served, and changes must come from its scheme, host and port)
    allowed_hosts: tuple[str, ...] = ()  # further host names Huddle answers to (e.g. a TV network's name or address)
    max_request_bytes: int = 1024 * 1024  # a request body larger than this is refused (413) before it is read
    redis_url: str | None = None  # shares rendered boards between web workers and hosts (redis://host:6379/0)
    behind_proxies: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto/-Host (trusted, counted)
    sites: tuple[Path, ...] = ()  # several plants served together: one plant file each (the first is the home site)
    now: str | None = None  # run "as at" this instant (ISO 8601, plant time unless it has an offset); the clock runs on
    log_format: str = "text"  # "json": one JSON object per log line, for log collectors (or --log-format)
    scheduler_down_after_s: int = 90  # no scheduler heartbeat (every 15 s) for this long: health "error", loaders
    # stopped (keep it well above 15 s)
    monitor_addresses: tuple[str, ...] = ()  # addresses or networks (10.0.5.0/24) that may read /metrics and
    # /api/v1/health without a monitor token (a Prometheus server, a load balancer)
    smtp_host: str | None = None  # the mail server notifications are sent through (none: e-mail channels are off)
    smtp_port: int = 587
    smtp_sender: str | None = None  # the From address of notification e-mails
    smtp_tls: str = "starttls"  # "starttls", "ssl" (implicit TLS, port 465) or "off" (a relay on the local network)
    smtp_username: str | None = None  # signs in with the password named by the plant file's smtp_password_env

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of Huddle's own database."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'huddle.sqlite').resolve().as_posix()}"

    @property
    def plant_path(self) -> Path:
        """The plant configuration file in use."""
        return self.plant_config or DEMO_PLANT

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(path: Path | str | None = None, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from an optional TOML file, the environment and explicit overrides; ``SettingsError`` (a
    ValueError) names every unknown key or variable, wrong type and impossible value (``settings_read``)."""
    from huddle.dashboard.settings_read import read_settings

    return read_settings(path, env, **overrides)[0]
