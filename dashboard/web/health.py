"""Health for load balancers, orchestrators and monitors, and who a monitor is.

- ``/healthz``: the process is up and answers (no database, no data, no sign-in): 200 ``ok``.
- ``/readyz``: every site's database can be reached, its migrations are current, and its loaders are not stopped
  (a scheduler that beat once and has been silent past ``scheduler_down_after_s``): 200, else 503 naming what
  failed. No sign-in and no plant data: a load balancer reads it.
- ``/api/v1/health`` (``api.health``) keeps the detail for people and for monitors.

A monitor reads ``/api/v1/health`` and ``/metrics`` with a monitor token (``Authorization: Bearer <token>``, made
with ``huddle monitor add`` or on the Admin page), or from an address listed in ``monitor_addresses``;
``monitor_identity`` is what the web door (``security``) asks, and only for those two addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from huddle.dashboard.services.accounts import ANONYMOUS, Accounts, Identity
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.liveness import when_words
from huddle.dashboard.services.monitors import MONITOR_ROLE, Monitors
from huddle.dashboard.settings import Settings
from huddle.data.db import failure_reason
from huddle.data.queries import liveness as liveness_queries

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
NETWORKS = "HUDDLE_MONITOR_NETWORKS"  # the Flask config key holding the parsed ``monitor_addresses``


def monitor_networks(addresses: tuple[str, ...]) -> tuple[Network, ...]:
    """``monitor_addresses`` as networks; a ValueError naming the setting for one that is not an address."""
    networks = []
    for text in addresses:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"monitor_addresses: {text!r} is not an address or a network like 10.0.5.0/24") from None
    return tuple(networks)


def monitor_identity(accounts: Accounts) -> Identity:
    """The monitor calling: by its bearer token, else by its address; nobody (anonymous) otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        found = Monitors(accounts).identity(token.strip())
        return found or ANONYMOUS  # a wrong token is no sign-in, whatever the address
    networks: tuple[Network, ...] = current_app.config.get(NETWORKS, ())
    if networks and request.remote_addr:
        try:
            address = ipaddress.ip_address(request.remote_addr)
        except ValueError:
            return ANONYMOUS
        if any(address in network for network in networks):
            return Identity(MONITOR_ROLE, f"address {address}", MONITOR_ROLE)
    return ANONYMOUS


def healthz() -> Response:
    """GET /healthz: the process answers."""
    return Response("ok\n", mimetype="text/plain")


def _site_ready(services: Services) -> dict[str, Any]:
    """One site's readiness: its database, its migrations and its loaders, each "ok" or why not."""
    checks: dict[str, Any] = {}
    try:
        revision, head = liveness_queries.migrations(services.db)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if revision == head else f"the database is at {revision}, this Huddle needs " \
                                                             f"{head}: run huddle init"
        live = services.data_status.liveness()
        tz = services.config.tz
        if live.stopped and live.heartbeat is not None:
            checks["scheduler"] = f"stopped since {when_words(live.heartbeat.at, tz, live.now)}"
        else:
            checks["scheduler"] = "ok" if live.heartbeat is not None else "ok (no scheduler has run yet)"
    except Exception as exc:  # whatever the database's trouble, the answer is a 503 naming it
        checks.setdefault("database", f"cannot be used: {failure_reason(exc)}")
    return checks


def readyz(sites: Mapping[str, Services]) -> Any:
    """GET /readyz: 200 when every site is ready, else 503; each check named."""
    answer = {key: _site_ready(services) for key, services in sites.items()}
    ready = all(v == "ok" or str(v).startswith("ok ") for checks in answer.values() for v in checks.values())
    body = {"status": "ready" if ready else "not ready",
            "sites" if len(answer) > 1 else "checks": answer if len(answer) > 1 else next(iter(answer.values()))}
    return jsonify(body), 200 if ready else 503


def install_health(server: Flask, settings: Settings, sites: Mapping[str, Services]) -> None:
    """Mount /healthz and /readyz, and keep the monitors' addresses for the door."""
    server.config[NETWORKS] = monitor_networks(settings.monitor_addresses)
    server.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    server.add_url_rule("/readyz", "readyz", lambda: readyz(sites), methods=["GET"])
