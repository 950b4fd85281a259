"""The quarantine's lifecycle as people use it, on SQLite and PostgreSQL: open problems listed with file, row,
column and value; dismissed by an editor with a reason (audited); retried against the plant configuration as it is
now (a stop refused for an unknown reason loads once the reason is added); the same through the API (the command is
in ``test_quarantine_cli``); and the Data page's read model (open problems first, files read in words)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.quarantine import QuarantineError
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.data.models import StopEvent
from sqlalchemy import select

from tests.conftest import SMALL_PLANT, client_for
from tests.integration.test_admin_callbacks import ORIGIN, payload

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
KNOWN = "stop_reasons:\n  - {reason: Jam, category: unplanned}\n"
WITH_MOTOR = KNOWN + "  - {reason: Motor fault, category: unplanned}\n"

STOPS = """line,start,end,reason,category
L1,2026-11-20 08:00,2026-11-20 08:10,Jam,unplanned
L1,2026-11-20 09:00,2026-11-20 09:25,Motor fault,unplanned
L2,2026-11-20 10:00,2026-11-20 10:05,Jam,unplanned
"""
COUNTS = """line,start,end,product,total,good
L1,2026-11-20 06:00,2026-11-20 07:00,A,3000,2950
L1,2026-11-20 07:00,2026-11-20 08:00,A,3000,lots
L1,2026-11-20 08:00,2026-11-20 09:00,A,3000,2900
L1,2026-11-20 08:00,2026-11-20 09:00,A,3000,2900
"""
EDITOR = Identity("user", "eddie", "editor")
VIEWER = Identity("user", "vic", "viewer")


def _plant(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / f"plant-{len(extra)}.yaml"
    path.write_text(SMALL_PLANT + extra, encoding="utf-8")
    return path


def load_refused(make_services: Any, database_url: str, inbox: Any, tmp_path: Path) -> Any:
    """The small plant knowing only the Jam stop reason, with a stops file (one stop refused for its reason) and a
    counts file (one row refused for its good count, one as a duplicate line) loaded."""
    services = make_services(database_url, plant=_plant(tmp_path, KNOWN))
    inbox.drop("stops", STOPS, "stops-1120.csv")
    inbox.drop("counts", COUNTS, "counts-1120.csv")
    outcomes = {o.source: o for o in services.loader.run_all()}
    assert outcomes["stops"].rows_rejected == 1 and outcomes["counts"].rows_rejected == 2
    return services


@pytest.fixture
def refused(make_services, database_url: str, inbox, tmp_path: Path) -> Any:  # type: ignore[no-untyped-def]
    """The small plant with a stop and two counts rows refused (``load_refused``)."""
    return load_refused(make_services, database_url, inbox, tmp_path)


def _open(services: Any) -> dict[str, Any]:
    return {p.where: p for p in services.quarantine.problems("open")}


def test_open_problems_name_file_row_column_and_value_newest_first(refused) -> None:  # type: ignore[no-untyped-def]
    problems = refused.quarantine.problems("open")
    assert [(p.file_name, p.row, p.column, p.value) for p in problems] == [
        ("stops-1120.csv", 3, "reason", "Motor fault"), ("counts-1120.csv", 5, "line,start,product", ""),
        ("counts-1120.csv", 3, "good", "lots")]
    assert problems[2].where == "counts-1120.csv, line 3" and problems[2].what == "good 'lots': not a number"
    assert problems[0].what == "reason 'Motor fault': unknown stop reason (add it to stop_reasons)"
    assert refused.quarantine.counts() == {"open": 3, "resolved": 0, "dismissed": 0}
    assert [p.row for p in refused.quarantine.problems("open", source="stops")] == [3]
    assert [p.row for p in refused.quarantine.problems("open", limit=1, offset=1)] == [5]
    with pytest.raises(QuarantineError, match="status: expected one of open, resolved, dismissed or all"):
        refused.quarantine.problems("closed")


def test_an_editor_dismisses_with_a_reason_audited_a_viewer_cannot(refused) -> None:  # type: ignore[no-untyped-def]
    duplicate = _open(refused)["counts-1120.csv, line 5"]
    with pytest.raises(ForbiddenError, match="needs the editor role"):
        refused.quarantine.dismiss(VIEWER, [duplicate.id], "sent twice")
    with pytest.raises(QuarantineError, match="give a reason"):
        refused.quarantine.dismiss(EDITOR, [duplicate.id], "   ")
    with pytest.raises(QuarantineError, match="no problem 9999 in the quarantine"):
        refused.quarantine.dismiss(EDITOR, [duplicate.id, 9999], "sent twice")
    assert refused.quarantine.counts()["dismissed"] == 0  # nothing of a refused request was done

    done = refused.quarantine.dismiss(EDITOR, [duplicate.id], "  the MES sends  the hour twice ")
    assert [p.id for p in done.dismissed] == [duplicate.id] and not done.skipped
    (closed,) = refused.quarantine.problems("dismissed")
    assert closed.state == "dismissed by Eddie: the MES sends the hour twice" and closed.closed_at == NOW
    entry = refused.accounts.audit_trail(1)[0]
    assert (entry.actor, entry.action, entry.target) == ("eddie", "quarantine.dismiss", "counts-1120.csv, line 5")
    assert "the MES sends the hour twice" in entry.details
    again = refused.quarantine.dismiss(EDITOR, [duplicate.id], "once more")
    assert not again.dismissed and again.skipped[0][1].startswith("already dismissed by Eddie")
    assert refused.quarantine.counts() == {"open": 2, "resolved": 0, "dismissed": 1}


def test_a_later_file_with_the_row_put_right_resolves_its_problem(refused, inbox) -> None:  # type: ignore[no-untyped-def]
    inbox.drop("stops", "line,start,end,reason,category\nL1,2026-11-20 09:00,2026-11-20 09:25,Jam,unplanned\n",
               "stops-1120-fixed.csv")
    refused.loader.run_all()
    (resolved,) = refused.quarantine.problems("resolved")
    assert (resolved.where, resolved.state) == ("stops-1120.csv, line 3", "resolved by stops-1120-fixed.csv")
    assert [c["outcome"] for c in refused.data_status.report()["closed"]] == ["resolved by stops-1120-fixed.csv"]
    assert refused.quarantine.counts() == {"open": 2, "resolved": 1, "dismissed": 0}


def test_a_stop_refused_for_an_unknown_reason_loads_on_retry_once_the_reason_is_added(  # type: ignore[no-untyped-def]
        refused, make_services, database_url: str, tmp_path: Path) -> None:
    stop = _open(refused)["stops-1120.csv, line 3"]
    before = refused.quarantine.retry("cli:test", [stop.id])
    assert before.rows_loaded == 0 and [(p.id, why) for p, why in before.still] == [
        (stop.id, "reason 'Motor fault': unknown stop reason (add it to stop_reasons)")]

    later = make_services(database_url, plant=_plant(tmp_path, WITH_MOTOR))  # the plant file now knows the reason
    done = later.quarantine.retry("cli:test", None)
    assert done.rows_loaded == 1 and [p.id for p in done.loaded] == [stop.id]
    assert [(p.row, p.column) for p, _ in done.still] == [(3, "good")]  # 'lots' is still not a number
    assert [(p.row, why) for p, why in done.skipped] == [
        (5, "the line as a whole was refused (duplicate of line 4 (same line, start, product)): send the corrected "
            "file again, or dismiss it")]
    with later.sessions() as session:
        reasons = session.execute(select(StopEvent.reason).order_by(StopEvent.start_utc)).scalars().all()
    assert reasons == ["Jam", "Motor fault", "Jam"]
    (resolved,) = later.quarantine.problems("resolved")
    assert resolved.id == stop.id and resolved.state == "resolved by retry"
    assert later.quarantine.counts() == {"open": 2, "resolved": 1, "dismissed": 0}
    entry = later.accounts.audit_trail(1)[0]
    assert (entry.actor, entry.action, entry.target) == ("cli:test", "quarantine.retry", "stops-1120.csv, line 3")
    run = later.data_status.report()["runs"][0]
    assert (run["source"], run["status"], run["rows_loaded"]) == ("retry", "ok", 1)
    assert run["message"] == "1 of 1 quarantined row tried again loaded"  # stored in English, one row in the singular
    assert later.quarantine.retry("cli:test", [stop.id]).skipped[0][1] == "already resolved by retry"


def test_a_retried_row_the_store_still_refuses_stays_the_same_open_problem(  # type: ignore[no-untyped-def]
        refused, monkeypatch: pytest.MonkeyPatch) -> None:
    class Lenient:  # lets every row through the retry's own check, so the store's checks are the ones that refuse
        def __init__(self, record: Any, config: Any, *, decimal_comma: bool = False) -> None:
            pass

        def validate(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
            return dict(raw), []

    monkeypatch.setattr("huddle.dashboard.services.quarantine.RowValidator", Lenient)
    good = _open(refused)["counts-1120.csv, line 3"]
    done = refused.quarantine.retry(EDITOR, [good.id])
    assert done.rows_loaded == 0 and [(p.id, why) for p, why in done.still] == [(good.id, "not a number")]
    assert refused.quarantine.counts() == {"open": 3, "resolved": 0, "dismissed": 0}  # no new problem of no file
    assert {p.file_name for p in refused.quarantine.problems("all")} == {"counts-1120.csv", "stops-1120.csv"}
    run = refused.data_status.report()["runs"][0]
    assert (run["source"], run["rows_loaded"], run["rows_rejected"]) == ("retry", 0, 1)


def test_the_data_page_lists_open_problems_first_and_each_file_in_words(  # type: ignore[no-untyped-def]
        refused) -> None:
    duplicate = _open(refused)["counts-1120.csv, line 5"]
    refused.quarantine.dismiss(EDITOR, [duplicate.id], "sent twice")
    report = refused.data_status.report()
    assert [(p["file"], p["row"], p["column"], p["value"]) for p in report["problems"]] == [
        ("stops-1120.csv", 3, "reason", "Motor fault"), ("counts-1120.csv", 3, "good", "lots")]
    assert report["problems"][1]["label"] == "counts-1120.csv, line 3: good 'lots': not a number"
    assert report["problem_counts"] == {"open": 2, "resolved": 0, "dismissed": 1}
    assert [(c["file"], c["outcome"]) for c in report["closed"]] == [
        ("counts-1120.csv", "dismissed by Eddie: sent twice")]
    files = {f["file"]: f for f in report["files"]}
    assert set(files) == {"counts-1120.csv", "stops-1120.csv"} and report["files_total"] == 2
    assert all(f["outcome"] and f["source"] in ("counts", "stops") for f in files.values())
    assert "partly refused" in files["stops-1120.csv"]["outcome"] or "1 of 3" in files["stops-1120.csv"]["outcome"]


def test_the_api_lists_problems_by_status_with_paging(refused) -> None:  # type: ignore[no-untyped-def]
    duplicate = _open(refused)["counts-1120.csv, line 5"]
    refused.quarantine.dismiss(EDITOR, [duplicate.id], "sent twice")
    client = client_for(refused)
    body = client.get("/api/v1/quarantine?status=open").get_json()
    assert body["total"] == 2 and body["counts"] == {"open": 2, "resolved": 0, "dismissed": 1}
    first = body["problems"][1]
    assert {k: first[k] for k in ("file", "row", "column", "value", "reason", "status", "state")} == {
        "file": "counts-1120.csv", "row": 3, "column": "good", "value": "lots", "reason": "not a number",
        "status": "open", "state": "open"}
    assert first["found_at"] == "2026-11-20T21:00:00+01:00"
    every = client.get("/api/v1/quarantine?status=all&limit=2").get_json()
    assert [p["status"] for p in every["problems"]] == ["open", "open"] and every["total"] == 3
    page = client.get("/api/v1/quarantine?status=all&limit=2&offset=2").get_json()
    assert [p["state"] for p in page["problems"]] == ["dismissed by Eddie: sent twice"]
    assert client.get("/api/v1/quarantine?source=stops").get_json()["total"] == 1
    for query, parameter in (("status=closed", "status"), ("limit=0", "limit"), ("limit=ten", "limit"),
                             ("offset=-1", "offset")):
        answer = client.get(f"/api/v1/quarantine?{query}")
        assert answer.status_code == 400 and answer.get_json()["parameter"] == parameter
        assert answer.get_json()["error"].startswith(f"{parameter}: "), answer.get_json()


def test_the_dismiss_form_over_http_refuses_a_viewer_and_nonsense_and_dismisses_for_an_editor(  # type: ignore[no-untyped-def]
        refused) -> None:
    for name, role in (("ed", "editor"), ("vic", "viewer")):
        refused.accounts.add_user("cli", name, f"{name}-password-12", role)
    app = create_app(refused.settings.with_(anonymous_access="off"), services=refused)
    good = _open(refused)["counts-1120.csv, line 3"]

    def dismiss(who: str, picked: list[Any], reason: str) -> str:
        client = app.server.test_client()
        assert client.post("/login", data={"username": who, "password": f"{who}-password-12"},
                           headers=ORIGIN).status_code == 302
        body = payload(app, f"{ids.QUARANTINE_MESSAGE}.children",
                       {ids.QUARANTINE_PICK: picked, ids.QUARANTINE_REASON: reason,
                        ids.PAGE_SITE: refused.config.site_key}, ids.QUARANTINE_DISMISS)
        answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
        assert answer.status_code == 200, answer.text
        return str(answer.get_json()["response"][ids.QUARANTINE_MESSAGE]["children"])

    assert dismiss("vic", [good.id], "a test row").startswith("Not dismissed: dismissing a problem of the quarantine "
                                                              "needs the editor role")
    assert dismiss("ed", ["abc", None], "a test row") == "Not dismissed: pick the problems to dismiss"
    assert refused.quarantine.counts()["dismissed"] == 0
    assert dismiss("ed", [good.id], "a test row") == "Dismissed 1 problem."
    assert refused.quarantine.problems("dismissed")[0].state == "dismissed by Ed: a test row"
