"""docs/kpis.md is the KPI engine's catalogue as it is: regenerated here and compared with the file, and every
built-in formula and measure is on the page."""

from __future__ import annotations

from pathlib import Path

from huddle.dashboard.core.kpi import FORMULAS, MEASURES, Formula, Kind
from huddle.dashboard.kpi_doc import REGENERATE, computed_as, main, markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def test_docs_kpis_md_is_the_catalogue_as_it_is() -> None:
    assert PAGE.read_text(encoding="utf-8") == markdown(), (
        f"docs/kpis.md is not what the KPI catalogue gives: run `{REGENERATE}` and commit the file")


def test_every_formula_and_measure_is_on_the_page() -> None:
    page = markdown()
    for key, formula in FORMULAS.items():
        assert f"| `{key}` | {formula.description.replace('|', chr(92) + '|')} |" in page
    for key in MEASURES:
        assert f"| `{key}` |" in page


def test_the_working_names_the_measures_and_the_scale() -> None:
    assert computed_as(FORMULAS["oee"]) == "100 × Σ `ideal_good_s` / Σ `ppt_s`"
    assert computed_as(FORMULAS["trir"]) == "200,000 × Σ `recordables` / Σ `hours_worked`"
    assert computed_as(FORMULAS["mttr"]) == "Σ `unplanned_stop_s` / Σ `failures` ÷ 60"
    assert computed_as(FORMULAS["good_units"]) == "Σ `good_count`"
    assert computed_as(Formula("x", Kind.TOTAL, "run_s", None, 1 / 3600)) == "Σ `run_s` ÷ 3,600"


def test_the_command_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "kpis.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == markdown()
