"""``huddle demo --language de`` (or es): the demo plant speaks the language and writes its own names in it, as a
German or Mexican plant's file would; the plant file it writes passes the same checks as any other."""

from __future__ import annotations

from pathlib import Path

import pytest
from huddle.dashboard.core.plant import load_plant
from huddle.dashboard.demo import DEMO_PLANT, demo_plant_copy, demo_settings
from huddle.dashboard.demo_words import DEMO_NAMES
from huddle.dashboard.settings import Settings


@pytest.mark.parametrize("language", sorted(DEMO_NAMES))
def test_the_demo_plant_speaks_the_language_asked_for(tmp_path: Path, language: str) -> None:
    english = load_plant(DEMO_PLANT)
    plant = load_plant(demo_plant_copy(tmp_path, language=language))
    assert plant.language == language
    names = DEMO_NAMES[language]
    assert plant.site_name == names["site"]["name"]
    assert {k: d.name for k, d in plant.kpis.items() if k in names["kpis"]} == names["kpis"]
    assert [ln.name for ln in plant.lines.values()] == [names["lines"][k] for k in plant.lines]
    assert set(plant.kpis) == set(english.kpis) and set(plant.lines) == set(english.lines)  # only names change
    assert plant.kpis["oee"].name == "OEE"  # a name the language writes the same stays


def test_the_demo_settings_point_at_the_german_plant(tmp_path: Path) -> None:
    settings = demo_settings(Settings(data_dir=tmp_path), language="de")
    assert settings.plant_config is not None and load_plant(Path(settings.plant_config)).language == "de"
    assert demo_settings(Settings(data_dir=tmp_path)).plant_config in (None, DEMO_PLANT)  # English: the file itself
