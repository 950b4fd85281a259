"""A refused row's reason in the plant's language: the loaders store each reason in English (the CSV and the API
give it so, for programs) with its message and values, and the Data page says it in German or Spanish; a row
quarantined before reasons kept their message shows the English it was stored in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huddle.dashboard.core.i18n import use_language
from huddle.data.models import QuarantinedRow

from tests.conftest import SMALL_PLANT
from tests.integration.test_quarantine import COUNTS, KNOWN, NOW, STOPS

GERMAN_PLANT = SMALL_PLANT.replace("timezone: Europe/Berlin}", "timezone: Europe/Berlin, language: de}") + KNOWN
OLD_REASON = "ten is what we wrote before reasons were translated"


def _german_services(make_services: Any, database_url: str, inbox: Any, tmp_path: Path) -> Any:
    plant = tmp_path / "plant-de.yaml"
    plant.write_text(GERMAN_PLANT, encoding="utf-8")
    services = make_services(database_url, plant=plant)
    assert services.config.language == "de"
    inbox.drop("stops", STOPS, "stops-1120.csv")
    inbox.drop("counts", COUNTS + "L1,2026-11-20 10:00,2026-11-20 11:00,A,-5,0\n", "counts-1120.csv")
    services.loader.run_all()
    with services.sessions.begin() as session:  # a reason stored before reasons kept their message
        session.add(QuarantinedRow(run_id=1, source="counts", file="old.csv", row=7, column="good", value="ten",
                                   reason=OLD_REASON, created_at=NOW))
    return services


def _texts(node: Any) -> list[str]:
    """Every text in a tree of Dash components."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [t for n in node for t in _texts(n)]
    children = getattr(node, "children", None)
    return _texts(children) if children is not None else []


def test_a_german_plant_reads_the_loaders_refusals_in_german(make_services: Any, database_url: str, inbox: Any,
                                                              tmp_path: Path) -> None:
    from huddle.pages import data

    services = _german_services(make_services, database_url, inbox, tmp_path)
    with use_language(services.config.language):
        status = services.data_status.report()
        shown = " | ".join(_texts(data.quarantine_view(status)))
        labels = [p["label"] for p in status["problems"]]
    reasons = {p["reason"] for p in status["problems"]}
    assert "keine Zahl" in reasons  # good 'lots'
    assert "darf nicht negativ sein" in reasons  # total -5
    assert "unbekannter Stillstandsgrund (unter stop_reasons ergänzen)" in reasons  # Motor fault
    assert any(r.startswith("Duplikat von Zeile 4 (gleiche(s) ") for r in reasons)  # the repeated line
    assert "keine Zahl" in shown and "unbekannter Stillstandsgrund" in shown
    assert "not a number" not in shown and "unknown stop reason" not in shown
    assert any(label.endswith("good 'lots': keine Zahl") for label in labels)
    assert OLD_REASON in reasons and OLD_REASON in shown  # stored before: shown as stored


def test_the_lists_for_programs_keep_the_english_reason(make_services: Any, database_url: str, inbox: Any,
                                                         tmp_path: Path) -> None:
    services = _german_services(make_services, database_url, inbox, tmp_path)
    from huddle.dashboard.exports.lists_csv import quarantine_csv

    with use_language("de"):
        problems = services.quarantine.problems("open")
        listed = [p.as_dict(services.config.tz) for p in problems]
        csv = quarantine_csv(problems, services.config.tz)
    reasons = {p["reason"] for p in listed}
    assert {"not a number", "must not be negative", "unknown stop reason (add it to stop_reasons)"} <= reasons
    assert OLD_REASON in reasons and "keine Zahl" not in reasons
    assert "not a number" in csv and "must not be negative" in csv and "keine Zahl" not in csv


def test_spanish_says_a_reason_inside_a_reason(make_services: Any, database_url: str, inbox: Any,
                                               tmp_path: Path) -> None:
    services = _german_services(make_services, database_url, inbox, tmp_path)
    inbox.drop("counts", "line,start,end,product,total\nL1,2026-11-20 06:00,2026-11-20 07:00,A,3000\n",
               "counts-1121.csv")
    services.loader.run_all()
    with use_language("es"):
        said = {p.said for p in services.quarantine.problems("open") if p.row == 0}
    assert any(s.startswith("falta la columna 'good'; el archivo tiene: ") and
               s.endswith("Un archivo de conteos de producción necesita: line, start, end, total, good") for s in said)
