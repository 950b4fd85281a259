"""Reading and checking settings: the TOML file, the ``HUDDLE_*`` environment and the command line's options, each
value checked against the ``Settings`` field it sets, and where each value came from (``huddle config show``).

Every field of ``Settings`` is a setting (but the few the demo sets for itself, ``INTERNAL``), its environment
variable ``HUDDLE_`` and its name in capitals; a field added to ``Settings`` is read, checked by its type and shown
without a change here. A key or variable no field has is refused with the nearest name ("did you mean"), so a plant
never believes it set what it did not. Variables starting with ``HUDDLE_TEST_`` belong to the test suite and are
left alone.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import types
import typing
from dataclasses import fields
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from huddle.dashboard.settings import Settings

INTERNAL = frozenset({"run_scheduler_in_web", "demo_feed"})  # set by ``huddle demo`` itself, never by a plant
ENV_PREFIX = "HUDDLE_"
SETTINGS_FILE_ENV = "HUDDLE_SETTINGS"  # names the settings file; not a setting of its own
IGNORED_ENV_PREFIXES = ("HUDDLE_TEST_",)  # the test suite's databases and brokers
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """Settings that cannot be used: each problem one line naming where it is, the key and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def env_name(key: str) -> str:
    """The environment variable of a setting: ``HUDDLE_`` and its name in capitals."""
    return ENV_PREFIX + key.upper()


def setting_types() -> dict[str, Any]:
    """Every setting a plant may set and the type its field holds, in the order ``Settings`` lists them."""
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in fields(Settings) if f.name not in INTERNAL}


def _suggest(name: str, known: list[str]) -> str:
    """' (did you mean 'x'?)' for the nearest known name, or nothing."""
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not near:
        near = [k for k in known if k.lower() == name.lower().replace("-", "_")]
    return f" (did you mean {near[0]!r}?)" if near else ""


def _plain(kind: Any) -> tuple[Any, bool]:
    """The type inside ``X | None`` and whether None is allowed."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return (args[0] if len(args) == 1 else kind), True
    return kind, False


def _whole(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{key} must be a whole number, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{key} must be a whole number, not {value!r}") from None


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{key} must be a number, not {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{key} must be a number, not {value!r}") from None


def _yes_no(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValueError(f"{key} must be true or false, not {value!r}")


def _text(key: str, value: Any) -> str:
    if isinstance(value, datetime | date | time):  # TOML's own dates and times, written without quotes
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text in quotes, not {value!r}")
    return value.strip()


def _items(key: str, value: Any) -> list[str]:
    """A list from the file, or names separated by commas (the environment's way)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of texts like [\"a\", \"b\"], not {value!r}")
    return [v.strip() for v in value if v.strip()]


def convert(key: str, kind: Any, value: Any) -> Any:
    """``value`` (from the file, the environment or the command line) as the field's type; ValueError naming the
    key when it cannot be."""
    kind, optional = _plain(kind)
    if optional and (value is None or (isinstance(value, str) and not value.strip())):
        return None  # "" in the file: not set
    origin = typing.get_origin(kind)
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(Path(v) if inner is Path else v for v in _items(key, value))
    if kind is bool:
        return _yes_no(key, value)
    if kind is int:
        return _whole(key, value)
    if kind is float:
        return _number(key, value)
    if kind is Path:
        return value if isinstance(value, Path) else Path(_text(key, value))
    if kind is str:
        return _text(key, value)
    return value


def _at_least(key: str, least: int, value: int, what: str = "") -> None:
    if value < least:
        raise ValueError(f"{key} must be at least {least}{what}, not {value}")


def _port(value: int) -> None:
    if not 1 <= value <= 65535:
        raise ValueError(f"port must be from 1 to 65535, not {value}")


def _anonymous(value: str) -> None:
    if value not in ("off", "read"):
        raise ValueError(f"anonymous_access must be 'off' or 'read', not {value!r}")


def _log_format(value: str) -> None:
    if value not in ("text", "json"):
        raise ValueError(f"log_format must be 'text' or 'json', not {value!r}")


def _smtp_port(value: int) -> None:
    if not 1 <= value <= 65535:
        raise ValueError(f"smtp_port must be from 1 to 65535, not {value}")


def _smtp_tls(value: str) -> None:
    if value not in ("starttls", "ssl", "off"):
        raise ValueError(f"smtp_tls must be 'starttls', 'ssl' or 'off', not {value!r}")


def _now(value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"now must be a date and time like 2027-01-01T06:30, not {value!r}") from None


def _timezone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone must be a time zone name like Europe/Berlin, not {value!r}") from None


def _database_url(value: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError:
        raise ValueError("database_url must be a database address like postgresql+psycopg://huddle@db/huddle or "
                         "sqlite:////var/lib/huddle/huddle.sqlite") from None
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"database_url must name a PostgreSQL or SQLite database, not a {backend} one")


def _redis_url(value: str) -> None:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"redis_url must be an address like redis://127.0.0.1:6379/0, not {value!r}")


def _public_url(value: str) -> str:
    """The public address without a trailing slash; refused unless it is an http(s) address with a host."""
    from urllib.parse import urlsplit

    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public_url must be an address like https://huddle.plant.example, not {value!r}")
    return url


# Values a type cannot rule out: each check raises ValueError naming the key, or returns the value tidied.
CHECKS: dict[str, Any] = {
    "port": _port,
    "max_request_bytes": lambda v: _at_least("max_request_bytes", 1024, v),
    "behind_proxies": lambda v: _at_least("behind_proxies", 0, v, " (the number of proxies in front)"),
    "anonymous_access": _anonymous,
    "log_format": _log_format,
    "smtp_tls": _smtp_tls,
    "smtp_port": _smtp_port,
    "now": _now,
    "timezone": _timezone,
    "database_url": _database_url,
    "redis_url": _redis_url,
    "public_url": _public_url,
    "allowed_hosts": lambda hosts: tuple(h.lower() for h in hosts),
}


def _read_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise SettingsError([f"the settings file {path} cannot be read ({exc.strerror or exc})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([f"{path} is not a valid TOML file: {exc}"]) from None
    section = raw.get("huddle", raw)
    if not isinstance(section, dict):
        raise SettingsError([f"{path}: [huddle] must be a table of settings"])
    if section is not raw:  # keys beside the [huddle] table are not read either: name them too
        section = {**{k: v for k, v in raw.items() if k != "huddle"}, **section}
    return section


def read_settings(path: Path | str | None = None, env: dict[str, str] | None = None,
                  **overrides: Any) -> tuple[Settings, dict[str, str]]:
    """Settings from an optional TOML file, the environment and the command line (later wins), with where each
    set value came from; SettingsError listing every problem (unknown names with a suggestion, wrong types,
    impossible values), each naming the key and where it was set."""
    env = dict(os.environ if env is None else env)
    kinds = setting_types()
    names = list(kinds)
    raw: dict[str, tuple[Any, str]] = {}
    problems: list[str] = []
    path = path or env.get(SETTINGS_FILE_ENV)
    if path:
        for key, value in _read_file(str(path)).items():
            if key in kinds:
                raw[key] = (value, str(path))
            else:
                problems.append(f"{path}: unknown key {key!r}{_suggest(key, names)}")
    known_env = {env_name(k): k for k in names}
    for var, value in sorted(env.items()):
        if not var.startswith(ENV_PREFIX) or var == SETTINGS_FILE_ENV or var.startswith(IGNORED_ENV_PREFIXES):
            continue
        if var not in known_env:
            problems.append(f"unknown environment variable {var}{_suggest(var, [*known_env, SETTINGS_FILE_ENV])}")
        elif value:  # an empty variable counts as not set
            raw[known_env[var]] = (value, f"environment variable {var}")
    for key, value in overrides.items():
        if value is not None and key in kinds:
            raw[key] = (value, f"command line (--{key.replace('_', '-')})")
    values: dict[str, Any] = {k: v for k, v in overrides.items() if k in INTERNAL and v is not None}
    for key, (value, where) in raw.items():
        try:
            converted = convert(key, kinds[key], value)
            if key in CHECKS and converted is not None:
                tidied = CHECKS[key](converted)
                converted = converted if tidied is None else tidied
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        values[key] = converted
    if problems:
        raise SettingsError(problems)
    return Settings(**values), {key: f"settings file {where}" if where == str(path) else where
                                for key, (_value, where) in raw.items()}
