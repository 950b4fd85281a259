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


def test_a_request_keeps_its_language_to_itself(tmp_path: Path) -> None:
    """A German plant's request speaks German; once it ends, the thread that served it (a worker, or a test calling
    the app in its own thread) speaks the default again rather than the last plant's language."""
    from huddle.dashboard.core.i18n import DEFAULT, language
    from huddle.dashboard.web.app import create_app

    settings = demo_settings(Settings(data_dir=tmp_path), language="de")
    app = create_app(settings)
    try:
        page = app.server.test_client().get("/login")
        assert page.status_code == 200 and '<html lang="de">' in page.get_data(as_text=True)
        assert language() == DEFAULT
    finally:
        app.server.config["HUDDLE_SERVICES"].dispose()
