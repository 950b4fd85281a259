"""Settings: where the database, data folder and plant configuration are, read from a file and the environment.

Precedence, lowest first: defaults, the TOML settings file (``--settings`` or ``HUDDLE_SETTINGS``), environment
variables (``HUDDLE_DATABASE_URL``, ``HUDDLE_DATA_DIR``, ``HUDDLE_PLANT_CONFIG``, ``HUDDLE_TIMEZONE``,
``HUDDLE_HOST``, ``HUDDLE_PORT``, ``HUDDLE_REDIS_URL`` and the others in ``_ENV``), then command-line options.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEMO_PLANT = Path(__file__).with_name("demo_plant.yaml")
DEMO_SECOND_SITE = Path(__file__).with_name("demo_plant_lakeside.yaml")

_ENV = {
    "database_url": "HUDDLE_DATABASE_URL",
    "data_dir": "HUDDLE_DATA_DIR",
    "plant_config": "HUDDLE_PLANT_CONFIG",
    "timezone": "HUDDLE_TIMEZONE",
    "host": "HUDDLE_HOST",
    "port": "HUDDLE_PORT",
    "anonymous_access": "HUDDLE_ANONYMOUS_ACCESS",
    "secret_key": "HUDDLE_SECRET_KEY",
    "secure_cookies": "HUDDLE_SECURE_COOKIES",
    "public_url": "HUDDLE_PUBLIC_URL",
    "allowed_hosts": "HUDDLE_ALLOWED_HOSTS",
    "max_request_bytes": "HUDDLE_MAX_REQUEST_BYTES",
    "redis_url": "HUDDLE_REDIS_URL",
    "behind_proxies": "HUDDLE_BEHIND_PROXIES",
    "sites": "HUDDLE_SITES",
    "now": "HUDDLE_NOW",
}


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
    """Build settings from an optional TOML file, the environment and explicit overrides."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    path = path or env.get("HUDDLE_SETTINGS")
    if path:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        section = raw.get("huddle", raw)
        values.update({k: v for k, v in section.items() if k in _ENV})
    for key, var in _ENV.items():
        if env.get(var):
            values[key] = env[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "data_dir" in values:
        values["data_dir"] = Path(values["data_dir"])
    if values.get("plant_config"):
        values["plant_config"] = Path(values["plant_config"])
    if "port" in values:
        values["port"] = int(values["port"])
    if "behind_proxies" in values:
        values["behind_proxies"] = int(values["behind_proxies"])
    if values.get("allowed_hosts"):
        raw_hosts = values["allowed_hosts"]
        if isinstance(raw_hosts, str):  # the environment: names separated by commas
            raw_hosts = raw_hosts.split(",")
        values["allowed_hosts"] = tuple(str(h).strip().lower() for h in raw_hosts if str(h).strip())
    if "max_request_bytes" in values:
        values["max_request_bytes"] = int(values["max_request_bytes"])
        if values["max_request_bytes"] < 1024:
            raise ValueError(f"max_request_bytes must be at least 1024, not {values['max_request_bytes']}")
    if values.get("public_url"):
        values["public_url"] = _public_url(str(values["public_url"]))
    if values.get("sites"):
        raw_sites = values["sites"]
        if isinstance(raw_sites, str):  # the environment: paths separated by commas
            raw_sites = [p for p in raw_sites.split(",") if p.strip()]
        values["sites"] = tuple(Path(str(p).strip()) for p in raw_sites)
    if isinstance(values.get("secure_cookies"), str):
        values["secure_cookies"] = values["secure_cookies"].strip().lower() in ("1", "true", "yes", "on")
    if values.get("now"):
        from datetime import datetime

        try:
            datetime.fromisoformat(str(values["now"]).strip())
        except ValueError:
            raise ValueError(f"now must be a date and time like 2027-01-01T06:30, not {values['now']!r}") from None
        values["now"] = str(values["now"]).strip()
    if values.get("anonymous_access", "off") not in ("off", "read"):
        raise ValueError(f"anonymous_access must be 'off' or 'read', not {values['anonymous_access']!r}")
    return Settings(**values)


def _public_url(text: str) -> str:
    """The public address without a trailing slash; refused unless it is an http(s) address with a host."""
    from urllib.parse import urlsplit

    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public_url must be an address like https://huddle.plant.example, not {text!r}")
    return url
