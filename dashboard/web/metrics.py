"""Prometheus metrics at ``/metrics``, read with a monitor token (or from ``monitor_addresses``, or by a signed-in
admin), written with ``prometheus_client``.

Two kinds of figures, so that several gunicorn workers never disagree about the plant:

- Read from the database at each scrape, the same whichever worker answers: loader rows loaded and refused, runs
  and failed runs, the latest run's duration, data age, lateness by source; the scheduler's heartbeat age and
  leader; health; failed sign-ins (the audit trail).
- Counted in the answering process: requests by route, method and status, their latency, and render-cache
  lookups. Each worker counts its own (the ``instance``'s figures are one worker's) unless the environment
  variable ``PROMETHEUS_MULTIPROC_DIR`` names an empty folder when the workers start: then every worker writes its
  counts there and any worker answers with the sum (``prometheus_client``'s multiprocess mode).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping

from flask import Flask, Response, g, request
from huddle.dashboard.services.container import Services
from huddle.dashboard.web.security import current_identity
from huddle.data.queries import ledger as ledger_queries
from huddle.data.queries import liveness as liveness_queries
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
HEALTH_LEVEL = {"ok": 0, "degraded": 1, "error": 2}

# counted per process (not registered in prometheus_client's global registry: each app builds its own)
REQUESTS = Counter("huddle_http_requests", "HTTP requests answered, by route, method and status",
                   ["route", "method", "status"], registry=None)
LATENCY = Histogram("huddle_http_request_duration_seconds", "Time to answer a request, by route",
                    ["route", "method"], registry=None,
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
RENDER_CACHE = Counter("huddle_render_cache_lookups", "Board renders asked for: found in this worker (hit), found "
                       "in Redis from another worker (shared), or drawn (rendered)", ["result"], registry=None)


class PlantCollector(Collector):
    """The figures every worker reads alike from each site's database at scrape time."""

    def __init__(self, sites: Mapping[str, Services], accounts_site: Services) -> None:
        self.sites = sites
        self.accounts_site = accounts_site  # people and sign-ins are the home site's

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        """One family per figure, a sample per site (and source)."""
        loaded = CounterMetricFamily("huddle_loader_rows_loaded", "Rows the loaders stored, by source",
                                     labels=["site", "source"])
        refused = CounterMetricFamily("huddle_loader_rows_refused", "Rows the loaders refused (quarantined)",
                                      labels=["site", "source"])
        runs = CounterMetricFamily("huddle_loader_runs", "Loader runs (checks that found nothing included)",
                                   labels=["site", "source"])
        failed = CounterMetricFamily("huddle_loader_failed_runs", "Loader runs that failed", labels=["site", "source"])
        took = GaugeMetricFamily("huddle_loader_last_run_duration_seconds", "How long the latest finished run took",
                                 labels=["site", "source"])
        age = GaugeMetricFamily("huddle_source_data_age_seconds",
                                "Seconds since the source was last read without failing", labels=["site", "source"])
        overdue = GaugeMetricFamily("huddle_source_overdue_seconds",
                                    "Seconds past the time the source was due to be checked", labels=["site", "source"])
        late = GaugeMetricFamily("huddle_source_late", "1 when the source is overdue by more than twice its interval",
                                 labels=["site", "source"])
        data_age = GaugeMetricFamily("huddle_data_age_seconds", "Seconds since the newest shift data", labels=["site"])
        beat_age = GaugeMetricFamily("huddle_scheduler_heartbeat_age_seconds",
                                     "Seconds since the leading scheduler's last heartbeat", labels=["site"])
        up = GaugeMetricFamily("huddle_scheduler_up", "1 while a scheduler beats, 0 once it stopped",
                               labels=["site"])
        leader = GaugeMetricFamily("huddle_scheduler_leader", "The scheduler leading (1), by host and process",
                                   labels=["site", "leader"])
        health = GaugeMetricFamily("huddle_health_status", "Health: 0 ok, 1 degraded, 2 error", labels=["site"])
        reachable = GaugeMetricFamily("huddle_database_up", "1 when the site's database answered this scrape",
                                      labels=["site"])
        for key, services in self.sites.items():
            try:
                self._site(key, services, loaded, refused, runs, failed, took, age, overdue, late, data_age,
                           beat_age, up, leader, health)
                reachable.add_metric([key], 1)
            except Exception:  # a database down is a figure too, not a failed scrape
                reachable.add_metric([key], 0)
                health.add_metric([key], HEALTH_LEVEL["error"])
        yield from (loaded, refused, runs, failed, took, age, overdue, late, data_age, beat_age, up, leader, health,
                    reachable)
        signins = CounterMetricFamily("huddle_signin_failures", "Failed sign-ins (wrong name or password, or a "
                                      "disabled user), from the audit trail")
        try:
            with self.accounts_site.sessions() as session:
                signins.add_metric([], liveness_queries.failed_sign_ins(session))
            yield signins
        except Exception:
            pass

    @staticmethod
    def _site(key: str, services: Services, loaded: CounterMetricFamily, refused: CounterMetricFamily,
              runs: CounterMetricFamily, failed: CounterMetricFamily, took: GaugeMetricFamily,
              age: GaugeMetricFamily, overdue: GaugeMetricFamily, late: GaugeMetricFamily,
              data_age: GaugeMetricFamily, beat_age: GaugeMetricFamily, up: GaugeMetricFamily,
              leader: GaugeMetricFamily, health: GaugeMetricFamily) -> None:
        now = services.clock()
        with services.sessions() as session:
            totals = liveness_queries.loader_totals(session)
            read_through = ledger_queries.sources_read_through(session)
            newest = ledger_queries.latest_data(session)
        live = services.data_status.liveness()
        for source in services.config.sources:
            t = totals.get(source)
            loaded.add_metric([key, source], t.rows_loaded if t else 0)
            refused.add_metric([key, source], t.rows_refused if t else 0)
            runs.add_metric([key, source], t.runs if t else 0)
            failed.add_metric([key, source], t.failed_runs if t else 0)
            if t is not None and t.last_seconds is not None:
                took.add_metric([key, source], t.last_seconds)
            if source in read_through:
                age.add_metric([key, source], max(0.0, (now - read_through[source]).total_seconds()))
        for due in live.sources:
            if due.due_by is not None:
                overdue.add_metric([key, due.key], due.overdue_s)
                late.add_metric([key, due.key], 1 if due.late else 0)
        if newest is not None:
            stored = newest if newest.tzinfo else newest.replace(tzinfo=now.tzinfo)
            data_age.add_metric([key], max(0.0, (now - stored).total_seconds()))
        if live.heartbeat is not None:
            beat_age.add_metric([key], live.silent_s or 0.0)
            up.add_metric([key], 0 if live.stopped else 1)
            leader.add_metric([key, live.heartbeat.by], 0 if live.stopped else 1)
        status = services.data_status.health()["status"]
        health.add_metric([key], HEALTH_LEVEL.get(status, 2))


def registry_for(sites: Mapping[str, Services], home: Services) -> CollectorRegistry:
    """The figures one app serves: its sites' databases, and this process's (or every worker's) counts."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PlantCollector(sites, home))
    if os.environ.get(MULTIPROCESS):
        MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, LATENCY, RENDER_CACHE):
            registry.register(metric)
    return registry


def _route() -> str:
    """The route a request matched (its rule, so addresses with ids share one), or "unmatched"."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _answered(response: Response) -> Response:
    route, method = _route(), request.method
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
    return response


def metrics(registry: CollectorRegistry) -> Response:
    """GET /metrics: the figures, for a monitor or an admin; 401 for nobody, 403 for anyone else."""
    identity = current_identity()
    if identity.kind == "anonymous":
        return Response("Sign in as a monitor: Authorization: Bearer <token from huddle monitor add>\n",
                        status=401, mimetype="text/plain", headers={"WWW-Authenticate": 'Bearer realm="huddle"'})
    if identity.kind != "monitor" and identity.role != "admin":
        return Response("Metrics are for monitors and admins.\n", status=403, mimetype="text/plain")
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def install_metrics(server: Flask, sites: Mapping[str, Services], home: Services) -> None:
    """Count every request (install before the door, so refusals are timed too) and mount /metrics."""
    registry = registry_for(sites, home)
    server.before_request(_started)
    server.after_request(_answered)
    server.add_url_rule("/metrics", "metrics", lambda: metrics(registry), methods=["GET"])
