"""``docs/kpis.md``, written from the KPI engine's own catalogue: every built-in formula (``core.kpi.FORMULAS``)
with how it is computed from the measures, and every measure (``core.kpi.MEASURES``) with its meaning. A test
regenerates the page and compares it with the file, so the page cannot fall behind the formulas.

Regenerate it with ``python -m huddle.dashboard.kpi_doc docs/kpis.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from huddle.dashboard.core.kpi import FORMULAS, MEASURES, PEOPLE_HOURS_FORMULAS, Formula, Kind

REGENERATE = "python -m huddle.dashboard.kpi_doc docs/kpis.md"

KIND_WORDS = {
    Kind.RATIO: "the numerator and the denominator are each summed over the lines and shifts, then "
                "divided",
    Kind.TOTAL: "summed over the lines and shifts",
    Kind.PRODUCT: "product over the process steps of an area's `flow`",
    Kind.GAUGE: "a count at a moment, from the events",
    Kind.DIRECT: "as loaded (`kpi_values` records), summed or averaged by the KPI's `aggregation`",
}

INTRO = f"""# KPI formulas

<!-- generated from dashboard/core/kpi.py by `{REGENERATE}`; do not edit by hand -->

Every KPI Huddle shows is one of the built-in formulas below, picked by a KPI's `formula:` in the plant file
([plant-config.md](plant-config.md#kpis)). A formula is computed from **measures**: quantities stored per line and
shift when the loaders read the exports, and added up for whatever is asked (a line or an area or the plant; a
shift, day, week, month, quarter or year). A ratio is always the ratio of the sums, never the mean of the shifts'
ratios, so a short shift weighs what it ran and the plant's OEE is not the average of its lines' OEEs.

- A period without data has no value (shown as "no data", never as zero).
- Planned production time is the shift's time minus its breaks and planned stops. A stop that overlaps a break is
  counted only for the minutes outside the break: those minutes are already planned time, and counting them twice
  would make availability too low. A 195-minute breakdown across a 30-minute meal and a 10-minute break shows as
  155 minutes of unplanned downtime.
- Targets of totals (unplanned downtime, good units, recordables …) are per line and shift: the plant file's target
  is multiplied by the line-shifts a reading holds (a day on which three lines ran two shifts each has six times
  the target); a direct KPI with `aggregation: sum` has its target per loaded value. A line-shift counts when it
  has records: a planned holiday or a line that did not run (nothing recorded) adds none, a week or month with none
  has no target for a total (never one shift's limit beside a month's value). Ratios, percentages, rolled
  throughput yield, days since the last recordable and means of loaded values keep their target at every grain.
  Every page, the API and the exports take this from one rule, `huddle.dashboard.core.targets`.
"""


def _scale(formula: Formula) -> tuple[str, str]:
    """The words before and after a sum for the formula's scale (100 ×, ÷ 60 for seconds in minutes, …)."""
    scale = formula.scale
    if scale == 1:
        return "", ""
    if scale < 1:
        return "", f" ÷ {round(1 / scale):,}"
    return f"{scale:,.0f} × ", ""


def computed_as(formula: Formula) -> str:
    """How the formula is worked out from the measures, as the page writes it."""
    before, after = _scale(formula)
    if formula.kind is Kind.RATIO:
        return f"{before}Σ `{formula.numerator}` / Σ `{formula.denominator}`{after}"
    if formula.kind is Kind.TOTAL:
        return f"{before}Σ `{formula.numerator}`{after}"
    if formula.kind is Kind.PRODUCT:
        return f"{before}Π `{formula.step_formula}` of each step (as a fraction)"
    if formula.kind is Kind.GAUGE:
        return "whole days from the last recordable case (or the plant file's `last_recordable`) to now"
    return "the loaded values"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The whole page, as ``docs/kpis.md`` holds it."""
    rows = ["| formula | what it is | computed as | unit | better | rolls up as |", "|---|---|---|---|---|---|"]
    for key, f in FORMULAS.items():
        rows.append(f"| `{key}` | {_cell(f.description)} | {computed_as(f)} | {f.unit or '—'} | {f.direction} | "
                    f"{f.kind.value} |")
    kinds = [f"- **{kind.value}**: {words}." for kind, words in KIND_WORDS.items()]
    people = ", ".join(f"`{k}`" for k in sorted(PEOPLE_HOURS_FORMULAS))
    measures = ["| measure | meaning |", "|---|---|"] + [f"| `{k}` | {_cell(v)} |" for k, v in MEASURES.items()]
    return "\n".join([
        INTRO, "## Formulas", "", *rows, "", "How each kind adds up:", "", *kinds, "",
        f"{people}: the hours are those everyone at the scope worked. Where hours are recorded for an area or the "
        "plant itself (payroll, HR: see [Hours worked](data-contract.md#hours-worked)) those are used; where there "
        "are none, the labour hours per line and shift.", "",
        "## Measures", "", "Stored per line and shift, from the records of the "
        "[data contract](data-contract.md):", "", *measures, ""])


def main(argv: list[str] | None = None) -> int:
    """Write the page to the file named (or print it)."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        Path(args[0]).write_text(markdown(), encoding="utf-8")
    else:
        sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
