"""``huddle config show``: the settings a Huddle process would run with, each with where it came from (default,
the settings file, an environment variable, the command line), secrets masked, so an operator sees what a plant
really set."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from huddle.dashboard.core.version import app_version
from huddle.dashboard.settings import Settings
from huddle.dashboard.settings_read import env_name, read_settings, setting_types

MASK = "***"
SECRET_WORDS = ("secret", "token", "password")  # a setting whose name holds one of these is never shown
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_QUERY_PASSWORD = re.compile(r"((?:^|[?&])password=)[^&]*", re.IGNORECASE)


def config_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``config`` command's arguments."""
    parser.add_argument("action", choices=["show"], help="show: the effective settings and where each came from")


def masked(key: str, value: str) -> str:
    """``value`` fit to show: a secret setting as ***, a password inside an address as ***."""
    if any(word in key for word in SECRET_WORDS):
        return MASK
    return _QUERY_PASSWORD.sub(rf"\g<1>{MASK}", _URL_PASSWORD.sub(rf"\g<1>{MASK}@", value))


def shown(key: str, value: Any, settings: Settings) -> str:
    """A setting's value as words: lists joined by commas, what an unset setting means in use."""
    if value is None:
        if key == "database_url":
            return f"(not set: SQLite file {Path(settings.db_url.removeprefix('sqlite:///'))})"
        if key == "plant_config":
            return f"(not set: the demo plant {settings.plant_path})"
        if key == "secret_key":
            return f"(not set: kept in {settings.data_dir / 'secret_key'})"
        return "(not set)"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return masked(key, str(value))


def config_lines(path: str | None, env: dict[str, str] | None = None, **overrides: Any) -> list[str]:
    """The lines ``huddle config show`` prints: a title, then each setting, its value and where it came from."""
    settings, sources = read_settings(path, env, **overrides)
    rows = [(key, shown(key, getattr(settings, key), settings),
             sources.get(key, f"default (or {env_name(key)})")) for key in setting_types()]
    width = max(len(key) for key, _value, _source in rows)
    value_width = min(max(len(value) for _key, value, _source in rows), 60)
    lines = [f"Huddle {app_version()}: the settings in effect, and where each came from"]
    lines += [f"  {key:<{width}}  {value:<{value_width}}  {source}" for key, value, source in rows]
    return lines


def cmd_config(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    """Print the effective settings (the only action: show)."""
    for line in config_lines(args.settings, None, **overrides):
        print(line)
    return 0
