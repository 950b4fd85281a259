"""The API is described and fuzzed: ``/api/v1/openapi.json`` is a valid OpenAPI 3.1 document describing every
route (and nothing else), and Schemathesis sends about 1,600 generated requests to the demo plant's API, in
process, at a fixed clock, signed in as a viewer with sign-in required.

Every answer must be no 5xx, of a status the description lists, with the content type and the schema it gives.
Three rounds: from the description as served (any text in any parameter); from the same description narrowed to the
demo plant's own scopes, KPIs, trees and dates, so that most requests get past the checks and reach the numbers;
and requests that break the description, which must be refused. Then every operation again for callers without a
live session (nobody, a forged cookie, a signed-out session, a revoked display): a 401 and no data, every time."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from huddle.dashboard.web.openapi import SESSION_COOKIE
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import DEMO_DAYS, DEMO_NOW, DemoHistories, write_past

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: examples per operation and round (a fifth for downloads): about 440 + 440 answered as described, 275 refused
#: as ruled out, and 115 × 4 callers without a session refused
EXAMPLES = {"as served": 40, "the plant's names": 40, "ruled out": 25, "refused": 10}
ORIGIN = {"Origin": "http://localhost"}
VIEWER, EDITOR = ("vera", "vera-viewer-password"), ("eddie", "eddie-editor-password")
BAD_COUNTS = "line,start,end,product,total,good,planned\nL1,2026-11-19 06:00,2026-11-19 07:00,SKU-500,ten,9,1\n"


@dataclass
class Demo:
    """The demo plant served with sign-in required, and the session cookies of its callers."""

    services: Any
    server: Flask
    viewer: str  # a signed-in viewer's session cookie
    refused: dict[str, str] = field(default_factory=dict)  # caller -> its session cookie ("" for none)


def _cookie(client: Any) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None, "no session cookie was set"
    return cookie.value


def _signed_in(server: Flask, who: tuple[str, str]) -> Any:
    client = server.test_client()
    answer = client.post("/login", data={"username": who[0], "password": who[1], "next": "/"}, headers=ORIGIN)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def _seed(services: Any) -> None:
    """What the demo's history lacks for every answer's shape to be seen: an action, an objective with a key
    result and a check-in, and a quarantined row."""
    from huddle.dashboard.services.accounts import Identity

    eddie = Identity("user", EDITOR[0], "editor")
    services.actions.raise_action(eddie, "L2", "Change the filler's guide rail", "Tom", date(2026, 11, 27),
                                  kpi="oee", raised_for=date(2026, 11, 19))
    services.okr_plans.draft_from_kpi(eddie, "2026-Q4", "L2", "oee")
    key_result = services.okrs.quarter("2026-Q4").key_results[0]
    services.okr_check_ins.check_in(eddie, key_result.id, 0, value=70, confidence=6, moved="guide rail",
                                    blocks="spare parts")
    counts = next(s for s in services.config.sources.values() if s.record == "production_counts")
    write_past(Path(counts.path) / "counts_fuzz_bad_row.csv", BAD_COUNTS)
    services.loader.run_all()
    assert services.quarantine.counts(counts.key)["open"] >= 1


@pytest.fixture(scope="module")
def demo(demo_histories: DemoHistories, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo plant as at DEMO_NOW (three weeks of history), sign-in required, seeded with one of everything."""
    from huddle.dashboard.web.app import create_app

    services = demo_histories.services(tmp_path_factory.mktemp("fuzz") / "demo", DEMO_NOW, DEMO_DAYS)
    for (name, password), role in ((VIEWER, "viewer"), (EDITOR, "editor")):
        services.accounts.add_user("test", name, password, role)
    _seed(services)
    server = create_app(services.settings.with_(anonymous_access="off"), services=services).server
    made = Demo(services, server, _cookie(_signed_in(server, VIEWER)))
    made.refused["nobody"] = ""
    forged = Flask("forged")
    forged.secret_key = "not this site's key"
    with forged.test_request_context():
        from flask import session

        session.update(sid="a guessed session token", exp=2**40)
        forged_cookie = forged.session_interface.get_signing_serializer(forged).dumps(dict(session))
    made.refused["a forged cookie"] = forged_cookie
    leaving = _signed_in(server, EDITOR)
    made.refused["a signed-out session"] = _cookie(leaving)
    assert leaving.post("/logout", headers=ORIGIN).status_code in (302, 303)
    token = services.accounts.add_display("test", "hall-tv")
    tv = server.test_client()
    tv.get(f"/display/{token}")
    made.refused["a revoked display"] = _cookie(tv)
    services.accounts.revoke_display("test", "hall-tv")
    yield made
    services.dispose()


def for_the_plant(document: dict[str, Any], config: Any) -> dict[str, Any]:
    """The description with each free-text parameter narrowed to the plant's own names and to dates around the
    demo's clock (and one wrong value each), so generated requests reach the numbers."""
    from huddle.dashboard.services.okrs import COMPANY

    scopes = ["plant", *config.areas, *config.lines, "nowhere"]
    days = ["2026-10-31", "2026-11-13", "2026-11-19", "2026-11-20", "2026-11-21"]
    shifts = [s.key for s in config.calendar.shifts]
    choices = {
        "scope": [*scopes, COMPANY], "line": scopes, "area": scopes, "site": [config.site_key],
        "kpi": [*config.kpis, ",".join(list(config.kpis)[:3]), "nope"], "tree": [*config.trees, "nope"],
        "shift": [*shifts, "X"], "date": days, "from": days, "to": days,
        "period": ["2026-11-19/" + shifts[0], "2026-11-20/" + shifts[-1], *days, "2026-W46", "2026-W47", "2026-11",
                   "2026-10", "2026-Q4", "2026"],
        "month": ["2026-09", "2026-10", "2026-11", "2026-12"], "quarter": ["2026-Q3", "2026-Q4", "2027-Q1"],
        "source": [*config.sources, "nope"], "limit": ["1", "2", "100", "0"], "offset": ["0", "1", "50"],
    }
    narrowed = copy.deepcopy(document)
    for name, values in choices.items():
        narrowed["components"]["parameters"][name]["schema"] = {"type": "string", "enum": values}
    return narrowed


@dataclass
class Outcome:
    """How many requests were sent, how they were answered, and what went wrong (by failing request)."""

    cases: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)  # answers by status code

    def answered(self, status: int) -> None:
        """Count an answer of this status."""
        self.statuses[status] = self.statuses.get(status, 0) + 1


def fuzz(document: dict[str, Any], server: Flask, examples: int, send: Callable[[Any, Outcome], str | None], *,
         public: bool = True, mode: GenerationMode = GenerationMode.POSITIVE) -> Outcome:
    """Send ``examples`` generated requests per operation of ``document`` (a fifth as many to a download: a PDF
    takes half a second; ``public``: to those anyone may call too); ``send`` returns a failure or None."""
    schema = schemathesis.openapi.from_dict(document)
    schema.app = server
    outcome = Outcome()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not public and operation.definition.raw.get("security") == []:
            continue
        if mode is GenerationMode.NEGATIVE and not operation.definition.raw.get("parameters"):
            continue  # nothing to break

        answers = operation.definition.raw["responses"]
        download = "application/json" not in (answers.get("200") or answers["201"])["content"]  # 201: a POST
        wanted = max(3, examples // 5) if download else examples

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=wanted, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def run(case: Any) -> None:
            outcome.cases += 1
            failure = send(case, outcome)
            if failure:
                lines = failure.splitlines()
                outcome.failures.setdefault(f"{case.operation.label}: {lines[0][:80]} {lines[-1][:80]}", failure)

        run()
    print(f"{outcome.cases} requests: {outcome.statuses}")  # pytest shows it with -s, or for a failed test
    return outcome


#: the WSGI transport hands the body over as sent, and Huddle compresses for a client that accepts it: ask for it
#: plain, so the checks read the answers themselves (compression has its own tests)
PLAIN = {"Accept-Encoding": "identity"}


def _validated(cookie: str, checks: list[Any] = CHECKS) -> Callable[[Any, Outcome], str | None]:
    def send(case: Any, outcome: Outcome) -> str | None:
        answer = case.call(cookies={SESSION_COOKIE: cookie}, headers=PLAIN)
        outcome.answered(answer.status_code)
        try:
            case.validate_response(answer, checks=checks)
        except (AssertionError, FailureGroup) as exc:  # each failure says what was sent and what came back
            return "\n".join(str(e) for e in getattr(exc, "exceptions", [exc])) + f"\nsent: {case.path} {case.query}"
        return None

    return send


def _report(outcome: Outcome) -> str:
    return f"{len(outcome.failures)} of {outcome.cases} requests failed (the first five):\n" + "\n\n".join(
        list(outcome.failures.values())[:5])


def described(server: Flask) -> dict[str, Any]:
    """The description as anyone gets it."""
    answer = server.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.get_json()


def test_every_api_route_is_described_and_every_described_path_is_a_route(demo: Demo) -> None:
    from huddle.dashboard.web.address import API
    from huddle.dashboard.web.openapi import described_paths

    document, paths = described(demo.server), described_paths()
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": API}]
    assert set(document["paths"]) == set(paths)
    adapter = demo.server.url_map.bind("localhost")
    answered = {path: adapter.match(API + path, method="GET")[0] for path in paths}
    assert answered == {path: f"api_v1.{name}" for path, name in paths.items()}
    routes = {rule.endpoint for rule in demo.server.url_map.iter_rules() if rule.rule.startswith(API + "/")}
    assert routes == set(answered.values())


def test_the_description_is_a_valid_openapi_3_1_document(demo: Demo) -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    validate(described(demo.server), cls=OpenAPIV31SpecValidator)


def test_the_description_is_open_to_anyone_and_names_no_plant_data(demo: Demo) -> None:
    text = demo.server.test_client().get("/api/v1/openapi.json").get_data(as_text=True)
    config = demo.services.config
    named = [n for n in (config.site_name, *(a.name for a in config.areas.values()),
                         *(k.name for k in config.kpis.values())) if f'"{n}"' in text]
    assert named == []
    assert demo.server.test_client().get("/api/v1/kpis").status_code == 401  # the data itself is not open


def test_the_api_answers_as_described_to_any_text(demo: Demo) -> None:
    outcome = fuzz(described(demo.server), demo.server, EXAMPLES["as served"], _validated(demo.viewer))
    assert outcome.cases >= 200 and not outcome.failures, _report(outcome)
    assert outcome.statuses.get(400, 0) > 0 and outcome.statuses.get(200, 0) > 0, outcome.statuses


def test_the_api_answers_as_described_for_the_plants_own_names(demo: Demo) -> None:
    document = for_the_plant(described(demo.server), demo.services.config)
    outcome = fuzz(document, demo.server, EXAMPLES["the plant's names"], _validated(demo.viewer))
    assert outcome.cases >= 200 and not outcome.failures, _report(outcome)
    assert outcome.statuses.get(200, 0) >= outcome.cases / 3, outcome.statuses  # they do reach the numbers


def test_no_request_without_a_live_session_gets_data(demo: Demo) -> None:
    def send(case: Any, outcome: Outcome) -> str | None:
        for caller, cookie in demo.refused.items():
            answer = case.call(cookies={SESSION_COOKIE: cookie} if cookie else {}, headers=PLAIN)
            outcome.answered(answer.status_code)
            if answer.status_code != 401 or answer.text.strip() != '{"error":"sign in first"}':
                return f"{caller} got {answer.status_code} for {case.path} {case.query}: {answer.text[:200]}"
        return None

    document = for_the_plant(described(demo.server), demo.services.config)
    outcome = fuzz(document, demo.server, EXAMPLES["refused"], send, public=False)
    assert outcome.cases >= 100 and not outcome.failures, _report(outcome)
    assert outcome.statuses == {401: outcome.cases * len(demo.refused)}


def test_the_api_refuses_what_the_description_rules_out(demo: Demo) -> None:
    document = described(demo.server) | {"security": []}  # the session is sent: only the parameters are broken
    refusing = _validated(demo.viewer, [*CHECKS, negative_data_rejection])
    outcome = fuzz(document, demo.server, EXAMPLES["ruled out"], refusing, mode=GenerationMode.NEGATIVE)
    assert outcome.cases >= 100 and not outcome.failures, _report(outcome)
    assert outcome.statuses.get(400, 0) >= outcome.cases / 3, outcome.statuses


@pytest.mark.parametrize("address, named", [
    ("/api/v1/actions?open=maybe", "open: expected one of 1, true, yes, 0, false, no"),
    ("/api/v1/quarantine?limit=%C2%B2", "limit: expected a whole number from 1 to 1000"),  # ² counts as a digit
    ("/api/v1/quarantine?offset=" + "9" * 5000, "offset: expected a whole number from 0 to 1000000000"),
    ("/api/v1/values?kpi=oee&date=20261120", "date: day '20261120': expected like 2026-11-20"),
    ("/api/v1/board?date=2026-11-20", "shift: give the shift of that date too"),
])
def test_what_describing_and_fuzzing_found_is_refused_with_the_parameter_named(demo: Demo, address: str,
                                                                              named: str) -> None:
    client = demo.server.test_client()
    client.set_cookie(SESSION_COOKIE, demo.viewer)
    answer = client.get(address)
    assert answer.status_code == 400 and named in answer.get_json()["error"]
