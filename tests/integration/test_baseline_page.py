"""The baseline sprint page and the tree page's sprint line, called as any HTTP client can call them (SQLite, and
PostgreSQL when its URL is set): the checklist in words, an editor's save, the owner's sign-off, the same sign-off
forged by an editor who is not the owner or by a viewer storing nothing; the API lists the baselines and the
sprint; the demo has one sprint in progress and the others closed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from huddle.dashboard.demo import demo_baselines
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"anna": "anna-editor-password", "ed": "ed-editor-password", "vera": "vera-viewer-password"}


@pytest.fixture
def site(make_services: Any, database_url: str) -> tuple[Any, Any]:
    """The small plant, sign-in required: the owner of every KPI ("A", an editor), another editor, a viewer."""
    services = make_services(database_url, anonymous_access="off")
    for name, role, shown in (("anna", "editor", "A"), ("ed", "editor", "Ed Itor"), ("vera", "viewer", "Vera")):
        services.accounts.add_user("test", name, PASSWORDS[name], role, display_name=shown)
    return create_app(services.settings, services=services), services


def _client(app: Any, who: str) -> Any:
    client = app.server.test_client()
    answer = client.post("/login", data={"username": who, "password": PASSWORDS[who], "next": "/"}, headers=ORIGIN)
    assert answer.status_code == 302
    return client


def _call(client: Any, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
          state: list[tuple[str, str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    said = "...".join(f"{i}.{p}" for i, p in outputs)
    payload = {"output": f"..{said}.." if len(outputs) > 1 else said,
               "outputs": ([{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
                           else {"id": outputs[0][0], "property": outputs[0][1]}),
               "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
               "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
               "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    answer = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:300]
    return json.loads(answer.get_data(as_text=True) or "{}").get("response", {})


def _seen(client: Any, kpi: str, scope: str = "plant") -> dict[str, Any]:
    picked = _call(client, [(ids.BASE_VALUE, "value"), (ids.BASE_SOURCE, "value"), (ids.BASE_FREQUENCY, "value"),
                            (ids.BASE_NO_SOURCE, "value"), (ids.BASE_PROPOSED, "children"),
                            (ids.BASE_VERSION, "data")],
                   [(ids.BASE_KPI, "value", kpi), (ids.BASE_CHANGED, "data", 0)],
                   [(ids.BASE_TREE, "value", "oee"), (ids.BASE_SCOPE, "value", scope)])
    return picked[ids.BASE_VERSION]["data"]


def _press(client: Any, button: str, seen: dict[str, Any] | None, scope: str = "plant", **form: Any) -> str:
    state = [(ids.BASE_VERSION, "data", seen), (ids.BASE_VALUE, "value", form.get("value")),
             (ids.BASE_SOURCE, "value", form.get("source")), (ids.BASE_FREQUENCY, "value", form.get("frequency")),
             (ids.BASE_NO_SOURCE, "value", []), (ids.BASE_TREE, "value", "oee"), (ids.BASE_SCOPE, "value", scope),
             (ids.BASE_CHANGED, "data", 0), (ids.PAGE_SITE, "data", "ex")]
    others = [(b, "n_clicks", 0) for b in (ids.BASE_SAVE, ids.BASE_SIGN, ids.BASE_OPEN) if b != button]
    said = _call(client, [(ids.BASE_MESSAGE, "children"), (ids.BASE_CHANGED, "data")],
                 [(button, "n_clicks", 1), *others], state)
    return str(said[ids.BASE_MESSAGE]["children"])


def _show(client: Any, scope: str = "plant") -> dict[str, Any]:
    return _call(client, [(ids.BASE_TREE, "options"), (ids.BASE_TREE, "value"), (ids.BASE_SCOPE, "options"),
                          (ids.BASE_SCOPE, "value"), (ids.BASE_STATE, "children"), (ids.BASE_TABLE, "children"),
                          (ids.BASE_KPI, "options"), (ids.BASE_HISTORY, "children")],
                 [(ids.BASE_TREE, "value", None), (ids.BASE_SCOPE, "value", None), (ids.BASE_CHANGED, "data", 1)],
                 [(ids.BASE_ADDRESS, "data", {"tree": "", "scope": scope})])


def _tree_line(client: Any, scope: str | None = None) -> str:
    said = _call(client, [(ids.TREE_SPRINT, "children")], [(ids.TREE_VIEW, "data", {"scope": scope} if scope else {}),
                                                           (ids.TREE_REFRESH, "n_intervals", 0)])
    return json.dumps(said[ids.TREE_SPRINT]["children"], ensure_ascii=False)


def test_an_editor_fills_a_line_and_only_its_owner_signs_it_off(site: tuple[Any, Any]) -> None:
    app, services = site
    ed, anna, vera = _client(app, "ed"), _client(app, "anna"), _client(app, "vera")
    seen = _seen(ed, "oee")
    assert _press(vera, ids.BASE_SAVE, seen, value=61.5, source="MES", frequency="shift").startswith("Not saved:")
    assert _press(ed, ids.BASE_SAVE, seen, value=61.5, source="MES", frequency="shift") == "Saved."
    seen = _seen(ed, "oee")
    assert _press(ed, ids.BASE_SIGN, seen) == "Not signed off: only the KPI's owner (A) signs off its baseline"
    assert services.baselines.view("oee").signed == 0
    assert _press(anna, ids.BASE_SIGN, seen) == "Signed off: OEE."
    shown = _show(anna)
    assert shown[ids.BASE_STATE]["children"] == "Baseline sprint: 48 h left, 1 of 4 KPIs signed off."
    text = json.dumps(shown[ids.BASE_TABLE]["children"])
    assert "61.5 %" in text and "A, 21:00" in text and "no current value and not signed off by its owner" in text
    history = json.dumps(shown[ids.BASE_HISTORY]["children"])
    assert "Example Plant" in history and "baseline sprint" in history and "anna" not in history
    assert "1 of 4 KPIs signed off" in _tree_line(anna)


def test_an_editor_starts_a_sprint_for_a_line_and_its_tree_says_so(site: tuple[Any, Any]) -> None:
    app, services = site
    ed, vera = _client(app, "ed"), _client(app, "vera")
    assert _press(vera, ids.BASE_OPEN, None, "L2").startswith("Not started:")
    assert "Baseline sprint: 48 h left" in _tree_line(ed, "L2")  # no sprint of its own: the plant's
    assert _press(ed, ids.BASE_OPEN, None, "L2") == "Started a 48-hour baseline sprint for Line 2 – Area A."
    assert _press(ed, ids.BASE_OPEN, None, "L2") == ("Not started: a baseline sprint is already open for "
                                                      "Line 2 – Area A")
    shown = _show(ed, "L2")
    assert shown[ids.BASE_STATE]["children"] == ("Baseline sprint for Line 2 – Area A: 48 h left, 0 of 4 KPIs "
                                                 "signed off.")
    assert "Baseline sprint for Line 2 – Area A: 48 h left" in _tree_line(ed, "L2")
    assert "scope=L2" in _tree_line(ed, "L2")
    assert services.baselines.view("oee").scope == "plant"  # the plant's sprint is its own


def test_the_api_lists_baselines_and_the_sprint(site: tuple[Any, Any]) -> None:
    app, services = site
    client = _client(app, "anna")
    sprint = services.baselines.view("oee")
    item = sprint.items[0].item
    from huddle.dashboard.services.identity import Identity

    anna = Identity("user", "anna", "editor", "A")
    saved = services.baselines.save(anna, sprint.id, "oee", item.version, value=61.5, source="MES", frequency="shift",
                                    no_source=False)
    services.baselines.sign_off(anna, sprint.id, "oee", saved.version)
    answer = client.get("/api/v1/baselines?kpi=oee&scope=plant").get_json()
    assert answer["baselines"] == [{"kpi": "oee", "scope": "plant", "value": 61.5, "date": "2026-11-20",
                                    "source": "MES", "frequency": "shift", "signed_off_by": "anna",
                                    "signed_off_at": "2026-11-20T20:00:00+00:00", "sprint": sprint.id}]
    assert answer["sprints"][0]["signed_off"] == 1 and answer["sprints"][0]["kpis"] == 4
    assert client.get("/api/v1/baselines?kpi=nope").status_code == 400


def test_the_demo_has_one_sprint_in_progress_and_the_others_closed(make_demo: Any) -> None:
    services = make_demo()
    assert demo_baselines(services) > 5
    assert demo_baselines(services) == 0  # once
    sprints = {key: services.baselines.view(key) for key in services.config.trees}
    assert [k for k, s in sprints.items() if s.open] == ["oee"]
    line = services.baselines.view("oee", "L2")
    assert line.outcome == "complete" and services.baselines.baseline_at("oee", "L2") is not None
    oee = sprints["oee"]
    assert 0 < oee.signed < len(oee.items)
    assert all(s.outcome == "complete" for k, s in sprints.items() if k != "oee")
