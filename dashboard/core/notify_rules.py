"""Notification rules: what the plant wants to be told, where, and whom (the plant file's ``notifications:``).

A **rule** names a cause (a KPI red at a scope, an action overdue, a data feed stale, an escalation unanswered
past its tier's limit, a handover not acknowledged), where it applies (scopes or a tier; KPIs; sources) and the
channels that carry its messages. A **channel** is an e-mail list (fixed addresses, and every person who subscribed
to the rule on the Data page) or a webhook: a generic JSON post, a Microsoft Teams or a Slack incoming webhook.

Secrets never sit in the plant file: a webhook's address (its token is in it) and the SMTP password are read from
environment variables the file *names* (``url_env: PLANT_TEAMS_WEBHOOK``). The SMTP server, port, sender and TLS are
settings (``smtp_host`` ...). ``read_notifications`` checks the section and adds each problem, with where it was
found (``notifications.rules[2] (oee-red).cause``), to the plant file's list; docs/plant-config.md describes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.tiers import read_tiers

#: every cause a rule may watch, and how people read it (translated where shown)
CAUSES = {"kpi_red": N_("KPI red"), "action_overdue": N_("action overdue"), "feed_stale": N_("data feed stale"),
          "escalation_unanswered": N_("escalation unanswered"),
          "handover_unacknowledged": N_("handover not acknowledged")}
#: the kinds of channel, and how people read them
CHANNEL_KINDS = {"email": N_("e-mail"), "webhook": N_("webhook (JSON)"), "teams": N_("Microsoft Teams"),
                 "slack": N_("Slack")}
#: causes that happen somewhere on the plant, so a rule may name its scopes (or a tier)
SCOPED = ("kpi_red", "action_overdue", "escalation_unanswered", "handover_unacknowledged")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+")
MAX_ATTEMPTS = 6  # a message is tried this many times, then given up (logged as failed)
RETRY_FIRST_S = 60  # the first retry waits this long; each later one twice the one before


class NotificationError(ValueError):
    """A subscription or channel that cannot be used as given, with the reason."""


@dataclass(frozen=True)
class Channel:
    """Where messages go: an e-mail list or a webhook whose address is in an environment variable."""

    key: str
    kind: str  # email | webhook | teams | slack
    name: str
    to: tuple[str, ...] = ()  # e-mail: addresses that always receive (subscribers are added)
    url_env: str = ""  # a webhook: the environment variable holding its address

    @property
    def is_email(self) -> bool:
        """True for an e-mail channel."""
        return self.kind == "email"

    def url(self, env: Mapping[str, str]) -> str:
        """The webhook's address from the environment ("" when it is not set)."""
        return (env.get(self.url_env) or "").strip() if self.url_env else ""


@dataclass(frozen=True)
class Rule:
    """A cause to watch, where, and the channels that tell it."""

    key: str
    name: str
    cause: str
    channels: tuple[str, ...]
    scopes: tuple[str, ...] = ()  # lines, areas or the plant; () = the whole plant
    tier: int | None = None  # instead of scopes: every scope of this tier
    kpis: tuple[str, ...] = ()  # kpi_red: () = every headline KPI
    sources: tuple[str, ...] = ()  # feed_stale: () = every source
    after_minutes: int = 0  # how long a cause must last before it is told
    cleared: bool = True  # also tell when the cause clears


@dataclass(frozen=True)
class Notifications:
    """The plant's notification rules and channels, and how hard a message is tried."""

    channels: dict[str, Channel] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    smtp_password_env: str = ""  # the environment variable holding the SMTP password ("" = no sign-in)
    max_attempts: int = MAX_ATTEMPTS
    retry_first_s: int = RETRY_FIRST_S

    def retry_after_s(self, attempts: int) -> int:
        """Seconds before the next try of a message tried ``attempts`` times: doubling from the first wait."""
        return self.retry_first_s * 2 ** max(0, attempts - 1)

    def smtp_password(self, env: Mapping[str, str]) -> str:
        """The SMTP password from the environment ("" when none is named or set)."""
        return env.get(self.smtp_password_env, "") if self.smtp_password_env else ""

    def secrets(self, env: Mapping[str, str]) -> list[str]:
        """Every secret value the environment holds for these channels: what must never reach a log line."""
        values = [self.smtp_password(env), *(c.url(env) for c in self.channels.values())]
        return [v for v in values if v]


def covers(scope: str, other: str, areas: Mapping[str, Iterable[str]], site_keys: Iterable[str]) -> bool:
    """True when ``scope`` holds ``other``: the plant holds everything, an area its lines, a scope itself."""
    if scope in (*site_keys, "plant", "") or scope == other:
        return True
    return other in tuple(areas.get(scope, ()))


# ---- reading the plant file's section ----------------------------------------------------------------------------


def _texts(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    """A list of words (or one word) as a tuple; a problem for anything else."""
    if value is None:
        return ()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return tuple(str(v) for v in value)
    problems.append(f"{where}: expected a list of keys, got {value!r}")
    return ()


def _env_name(value: Any, where: str, problems: list[str]) -> str:
    """An environment variable's name, checked: capitals, digits and _, not one of Huddle's own settings."""
    if not isinstance(value, str) or not ENV_NAME.fullmatch(value):
        problems.append(f"{where}: expected the name of an environment variable like PLANT_TEAMS_WEBHOOK, "
                        f"got {value!r}")
        return ""
    if value.startswith("HUDDLE_"):
        problems.append(f"{where}: {value} starts with HUDDLE_, which Huddle reads as its own settings; "
                        f"name it otherwise (e.g. PLANT_{value.removeprefix('HUDDLE_')})")
        return ""
    return value


def _head(raw: Any, where: str, problems: list[str], field: str, kinds: Mapping[str, str],
          entries: set[str]) -> tuple[str, str, str] | None:
    """A channel's or rule's key, its kind (``field``: kind or cause) and its place in problems; None (with a
    problem) when the entry is no mapping, its key is not a short key or its kind is unknown."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping with key, {field} and more, got {raw!r}")
        return None
    key, kind = raw.get("key"), raw.get(field)
    if not isinstance(key, str) or not KEY.fullmatch(key):
        problems.append(f"{where}.key: expected a short key (lower-case letters, digits, - and _), got {key!r}")
        return None
    where = f"{where} ({key})"
    if kind not in kinds:
        problems.append(f"{where}.{field}: expected one of {', '.join(kinds)}, got {kind!r}")
        return None
    unknown = sorted(set(raw) - entries - {"key", field, "name"})
    if unknown:
        problems.append(f"{where}: unknown entries {', '.join(unknown)}")
    return key, kind, where


def _channel(raw: Any, where: str, problems: list[str]) -> Channel | None:
    """One channel: its key, kind, name and where it sends."""
    head = _head(raw, where, problems, "kind", CHANNEL_KINDS, {"to", "url_env", "url"})
    if head is None:
        return None
    key, kind, where = head
    name = str(raw.get("name") or key)
    if kind == "email":
        to = _texts(raw.get("to"), f"{where}.to", problems)
        for address in to:
            if not ADDRESS.fullmatch(address):
                problems.append(f"{where}.to: {address!r} is not an e-mail address")
        return Channel(key, kind, name, to=to)
    if "url" in raw:
        problems.append(f"{where}.url: a webhook's address holds its token, a secret: put it in an environment "
                        f"variable and name that variable with url_env")
        return None
    url_env = _env_name(raw.get("url_env"), f"{where}.url_env", problems)
    return Channel(key, kind, name, url_env=url_env) if url_env else None


def _after(raw: dict[str, Any], where: str, problems: list[str]) -> int:
    """A rule's ``after_minutes``: a whole number from 0."""
    value = raw.get("after_minutes", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{where}.after_minutes: expected a whole number of minutes from 0, got {value!r}")
        return 0
    return value


def _rule(raw: Any, where: str, problems: list[str], known: _Known) -> Rule | None:
    """One rule: its key, cause, where it applies and its channels, each checked against the plant."""
    head = _head(raw, where, problems, "cause", CAUSES,
                 {"channels", "scopes", "tier", "kpis", "sources", "after_minutes", "cleared"})
    if head is None:
        return None
    key, cause, where = head
    channels = _texts(raw.get("channels"), f"{where}.channels", problems)
    if not channels:
        problems.append(f"{where}.channels: name at least one channel of notifications.channels")
    problems.extend(f"{where}.channels: {c!r} is not a channel of notifications.channels; known: "
                    f"{', '.join(known.channels) or 'none'}" for c in channels if c not in known.channels)
    scopes = _texts(raw.get("scopes"), f"{where}.scopes", problems)
    problems.extend(f"{where}.scopes: {s!r} is not 'plant', an area ({', '.join(known.areas)}) or a line "
                    f"({', '.join(known.lines)})" for s in scopes if s not in known.scopes)
    tier = raw.get("tier")
    if tier is not None and (isinstance(tier, bool) or not isinstance(tier, int) or tier < 1):
        problems.append(f"{where}.tier: expected a tier's number (1, 2, 3...), got {tier!r}")
        tier = None
    elif tier is not None and tier not in known.tiers:
        problems.append(f"{where}.tier: tier {tier} is not a tier of the tiers section; known: "
                        f"{', '.join(map(str, known.tiers)) or 'none'}")
        tier = None
    if (scopes or tier is not None) and cause not in SCOPED:
        problems.append(f"{where}: a {cause} rule watches the whole plant; scopes and tier do not apply")
    if scopes and tier is not None:
        problems.append(f"{where}: give scopes or a tier, not both")
    kpis = _texts(raw.get("kpis"), f"{where}.kpis", problems)
    if kpis and cause != "kpi_red":
        problems.append(f"{where}.kpis: only a kpi_red rule names KPIs")
    problems.extend(f"{where}.kpis: {k!r} is not a KPI of the kpis section" for k in kpis if k not in known.kpis)
    sources = _texts(raw.get("sources"), f"{where}.sources", problems)
    if sources and cause != "feed_stale":
        problems.append(f"{where}.sources: only a feed_stale rule names sources")
    problems.extend(f"{where}.sources: {s!r} is not a source of the sources section" for s in sources
                    if s not in known.sources)
    cleared = raw.get("cleared", True)
    if not isinstance(cleared, bool):
        problems.append(f"{where}.cleared: expected true or false, got {cleared!r}")
    return Rule(key, str(raw.get("name") or key), cause, channels, scopes, tier, kpis, sources,
                _after(raw, where, problems), cleared is not False)


@dataclass(frozen=True)
class _Known:
    """What a rule may name: the plant's channels, scopes, KPIs and sources."""

    channels: tuple[str, ...]
    areas: tuple[str, ...]
    lines: tuple[str, ...]
    scopes: tuple[str, ...]
    kpis: tuple[str, ...]
    sources: tuple[str, ...]
    tiers: tuple[int, ...]


def read_notifications(document: Any, problems: list[str], site_key: str, areas: Iterable[str],
                       lines: Iterable[str], kpis: Iterable[str], sources: Iterable[str]) -> Notifications:
    """The plant file's ``notifications:`` section, checked against the plant's areas, lines, KPIs, sources and
    tiers; each problem is added to ``problems`` with where it was found (no section: no notifications)."""
    raw = document.get("notifications")
    # the tiers' own problems are reported where they are read (plant.parse_plant): here only their numbers count
    tiers = [t.number for t in read_tiers(document.get("tiers"), [])]
    if raw is None:
        return Notifications()
    if not isinstance(raw, dict):
        problems.append(f"notifications: expected a mapping with channels and rules, got {raw!r}")
        return Notifications()
    unknown = sorted(set(raw) - {"channels", "rules", "smtp_password_env", "max_attempts", "retry_first_seconds"})
    if unknown:
        problems.append(f"notifications: unknown entries {', '.join(unknown)}")
    channels: dict[str, Channel] = {}
    raw_channels = raw.get("channels") or []
    if not isinstance(raw_channels, list):
        problems.append(f"notifications.channels: expected a list, got {raw_channels!r}")
        raw_channels = []
    for i, c in enumerate(raw_channels):
        channel = _channel(c, f"notifications.channels[{i}]", problems)
        if channel is not None and channel.key in channels:
            problems.append(f"notifications.channels[{i}].key: channel {channel.key!r} is defined twice")
        elif channel is not None:
            channels[channel.key] = channel
    areas, lines = tuple(areas), tuple(lines)
    known = _Known(tuple(k for c in raw_channels if isinstance(c, dict) and isinstance(k := c.get("key"), str)),
                   areas, lines, ("plant", site_key, *areas, *lines), tuple(kpis), tuple(sources), tuple(tiers))
    rules: dict[str, Rule] = {}
    raw_rules = raw.get("rules") or []
    if not isinstance(raw_rules, list):
        problems.append(f"notifications.rules: expected a list, got {raw_rules!r}")
        raw_rules = []
    for i, r in enumerate(raw_rules):
        rule = _rule(r, f"notifications.rules[{i}]", problems, known)
        if rule is not None and rule.key in rules:
            problems.append(f"notifications.rules[{i}].key: rule {rule.key!r} is defined twice")
        elif rule is not None:
            rules[rule.key] = rule
    password_env = (_env_name(raw["smtp_password_env"], "notifications.smtp_password_env", problems)
                    if raw.get("smtp_password_env") is not None else "")
    attempts = raw.get("max_attempts", MAX_ATTEMPTS)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 20:
        problems.append(f"notifications.max_attempts: expected a whole number from 1 to 20, got {attempts!r}")
        attempts = MAX_ATTEMPTS
    first = raw.get("retry_first_seconds", RETRY_FIRST_S)
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= 86400:
        problems.append(f"notifications.retry_first_seconds: expected seconds from 1 to 86400, got {first!r}")
        first = RETRY_FIRST_S
    return Notifications(channels, rules, password_env, attempts, first)
