"""The Admin page's monitor tokens, called over HTTP as Dash would call them: only an admin adds or revokes one, the
token is shown once and opens /metrics (and health) only, and revoking it refuses its next request."""

from __future__ import annotations

import re

import pytest
from huddle.dashboard.services.monitors import Monitors
from huddle.dashboard.web import ids

from tests.integration.test_admin_callbacks import Plant, _read, call, message, plant  # noqa: F401  (the fixture)

ADD = f"{ids.ADMIN_MONITOR_MESSAGE}.children"
REVOKE = f"{ids.ADMIN_MONITOR_REVOKE_MESSAGE}.children"


@pytest.mark.parametrize("who", ["vic", "ed", "display"])
def test_only_an_admin_adds_revokes_or_lists_monitor_tokens(plant: Plant, who: str) -> None:  # noqa: F811
    Monitors(plant.services.accounts).add("cli", "uptime")
    client = plant.client(who)
    add = call(plant, client, ADD, {ids.ADMIN_MONITOR_NAME: "rogue"}, ids.ADMIN_MONITOR_BUTTON)
    assert "needs the admin role" in message(add, ids.ADMIN_MONITOR_MESSAGE)
    revoke = call(plant, client, REVOKE, {ids.ADMIN_MONITOR_PICK: "uptime"}, ids.ADMIN_MONITOR_REVOKE)
    assert "needs the admin role" in message(revoke, ids.ADMIN_MONITOR_REVOKE_MESSAGE)
    assert [(m.name, m.revoked_at) for m in Monitors(plant.services.accounts).listing()] == [("uptime", None)]
    listed = _read(plant, client, f"{ids.ADMIN_MONITORS}.children")
    assert "uptime" not in listed and "Admins only" in listed


def test_an_admin_adds_a_monitor_token_shown_once_and_revokes_it(plant: Plant) -> None:  # noqa: F811
    admin = plant.client("boss")
    add = call(plant, admin, ADD, {ids.ADMIN_MONITOR_NAME: "prometheus"}, ids.ADMIN_MONITOR_BUTTON)
    text = message(add, ids.ADMIN_MONITOR_MESSAGE)
    assert text.startswith("Added monitor prometheus")
    token = re.findall(r"[\w-]{40,}", text)[-1]
    monitor = plant.app.server.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert monitor.get("/metrics", headers=bearer).status_code == 200
    assert monitor.get("/api/v1/health", headers=bearer).status_code == 200
    assert monitor.get("/api/v1/kpis", headers=bearer).status_code == 401
    assert "prometheus" in _read(plant, admin, f"{ids.ADMIN_MONITORS}.children")
    [entry] = plant.audit("monitor.add")
    assert (entry.actor, entry.target) == ("boss", "prometheus")
    again = call(plant, admin, ADD, {ids.ADMIN_MONITOR_NAME: "prometheus"}, ids.ADMIN_MONITOR_BUTTON)
    assert "exists" in message(again, ids.ADMIN_MONITOR_MESSAGE)

    revoke = call(plant, admin, REVOKE, {ids.ADMIN_MONITOR_PICK: "prometheus"}, ids.ADMIN_MONITOR_REVOKE)
    assert message(revoke, ids.ADMIN_MONITOR_REVOKE_MESSAGE).startswith("Revoked monitor prometheus")
    assert monitor.get("/metrics", headers=bearer).status_code == 401
    [entry] = plant.audit("monitor.revoke")
    assert (entry.actor, entry.target) == ("boss", "prometheus")
