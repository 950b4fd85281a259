"""The date pickers show their date in the plant's language, as the pages write a date with a year ('5 Dec 2026',
German '5. Dez. 2026'): the language's date pattern in the pickers' tokens, and the month and weekday names of
every shipped language in the assets, where a German or Spanish page names them."""

from __future__ import annotations

import pytest
from huddle.dashboard.core.format import picker_date_format, picker_format
from huddle.dashboard.core.i18n import DEFAULT, languages, use_language
from huddle.dashboard.web.app import ASSETS, DATE_NAMES


@pytest.mark.parametrize(("language", "shown"), [("en", "D MMM YYYY"), ("de", "D. MMM YYYY"), ("es", "D MMM YYYY")])
def test_each_language_shows_its_own_date_pattern(language: str, shown: str) -> None:
    with use_language(language):
        assert picker_date_format() == shown


@pytest.mark.parametrize(("pattern", "shown"), [
    ("d. MMM y", "D. MMM YYYY"),
    ("dd.MM.yy", "DD.MM.YY"),
    ("MMM d, y", "MMM D, YYYY"),
    ("y-MM-dd", "YYYY-MM-DD"),
    ("d 'de' MMMM 'de' y", "D 'de' MMMM 'de' YYYY"),  # quoted words stay words
    ("EEE, d. MMM y", "D. MMM YYYY"),  # a weekday the pickers cannot show is left out, with its comma
    ("d. MMM y, EEEE", "D. MMM YYYY"),
    ("EEEE", "D MMM YYYY"),  # nothing a picker can show: the day, month and year
])
def test_a_date_pattern_in_the_pickers_tokens(pattern: str, shown: str) -> None:
    assert picker_format(pattern) == shown


def test_every_shipped_language_has_its_month_and_day_names() -> None:
    for language in languages():
        names = ASSETS / DATE_NAMES.format(language=language)
        if language == DEFAULT:
            assert not names.exists()  # the pickers' own: loading any would make it every page's first choice
        else:
            text = names.read_text(encoding="utf-8")
            assert f"{language}:" in text and "window.dateFns" in text and "MIT License" in text, names.name
