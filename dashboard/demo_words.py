"""The demo plant's own words in German and Spanish: what a plant in Germany or Mexico would write in its plant
file (shift, area, line, KPI and tree names). ``huddle demo --language de`` writes them into the demo's plant file,
so the demo reads as such a plant's board would; Huddle's own words come from its catalogues (docs/languages.md).
Stop reasons, defect types and actions stay as the demo's export files and people wrote them."""

from __future__ import annotations

from typing import Any

#: language -> section -> key -> the name the plant file gives it
DEMO_NAMES: dict[str, dict[str, dict[str, str]]] = {
    "de": {
        "site": {"name": "Werk Riverside"},
        "shifts": {"E": "Frühschicht", "L": "Spätschicht", "N": "Nachtschicht"},
        "areas": {"filling": "Abfüllung", "packing": "Verpackung"},
        "lines": {"L1": "Linie 1", "L2": "Linie 2", "L3": "Linie 3", "L4": "Linie 4"},
        "kpis": {"days_since_recordable": "Tage ohne meldepflichtigen Unfall",
                 "near_misses": "Gemeldete Beinaheunfälle", "fpy": "Erstausbeute", "scrap_rate": "Ausschussquote",
                 "rework_rate": "Nacharbeitsquote", "internal_escapes": "Interne Fehlerschlupfe",
                 "customer_escapes": "Kundenreklamationen",
                 "quality": "Qualität (OEE)", "rty": "Durchlaufausbeute", "availability": "Verfügbarkeit",
                 "performance": "Leistung", "schedule_attainment": "Planerfüllung",
                 "unplanned_downtime": "Ungeplante Stillstandszeit", "changeover_time": "Rüstzeit",
                 "scrap_cost": "Ausschusskosten", "units_per_labour_hour": "Stück je Arbeitsstunde",
                 "overtime_rate": "Überstunden", "attendance": "Anwesenheit",
                 "improvement_ideas": "Verbesserungsideen", "pm_compliance": "PM-Erfüllung"},
        "units": {"ideas": ("Ideen", "Idee")},
        "trees": {"oee": "OEE-Treiberbaum", "delivery": "Liefer-Treiberbaum"},
        "channels": {"shift-leads": "Schichtleiter", "ops-teams": "Produktionskanal in Teams"},
        "rules": {"oee-red": "OEE rot auf einer Linie", "overdue-actions": "Überfällige Maßnahmen",
                  "stale-feeds": "Verspätete Datenquellen", "escalations-waiting": "Eskalationen ohne Antwort"},
    },
    "es": {
        "site": {"name": "Planta Riverside"},
        "shifts": {"E": "Turno mañana", "L": "Turno tarde", "N": "Turno noche"},
        "areas": {"filling": "Llenado", "packing": "Empaque"},
        "lines": {"L1": "Línea 1", "L2": "Línea 2", "L3": "Línea 3", "L4": "Línea 4"},
        "kpis": {"days_since_recordable": "Días sin accidentes registrables",
                 "near_misses": "Cuasi accidentes reportados", "fpy": "Rendimiento a la primera",
                 "scrap_rate": "Tasa de desecho", "rework_rate": "Tasa de retrabajo",
                 "internal_escapes": "Fugas internas", "customer_escapes": "Fugas al cliente",
                 "quality": "Calidad (OEE)", "rty": "Rendimiento acumulado", "availability": "Disponibilidad",
                 "performance": "Rendimiento", "schedule_attainment": "Cumplimiento del programa",
                 "unplanned_downtime": "Paro no planificado", "changeover_time": "Tiempo de cambio",
                 "scrap_cost": "Costo del desecho", "units_per_labour_hour": "Unidades por hora-hombre",
                 "overtime_rate": "Horas extra", "attendance": "Asistencia", "improvement_ideas": "Ideas de mejora",
                 "pm_compliance": "Cumplimiento de PM"},
        "units": {"ideas": ("ideas", "idea")},
        "trees": {"oee": "Árbol de OEE", "delivery": "Árbol de entrega"},
        "channels": {"shift-leads": "Jefes de turno", "ops-teams": "Canal de producción en Teams"},
        "rules": {"oee-red": "OEE en rojo en una línea", "overdue-actions": "Acciones vencidas",
                  "stale-feeds": "Fuentes de datos con retraso", "escalations-waiting": "Escalamientos sin respuesta"},
    },
}


def name_demo_plant(raw: dict[str, Any], language: str) -> None:
    """Give the parsed demo plant file the names a plant speaking ``language`` would write (English: as it is)."""
    names = DEMO_NAMES.get(language)
    if names is None:
        return
    raw["site"].update(names["site"])
    for shift in raw["calendar"]["shifts"]:
        shift["name"] = names["shifts"].get(shift["key"], shift["name"])
    for area in raw["areas"]:
        area["name"] = names["areas"].get(area["key"], area["name"])
        for line in area["lines"]:
            line["name"] = names["lines"].get(line["key"], line["name"])
    for kpi in raw["kpis"]:
        kpi["name"] = names["kpis"].get(kpi["key"], kpi["name"])
        if kpi.get("unit") in names["units"]:
            kpi["unit"], kpi["unit_one"] = names["units"][kpi["unit"]]
    for tree in raw["trees"]:
        tree["name"] = names["trees"].get(tree["key"], tree.get("name", ""))
    for section in ("channels", "rules"):  # the notification channels and rules
        for entry in raw.get("notifications", {}).get(section, []):
            entry["name"] = names[section].get(entry["key"], entry.get("name", ""))
