"""OKRs planned from a file (``huddle okr import FILE.yaml``) and through the API (``POST /api/v1/okr``): checked as
the OKR page's form checks them, stored all together or not at all, every refusal naming its objective, key result
and field; the API only for an editor's or admin's session and only from this site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from huddle.dashboard.cli import main
from huddle.dashboard.core.okr_file import read_okr_plan
from huddle.dashboard.core.okr_scoring import OkrError
from huddle.dashboard.services.accounts import Identity

from tests.conftest import client_for

PLAN = """
quarter: 2026-Q4
objectives:
  - title: Deliver every order on the day promised
    scope: plant
    owner: Dana Whitfield
    key_results:
      - {title: Plant OEE quarter to date, kind: increase, start: 62, target: 70, owner: Dana Whitfield, kpi: oee}
      - {title: Second packer commissioned, kind: milestone, owner: Luis Ortega}
  - title: Line 2 runs without jams
    scope: L2
    owner: Tom Becker
    parent: Deliver every order on the day promised
    key_results:
      - {title: Jams per week, kind: decrease, start: 12, target: 4, unit: jams, owner: Tom Becker}
      - {title: Line 2 downtime per week, kind: stay_below, target: 300, owner: Tom Becker,
         kpi: unplanned_downtime, kpi_window: week, weight: 2}
"""
EDITOR, VIEWER = ("erin", "erin-editor-password"), ("vic", "vic-viewer-password")
ORIGIN = {"Origin": "http://localhost"}
NOW = "2026-11-20T10:00"


def _objectives(services: Any) -> list[Any]:
    return services.okrs.quarter("2026-Q4").objectives


def _run(tmp_path: Path, plant_file: Path, *args: str) -> int:
    return main(["--data-dir", str(tmp_path), "--plant-config", str(plant_file), "--now", NOW, *args])


def test_huddle_okr_import_plans_the_files_objectives_once(tmp_path: Path, plant_file: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           make_services: Any) -> None:
    (tmp_path / "okrs.yaml").write_text(PLAN, encoding="utf-8")
    assert _run(tmp_path, plant_file, "init") == 0
    assert _run(tmp_path, plant_file, "okr", "import", str(tmp_path / "okrs.yaml")) == 0
    said = capsys.readouterr().out
    assert "okr: imported 2 objectives with 4 key results into 2026-Q4" in said
    assert "Line 2 – Area A: Line 2 runs without jams (Tom Becker)" in said

    services = make_services()
    plant, line = _objectives(services)
    assert (plant.title, plant.scope, plant.owner) == ("Deliver every order on the day promised", "plant",
                                                       "Dana Whitfield")
    assert line.parent_id == plant.id and line.scope == "L2"
    bound = {k.title: (k.kind, k.start, k.target, k.kpi, k.kpi_scope, k.kpi_window, k.weight)
             for k in services.okrs.quarter("2026-Q4").key_results}
    assert bound["Plant OEE quarter to date"] == ("increase", 62.0, 70.0, "oee", "plant", "quarter", 1.0)
    assert bound["Line 2 downtime per week"] == ("stay_below", None, 300.0, "unplanned_downtime", "L2", "week",
                                                 2.0)
    assert bound["Second packer commissioned"][:3] == ("milestone", 0.0, 1.0)

    # a nightly job importing the same file again plans nothing twice
    assert _run(tmp_path, plant_file, "okr", "import", str(tmp_path / "okrs.yaml")) == 1
    said = capsys.readouterr().out
    assert ('objective 1 ("Deliver every order on the day promised"): title: 2026-Q4 already has this objective '
            "at Example Plant") in said and "okr: failed — nothing imported" in said
    assert len(_objectives(services)) == 2


@pytest.mark.parametrize("change, named", [
    (lambda p: p["objectives"][1]["key_results"][0].update(start=2),  # start = target is a maintain: warned
     'objective 2 ("Line 2 runs without jams"), key result 1 ("Jams per week"): target: \'decrease to 4\' starts '
     "at 2"),
    (lambda p: p["objectives"][1]["key_results"][1].update(kind="stay_above"),
     'key result 2 ("Line 2 downtime per week"): kpi: Unplanned downtime is better lower'),
    (lambda p: p["objectives"][1].update(scope="L9"),
     'objective 2 ("Line 2 runs without jams"): scope: unknown scope \'L9\''),
    (lambda p: p["objectives"][1].update(parent="Somebody else's objective"),
     "objective 2 (\"Line 2 runs without jams\"): parent: no objective 'Somebody else's objective' in 2026-Q4"),
    (lambda p: p["objectives"][0]["key_results"][0].update(kpi="oee", kpi_scope="L2", kpi_window="quarter",
                                                            start=80),
     'key result 1 ("Plant OEE quarter to date"): target: \'increase to 70\' starts at 80'),
    (lambda p: p["objectives"][1]["key_results"].extend([{"title": f"More {n}", "kind": "milestone", "owner": "T"}
                                                         for n in range(4)]),
     'key result 6 ("More 3"): key_results: \'Line 2 runs without jams\' already has 5 key results'),
])
def test_a_refused_plan_stores_nothing_and_names_the_entry_and_field(services: Any, change: Any,
                                                                     named: str) -> None:
    document = yaml.safe_load(PLAN)
    change(document)
    plan, problems = read_okr_plan(document)
    assert plan is not None and problems == []
    with pytest.raises(OkrError) as refused:
        services.okr_plans.save_plan(Identity("user", "cli", "admin"), plan)
    assert named in str(refused.value)
    assert _objectives(services) == []  # the first objective, valid, was not kept either


def test_the_files_fields_are_read_with_their_place() -> None:
    document = yaml.safe_load(PLAN)
    document["objectives"][0]["key_results"][0].update(target="seventy", colour="red")
    document["objectives"][1]["key_results"][0].pop("start")
    document["objectives"][1].pop("owner")
    document["objectives"][1]["key_results"][1]["kpi_window"] = "fortnight"
    plan, problems = read_okr_plan(document)
    assert plan is None
    first = 'objective 1 ("Deliver every order on the day promised"), key result 1 ("Plant OEE quarter to date")'
    second = 'objective 2 ("Line 2 runs without jams")'
    assert problems == [
        f"{first}: colour: not a field here (fields: title, kind, start, target, unit, weight, owner, kpi, "
        "kpi_scope, kpi_window)",
        f"{first}: target: expected a number like 70 or 12.5, not 'seventy'",
        f"{second}: owner: missing; say it in a few words",
        f'{second}, key result 1 ("Jams per week"): start: missing; a decrease key result starts from a value',
        f'{second}, key result 2 ("Line 2 downtime per week"): kpi_window: quarter (quarter to date), month '
        "(this month to date) or week (latest full week), not 'fortnight'"]
    assert read_okr_plan([1, 2])[1] == ["the file: expected a quarter and its objectives (quarter: 2027-Q1, "
                                        "objectives: [...])"]
    assert read_okr_plan({"quarter": "2026-Q4"}, "the request")[1] == [
        "the request: objectives: expected a list of one objective or more"]


def test_an_unreadable_file_is_refused_in_words(tmp_path: Path, plant_file: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "okrs.yaml").write_text("quarter: 2026-Q4\nobjectives: [\n", encoding="utf-8")
    assert _run(tmp_path, plant_file, "init") == 0
    assert _run(tmp_path, plant_file, "okr", "import", str(tmp_path / "okrs.yaml")) == 1
    said = capsys.readouterr().out
    assert "cannot be read as YAML" in said and "okr: failed" in said and "Traceback" not in said


def _signed_in(services: Any, who: tuple[str, str], role: str, **settings: Any) -> Any:
    services.accounts.add_user("test", who[0], who[1], role)
    client = client_for(services, anonymous_access="off", **settings)
    answer = client.post("/login", data={"username": who[0], "password": who[1], "next": "/"}, headers=ORIGIN)
    assert answer.status_code == 302
    return client


def test_an_editor_plans_okrs_through_the_api(services: Any) -> None:
    client = _signed_in(services, EDITOR, "editor")
    answer = client.post("/api/v1/okr", json=yaml.safe_load(PLAN), headers=ORIGIN)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    made = answer.get_json()
    assert made["quarter"] == "2026-Q4"
    assert [(o["title"], len(o["key_results"])) for o in made["objectives"]] == [
        ("Deliver every order on the day promised", 2), ("Line 2 runs without jams", 2)]
    shown = client.get("/api/v1/okr?quarter=2026-Q4").get_json()
    assert [o["id"] for o in shown["objectives"]] == [o["id"] for o in made["objectives"]]

    again = client.post("/api/v1/okr", json=yaml.safe_load(PLAN), headers=ORIGIN)
    assert again.status_code == 400
    assert again.get_json()["problems"] == [
        'objective 1 ("Deliver every order on the day promised"): title: 2026-Q4 already has this objective at '
        "Example Plant; change it on the OKR page"]
    bad = yaml.safe_load(PLAN)
    bad["quarter"] = "2026-Q5"
    refused = client.post("/api/v1/okr", json=bad, headers=ORIGIN)
    assert refused.status_code == 400 and refused.get_json()["error"].startswith("the request: quarter:")
    not_json = client.post("/api/v1/okr", data="quarter: 2026-Q4", headers=ORIGIN)
    assert not_json.status_code == 400 and "expected a JSON body" in not_json.get_json()["error"]
    assert len(_objectives(services)) == 2


def test_only_editors_from_this_site_plan_okrs_through_the_api(services: Any) -> None:
    viewer = _signed_in(services, VIEWER, "viewer")
    answer = viewer.post("/api/v1/okr", json=yaml.safe_load(PLAN), headers=ORIGIN)
    assert answer.status_code == 403 and "needs the editor role" in answer.get_json()["error"]
    nobody = client_for(services, anonymous_access="read")  # anyone may read: not plan
    assert nobody.post("/api/v1/okr", json=yaml.safe_load(PLAN), headers=ORIGIN).status_code == 403
    assert client_for(services, anonymous_access="off").post("/api/v1/okr", json={}).status_code == 401

    editor = _signed_in(services, EDITOR, "editor")
    elsewhere = editor.post("/api/v1/okr", json=yaml.safe_load(PLAN), headers={"Origin": "http://evil.example"})
    assert elsewhere.status_code == 403
    assert elsewhere.get_json() == {"error": "requests that change something must come from this site"}
    published = _signed_in(services, ("ed2", "another-editor-password"), "editor",
                           public_url="http://localhost")
    assert published.post("/api/v1/okr", json=yaml.safe_load(PLAN)).status_code == 403  # no Origin: a script
    assert _objectives(services) == []
