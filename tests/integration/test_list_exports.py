"""The list downloads of the API — actions, the quarantine's problems and the audit trail as CSV — keep hostile text
(an action, an owner, a KPI and line name, a refused cell, an audited change) as text a spreadsheet will not run,
name people and KPIs as people know them, and give the audit trail to admins only.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from huddle.dashboard.core.cell_text import FORMULA_STARTS

from tests.conftest import Inbox, client_for
from tests.integration.test_text_is_text import (  # noqa: F401 (the hostile plant, as a fixture)
    ACTION_OWNER,
    ACTION_WHAT,
    EDITOR,
    OEE,
    hostile,
)

PASSWORDS = {"ada": "ada-admin-password-9", "vera": "vera-viewer-password-9"}
ORIGIN = {"Origin": "http://localhost"}
BAD_TOTAL = "=1+2"


@pytest.fixture
def served(hostile: Any, inbox: Inbox) -> Any:  # noqa: F811
    """The hostile plant with a refused hostile cell, an admin and a viewer, sign-in required."""
    inbox.drop("counts", "line,start,end,total,good\nL1,2026-10-15 06:00,2026-10-15 14:00,=1+2,9\n", name="bad.csv")
    hostile.loader.run_source("counts")
    hostile.accounts.add_user("test", "ada", PASSWORDS["ada"], "admin", "Ada Admin")
    hostile.accounts.add_user("test", "vera", PASSWORDS["vera"], "viewer", "Vera Viewer")
    hostile.actions.raise_action(EDITOR, "L1", "+call the fitter", "-Tom", date(2026, 10, 31), kpi="oee",
                                 raised_for=date(2026, 10, 15), raised_shift="E")
    return hostile


def _client(services: Any, who: str | None) -> Any:
    client = client_for(services, anonymous_access="off")
    if who:
        answer = client.post("/login", data={"username": who, "password": PASSWORDS[who], "next": "/"},
                             headers=ORIGIN)
        assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def _rows(answer: Any) -> list[list[str]]:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv" and "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), (row, cell)
    return rows


def test_the_actions_download_keeps_hostile_text_as_text(served: Any) -> None:
    rows = _rows(_client(served, "vera").get("/api/v1/actions.csv?scope=L1"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Scope", "KPI", "Raised for", "What", "Owner"]
    assert {r[header.index("What")] for r in body} == {"'" + ACTION_WHAT, "'+call the fitter"}
    assert {r[header.index("Owner")] for r in body} == {"'" + ACTION_OWNER, "'-Tom"}
    assert {r[header.index("KPI")] for r in body} == {"'" + OEE}  # the KPI's name, as text, not its key
    assert {r[header.index("Raised by")] for r in body} == {"Eddie"}  # no such user: the login read as a name


def test_the_quarantine_download_keeps_the_refused_cell_as_text(served: Any) -> None:
    rows = _rows(_client(served, "vera").get("/api/v1/quarantine.csv?status=all"))
    header, body = rows[0], rows[1:]
    refused = [r for r in body if r[header.index("File")] == "bad.csv"]
    assert refused and refused[0][header.index("Value")] == "'" + BAD_TOTAL
    assert refused[0][header.index("Row")] == "2" and refused[0][header.index("State")] == "open"


def test_the_audit_trail_is_for_admins_and_names_people(served: Any) -> None:
    assert _client(served, None).get("/api/v1/audit").status_code == 401
    assert _client(served, None).get("/api/v1/audit.csv").status_code == 401
    viewer = _client(served, "vera")
    for path in ("/api/v1/audit", "/api/v1/audit.csv"):
        refused = viewer.get(path)
        assert refused.status_code == 403 and "admin" in refused.get_json()["error"]
    admin = _client(served, "ada")
    entries = admin.get("/api/v1/audit").get_json()["entries"]
    assert any(e["action"] == "action.add" for e in entries)
    rows = _rows(admin.get("/api/v1/audit.csv"))
    header, body = rows[0], rows[1:]
    assert header == ["When", "Who", "What", "Target", "Details"]
    signed_in = [r for r in body if r[header.index("What")] == "login"]
    assert signed_in and signed_in[0][header.index("Who")] == "Ada Admin"  # a person's name, not the login name
    raised = [r for r in body if r[header.index("What")] == "action.add"]
    assert raised and any("evil.example" in r[header.index("Details")] for r in raised)  # as JSON text


def test_a_bad_parameter_of_a_download_is_named(served: Any) -> None:
    client = _client(served, "ada")
    assert client.get("/api/v1/quarantine.csv?status=maybe").get_json()["parameter"] == "status"
    assert client.get("/api/v1/audit.csv?limit=0").get_json()["parameter"] == "limit"
    assert client.get("/api/v1/actions.pdf?scope=L1").status_code == 404
