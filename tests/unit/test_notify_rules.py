"""Notification rules in the plant file (huddle.dashboard.core.notify_rules): a good section reads into channels and
rules; each mistake is refused with the place it was found; secrets are named by environment variable only."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from huddle.dashboard.core.notify_rules import Notifications, covers
from huddle.dashboard.core.plant import ConfigError, parse_plant

from tests.unit.test_core_config import BASE

GOOD: dict[str, Any] = {
    "smtp_password_env": "PLANT_SMTP_PASSWORD",
    "channels": [
        {"key": "leads", "kind": "email", "name": "Shift leads", "to": ["leads@plant.example"]},
        {"key": "ops", "kind": "teams", "url_env": "PLANT_TEAMS_OPS"},
        {"key": "chat", "kind": "slack", "url_env": "PLANT_SLACK"},
        {"key": "hook", "kind": "webhook", "url_env": "PLANT_HOOK"},
    ],
    "rules": [
        {"key": "oee-red", "name": "OEE red on a line", "cause": "kpi_red", "kpis": ["oee"], "scopes": ["L1", "a"],
         "channels": ["leads", "ops"]},
        {"key": "overdue", "cause": "action_overdue", "channels": ["leads"], "cleared": False},
        {"key": "area-red", "cause": "kpi_red", "tier": 2, "channels": ["leads"]},
        {"key": "feeds", "cause": "feed_stale", "sources": ["counts"], "channels": ["hook", "chat"],
         "after_minutes": 10},
    ],
}


def plant_with(notifications: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw["sources"] = [{"key": "counts", "kind": "files", "record": "production_counts", "path": "/tmp/in"}]
    raw["notifications"] = notifications
    return raw


def problems_of(notifications: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_plant(plant_with(notifications))
    return caught.value.problems


def test_a_good_section_reads_into_channels_and_rules() -> None:
    n = parse_plant(plant_with(GOOD)).notifications
    assert list(n.channels) == ["leads", "ops", "chat", "hook"]
    assert n.channels["leads"].to == ("leads@plant.example",) and n.channels["leads"].name == "Shift leads"
    assert n.channels["ops"].url({"PLANT_TEAMS_OPS": " https://example.test/hook/abc "}) == "https://example.test/hook/abc"
    assert n.channels["ops"].url({}) == ""
    rule = n.rules["oee-red"]
    assert (rule.cause, rule.kpis, rule.scopes, rule.channels, rule.cleared) == (
        "kpi_red", ("oee",), ("L1", "a"), ("leads", "ops"), True)
    assert n.rules["area-red"].tier == 2 and n.rules["area-red"].scopes == ()
    assert n.rules["overdue"].cleared is False and n.rules["feeds"].after_minutes == 10
    assert n.smtp_password({"PLANT_SMTP_PASSWORD": "s3cret"}) == "s3cret"
    assert sorted(n.secrets({"PLANT_SMTP_PASSWORD": "s3cret", "PLANT_SLACK": "https://x.test/T0/B0/tok"})) == [
        "https://x.test/T0/B0/tok", "s3cret"]


def test_no_section_means_no_notifications() -> None:
    raw = plant_with(None)
    del raw["notifications"]
    assert parse_plant(raw).notifications == Notifications()


def test_each_mistake_is_named_with_its_place() -> None:
    bad = copy.deepcopy(GOOD)
    bad["channels"].append({"key": "raw", "kind": "teams", "url": "https://example.test/hook/token"})
    bad["channels"].append({"key": "fax", "kind": "fax"})
    bad["channels"].append({"key": "mine", "kind": "slack", "url_env": "HUDDLE_SLACK"})
    bad["channels"][0]["to"] = ["not an address"]
    bad["rules"] += [
        {"key": "what", "cause": "kpi_purple", "channels": ["leads"]},
        {"key": "where", "cause": "kpi_red", "scopes": ["L9"], "kpis": ["nope"], "channels": ["pager"]},
        {"key": "feed-scope", "cause": "feed_stale", "scopes": ["L1"], "channels": ["leads"]},
        {"key": "oee-red", "cause": "action_overdue", "channels": ["leads"]},
        {"key": "tiered", "cause": "kpi_red", "tier": 4, "channels": ["leads"]},
        {"key": "nochannel", "cause": "action_overdue", "after_minutes": -5},
    ]
    problems = problems_of(bad)
    expected = [
        "notifications.channels[0] (leads).to: 'not an address' is not an e-mail address",
        "notifications.channels[4] (raw).url: a webhook's address holds its token, a secret: put it in an "
        "environment variable and name that variable with url_env",
        "notifications.channels[5] (fax).kind: expected one of email, webhook, teams, slack, got 'fax'",
        "notifications.channels[6] (mine).url_env: HUDDLE_SLACK starts with HUDDLE_, which Huddle reads as its "
        "own settings; name it otherwise (e.g. PLANT_SLACK)",
        "notifications.rules[4] (what).cause: expected one of kpi_red, action_overdue, feed_stale, "
        "escalation_unanswered, handover_unacknowledged, got 'kpi_purple'",
        "notifications.rules[5] (where).scopes: 'L9' is not 'plant', an area (a) or a line (L1, L2)",
        "notifications.rules[5] (where).kpis: 'nope' is not a KPI of the kpis section",
        "notifications.rules[6] (feed-scope): a feed_stale rule watches the whole plant; scopes and tier do not "
        "apply",
        "notifications.rules[7].key: rule 'oee-red' is defined twice",
        "notifications.rules[8] (tiered).tier: tier 4 is not a tier of the tiers section; known: 1, 2, 3",
        "notifications.rules[9] (nochannel).channels: name at least one channel of notifications.channels",
        "notifications.rules[9] (nochannel).after_minutes: expected a whole number of minutes from 0, got -5",
    ]
    for line in expected:
        assert line in problems, f"missing: {line}\nin: {problems}"
    assert any(p.startswith("notifications.rules[5] (where).channels: 'pager' is not a channel") for p in problems)
    # the token in the refused address is not repeated in the problem
    assert not any("token" in p and "https://" in p for p in problems)


def test_retries_double_from_the_first_wait() -> None:
    n = Notifications(retry_first_s=60, max_attempts=4)
    assert [n.retry_after_s(a) for a in (1, 2, 3, 4)] == [60, 120, 240, 480]


@pytest.mark.parametrize(("scope", "other", "held"), [
    ("plant", "L1", True), ("ex", "a", True), ("a", "L1", True), ("a", "L3", False), ("L1", "L1", True),
    ("L1", "L2", False), ("L1", "a", False)])
def test_a_scope_covers_itself_and_what_it_holds(scope: str, other: str, held: bool) -> None:
    assert covers(scope, other, {"a": ("L1", "L2")}, ("ex",)) is held


def test_the_mail_server_is_a_setting_checked_like_the_others() -> None:
    from huddle.dashboard.settings import load_settings
    from huddle.dashboard.settings_read import SettingsError

    read = load_settings(env={"HUDDLE_SMTP_HOST": "mail.plant.local", "HUDDLE_SMTP_PORT": "465",
                              "HUDDLE_SMTP_TLS": "ssl", "HUDDLE_SMTP_SENDER": "huddle@plant.local"})
    assert (read.smtp_host, read.smtp_port, read.smtp_tls, read.smtp_sender) == (
        "mail.plant.local", 465, "ssl", "huddle@plant.local")
    with pytest.raises(SettingsError) as caught:
        load_settings(env={"HUDDLE_SMTP_TLS": "maybe", "HUDDLE_SMTP_PORT": "0"})
    assert caught.value.problems == [
        "environment variable HUDDLE_SMTP_PORT: smtp_port must be from 1 to 65535, not 0",
        "environment variable HUDDLE_SMTP_TLS: smtp_tls must be 'starttls', 'ssl' or 'off', not 'maybe'"]
