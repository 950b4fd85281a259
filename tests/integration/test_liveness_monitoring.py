"""A stopped scheduler is seen, and monitors can watch Huddle: the heartbeat and each source's due time turn health
to degraded then error (with the board's and the Data page's strip), ``/healthz`` and ``/readyz`` answer a load
balancer, ``/metrics`` serves Prometheus figures to a monitor token only, and ``huddle monitor`` makes the tokens.

Every test sets the clock (a list the services' clock reads): nothing waits for real time.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.liveness import HEARTBEAT_S
from huddle.dashboard.services.monitors import Monitors
from huddle.dashboard.web.render_cache import make_render_cache
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SMALL_NOW, client_for, write_past

DOCS = Path(__file__).resolve().parents[2] / "docs"
COUNTS = ("line,start,end,total,good\n"
          "L1,2026-11-20 06:00,2026-11-20 07:00,100,98\n"
          "L1,2026-11-20 07:00,2026-11-20 08:00,100,97\n"
          "L9,2026-11-20 08:00,2026-11-20 09:00,100,97\n")


@pytest.fixture
def clocked(tmp_path: Path, plant_file: Path, database_url: str) -> Any:
    """Services on the small plant, on each backend, whose clock the test moves (``services.now[0]``), and their
    scheduler's jobs."""
    from huddle.dashboard.scheduler import build_scheduler
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings

    now = [SMALL_NOW]
    settings = Settings(data_dir=tmp_path, plant_config=plant_file, database_url=database_url,
                        anonymous_access="off", scheduler_down_after_s=90)
    services = build_services(settings, clock=lambda: now[0])
    (tmp_path / "inbox/stops").mkdir(parents=True)
    services.now = now  # type: ignore[attr-defined]
    scheduler = build_scheduler(services, blocking=False)  # not started: the test runs its jobs at the set time
    services.jobs = {job.id: job for job in scheduler.get_jobs()}  # type: ignore[attr-defined]
    yield services
    services.dispose()


def _run(services: Any, job_id: str) -> None:
    """Run one of the scheduler's jobs now, as the scheduler would."""
    job = services.jobs[job_id]
    job.func(*job.args, **job.kwargs)


def _tick(services: Any, seconds: float, *, beating: bool = True, loading: bool = True) -> None:
    """Move the clock on in heartbeat steps, the scheduler beating and loading, or not."""
    end = services.now[0] + timedelta(seconds=seconds)
    while services.now[0] < end:
        before = services.now[0]
        services.now[0] = min(end, before + timedelta(seconds=HEARTBEAT_S))
        if beating:
            _run(services, "heartbeat")
        if loading and services.now[0].minute != before.minute:  # the sources run every minute
            _run(services, "source:counts")
            _run(services, "source:stops")


def _monitor_client(services: Any) -> tuple[Any, str]:
    token = Monitors(services.accounts).add("cli:test", "prometheus")
    return client_for(services), token


def test_stopping_the_scheduler_turns_health_to_degraded_then_error_and_the_board_shows_the_strip(
        clocked: Any, tmp_path: Path) -> None:
    from huddle.dashboard.services.board import board_view
    from huddle.pages.board import render_board
    from huddle.pages.data import health_strip

    services = clocked
    write_past(tmp_path / "inbox/counts/counts_20261120.csv", COUNTS)
    _run(services, "heartbeat")
    _run(services, "source:counts")
    _run(services, "source:stops")
    _tick(services, 120)
    health = services.data_status.health()
    assert health["status"] == "ok", health["scheduler"]
    assert health["scheduler"]["state"] == "running" and health["scheduler"]["words"] == ""
    assert "huddle-scheduler" in health["scheduler"]["leader"]

    # the scheduler beats but its loads no longer run (a stuck job): degraded, naming the source, once it is
    # overdue by more than twice its 60-second interval
    stopped_loading = services.now[0]
    _tick(services, 170, loading=False)
    assert services.data_status.health()["status"] == "ok"  # 110 s overdue: not yet twice the interval
    _tick(services, 15, loading=False)
    health = services.data_status.health()
    assert health["status"] == "degraded" and health["late_sources"] == ["counts", "stops"]
    assert health["scheduler"]["words"].startswith("Loaders late: counts (due 21:")
    due = {s["key"]: s["due_by"] for s in services.data_status.report()["sources"]}  # the Data page's Due by
    assert re.fullmatch(r"21:\d\d \(late\)", due["counts"]), due

    # every scheduler stopped: error once none has beaten for scheduler_down_after_s (90 s)
    _tick(services, 60)  # loading again, then all stops at once
    last_beat = services.now[0]
    assert services.data_status.health()["status"] == "ok"
    _tick(services, 90, beating=False, loading=False)
    assert services.data_status.health()["status"] == "ok"  # silent 90 s: not yet more than the setting
    _tick(services, 15, beating=False, loading=False)
    health = services.data_status.health()
    stopped_at = last_beat.astimezone(services.config.tz).strftime("%H:%M")
    words = f"Loaders stopped since {stopped_at} — new files are not being read"
    assert health["status"] == "error" and health["reason"] == words and stopped_loading < last_beat
    assert health["scheduler"]["state"] == "stopped" and health["scheduler"]["silent_seconds"] == 105

    client = client_for(services, anonymous_access="read")
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503 and answer.get_json()["reason"] == words
    period = services.readings.last_completed_shift()
    body = json.dumps(render_board(board_view(services, "plant", period)), default=str, ensure_ascii=False)
    assert words in body and "failure-strip" in body
    assert words in json.dumps(health_strip(services.data_status.report()["health"]), default=str, ensure_ascii=False)
    assert client.get("/readyz").status_code == 503
    assert "stopped since" in client.get("/readyz").get_json()["checks"]["scheduler"]

    # a scheduler starts again: its first beat and runs make health ok
    _tick(services, 60)
    assert services.data_status.health()["status"] == "ok"
    assert client.get("/readyz").status_code == 200


def test_idle_checks_keep_their_own_time_on_the_data_page(clocked: Any) -> None:
    services = clocked
    for _ in range(3):
        _run(services, "source:stops")
        services.now[0] += timedelta(minutes=1)
    runs = [r for r in services.data_status.report()["runs"] if r["source"] == "stops"]
    assert len(runs) == 1
    local = (SMALL_NOW + timedelta(minutes=2)).astimezone(services.config.tz)
    assert runs[0]["message"] == f"checked at {local:%H:%M:%S}, nothing new (3 checks in a row)"
    assert runs[0]["duration_s"] == 0  # the last check's own time, not the two minutes since the first


def test_healthz_and_readyz_need_no_sign_in_and_readyz_fails_with_the_database_down(
        tmp_path: Path, plant_file: Path, clocked: Any) -> None:
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings

    client = client_for(clocked)
    assert client.get("/healthz").status_code == 200 and client.get("/healthz").text == "ok\n"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["checks"] == {"database": "ok", "migrations": "ok",
                                          "scheduler": "ok (no scheduler has run yet)"}
    assert client.get("/api/v1/health").status_code == 401  # the detail needs a sign-in or a monitor

    down = Settings(data_dir=tmp_path / "down", plant_config=plant_file,
                    database_url="postgresql+psycopg://huddle@127.0.0.1:9/nowhere?connect_timeout=2")
    services = build_services(down, clock=lambda: SMALL_NOW, initialise=False)
    try:
        client = client_for(services)
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["status"] == "not ready"
        assert ready.get_json()["checks"]["database"].startswith("cannot be used")
        metrics = client.get("/metrics", headers={"Authorization": "Bearer not-a-token"})
        assert metrics.status_code == 503 and b"huddle_" not in metrics.data  # the token cannot be checked
    finally:
        services.dispose()


def test_metrics_are_refused_without_the_token_and_parse_as_prometheus_text(clocked: Any, tmp_path: Path) -> None:
    services = clocked
    write_past(tmp_path / "inbox/counts/counts_20261120.csv", COUNTS)
    _run(services, "heartbeat")
    _run(services, "source:counts")
    services.accounts.login("nobody", "wrong password", "10.0.0.9")
    client, token = _monitor_client(services)
    assert client.get("/api/v1/board?scope=plant").status_code == 401
    refused = client.get("/metrics")
    assert refused.status_code == 401 and b"huddle_" not in refused.data
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"[:-1]}).status_code == 401
    # a monitor reads health and metrics, and nothing else
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/board?scope=plant", headers=bearer).status_code == 401
    assert client.get("/", headers=bearer).status_code == 302
    assert client.get("/api/v1/health", headers=bearer).status_code == 200
    answer = client.get("/metrics", headers=bearer)
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("huddle_loader_rows_loaded_total", (("site", "ex"), ("source", "counts")))] == 2
    assert samples[("huddle_loader_rows_refused_total", (("site", "ex"), ("source", "counts")))] == 1
    assert samples[("huddle_scheduler_up", (("site", "ex"),))] == 1
    assert samples[("huddle_scheduler_heartbeat_age_seconds", (("site", "ex"),))] == 0
    assert samples[("huddle_health_status", (("site", "ex"),))] == 0
    assert samples[("huddle_signin_failures_total", ())] == 1
    assert ("huddle_loader_last_run_duration_seconds", (("site", "ex"), ("source", "counts"))) in samples
    assert ("huddle_source_data_age_seconds", (("site", "ex"), ("source", "counts"))) in samples
    assert "huddle_http_requests" in families and "huddle_http_request_duration_seconds" in families
    routes = {s.labels.get("route") for s in families["huddle_http_requests"].samples}
    assert "/metrics" in routes and "/api/v1/health" in routes
    assert "huddle_render_cache_lookups" in families

    # the Grafana dashboard in docs/ asks only for figures /metrics serves
    cache = make_render_cache(None, "test")
    assert cache.get_or_render("k", lambda: 1) == cache.get_or_render("k", lambda: 2) == 1  # drawn once, then a hit
    served = {s.name for f in text_string_to_metric_families(client.get("/metrics", headers=bearer).text)
              for s in f.samples}
    asked = set(re.findall(r"huddle_[a-z_]+", (DOCS / "grafana-huddle.json").read_text(encoding="utf-8")))
    assert asked and asked <= served, asked - served

    # the scheduler stops: the figures say so at the next scrape, read from the database
    services.now[0] += timedelta(seconds=300)
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics", headers=bearer).text)}
    assert families["huddle_scheduler_up"].samples[0].value == 0
    assert families["huddle_scheduler_heartbeat_age_seconds"].samples[0].value == 300
    assert families["huddle_health_status"].samples[0].value == 2

    Monitors(services.accounts).revoke("cli:test", "prometheus")
    assert client.get("/metrics", headers=bearer).status_code == 401
    assert client.get("/api/v1/health", headers=bearer).status_code == 401


def test_metrics_from_a_configured_address_and_for_admins_only_among_people(clocked: Any) -> None:
    services = clocked
    services.accounts.add_user("cli:test", "ana", "a long pass phrase 1", "admin")
    services.accounts.add_user("cli:test", "vic", "a long pass phrase 2", "viewer")
    client = client_for(services, monitor_addresses=("10.0.5.0/24",))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.5.20"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.6.20"}).status_code == 401
    assert client.get("/api/v1/health", environ_base={"REMOTE_ADDR": "10.0.5.20"}).status_code == 200
    assert client.get("/api/v1/kpis", environ_base={"REMOTE_ADDR": "10.0.5.20"}).status_code == 401
    for name, password, status in (("vic", "a long pass phrase 2", 403), ("ana", "a long pass phrase 1", 200)):
        person = client_for(services)
        assert person.post("/login", data={"username": name, "password": password}).status_code == 302
        assert person.get("/metrics").status_code == status


def test_monitor_tokens_from_the_command_line(tmp_path: Path, plant_file: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from huddle.dashboard.cli import main

    base = ["--data-dir", str(tmp_path), "--plant-config", str(plant_file)]
    assert main([*base, "monitor", "add", "prometheus"]) == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1].split()[-1]
    assert len(token) > 30 and "Authorization: Bearer" in out
    assert main([*base, "monitor", "add", "prometheus"]) == 1
    assert "exists" in capsys.readouterr().out
    assert main([*base, "monitor", "list"]) == 0
    assert "prometheus" in capsys.readouterr().out
    assert main([*base, "monitor", "revoke", "prometheus"]) == 0
    assert main([*base, "monitor", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
