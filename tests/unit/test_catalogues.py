"""Every word Huddle shows has its German and Spanish translation (docs/languages.md).

The catalogue is extracted from the product's code here, with Babel's extractor and the repository's babel.cfg,
so a string wrapped in ``_()`` (or ``N_``, ``ngettext``, ``pgettext``) and not translated in every shipped
catalogue fails this test, naming the string and the language; so does a translation that drops or misspells a
``{placeholder}``, and one left in a catalogue after its English was changed or removed. Text that is not wrapped
at all is caught by the pages' test in a pseudo-language (tests/integration/test_pages_translated.py).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from huddle.dashboard.core.i18n import catalogue_path, languages, number, use_language

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("de", "es")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "N_"}


@cache
def extracted() -> dict[str | tuple[str, str], str]:
    """Every message in the code: (context, msgid) or msgid -> where it was first seen."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids[:1]:  # the singular of a plural names the entry
            found.setdefault((context, msgid) if context else msgid, f"{filename}:{lineno}")
    return found


@cache
def catalogue(language: str) -> Catalog:
    """A shipped catalogue as Babel reads it."""
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language)


def test_huddle_speaks_english_german_and_spanish() -> None:
    assert set(languages()) >= {"en", *SHIPPED}
    assert len(extracted()) > 30  # the extractor found the code's words (a wrong babel.cfg finds none)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_in_the_code_is_translated(language: str) -> None:
    entries = catalogue(language)
    missing = []
    for key, where in extracted().items():
        context, msgid = key if isinstance(key, tuple) else (None, key)
        entry = entries.get(msgid, context=context)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ("",))
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} strings lack a {language} translation:\n" + "\n".join(missing[:40])


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_every_placeholder(language: str) -> None:
    wrong = []
    for entry in catalogue(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        wrong += [f"{ids[0]!r} -> {s!r}" for s in strings if s and set(PLACEHOLDER.findall(s)) - wanted]
        wrong += [f"{ids[0]!r} -> {s!r}" for s in strings
                  if s and not set(PLACEHOLDER.findall(s)) >= set(PLACEHOLDER.findall(ids[0])) - {"{n}"}]
    assert not wrong, "translations with placeholders the code does not fill, or missing ones:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", SHIPPED)
def test_no_translation_outlives_its_english(language: str) -> None:
    code = set(extracted())
    stale = [entry.id for entry in catalogue(language) if entry.id
             and ((entry.context, entry.id if isinstance(entry.id, str) else entry.id[0]) if entry.context
                  else (entry.id if isinstance(entry.id, str) else entry.id[0])) not in code]
    assert not stale, f"{language}: translations of strings the code no longer has (run pybabel update): {stale}"


def test_no_string_to_translate_hides_inside_an_f_string() -> None:
    """Babel's extractor does not look inside f-strings: ``f"<h1>{_('Sign in')}</h1>"`` would never reach the
    catalogue, and so never be translated, without this test noticing."""
    hidden = []
    for folder in ("dashboard", "pages", "callbacks", "data"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.JoinedStr):
                    hidden += [f"{path.relative_to(ROOT)}:{call.lineno}" for call in ast.walk(node)
                               if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                               and call.func.id in GETTEXT and any(isinstance(a, ast.Constant) for a in call.args)]
    assert not hidden, "translate these outside the f-string (the extractor skips them): " + ", ".join(hidden)


@pytest.mark.parametrize("language", languages())
def test_numbers_are_written_as_babel_writes_them(language: str) -> None:
    import math
    import random

    from babel.numbers import format_decimal
    from huddle.dashboard.core.i18n import _locale, _marks

    pick = random.Random(20261206)
    values = [0.0, -0.0, 0.5, 1.5, 2.5, -0.04, 0.049999, 999.95, 999_999.5, -1234567.25, 1e11 + 0.5, 1e12, 3e15,
              2.0 ** 60, math.nan, math.inf, -math.inf, 12, -7]
    values += [pick.uniform(-1, 1) * 10 ** pick.randint(0, 13) for _ in range(3000)]
    assert _marks(language) is not None  # the shipped languages are written without Babel's pattern parser
    with use_language(language):
        for value in values:
            for digits in (-1, 0, 1, 2, 3):
                for grouping in (True, False):
                    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits > 0 else "")
                    babel = format_decimal(round(float(value), digits), format=pattern, locale=_locale(language),
                                           group_separator=grouping)
                    assert number(value, digits, grouping) == babel, (value, digits, grouping)


def test_numbers_are_written_the_languages_way() -> None:
    with use_language("en"):
        assert number(1234.5, 1) == "1,234.5"
    with use_language("de"):
        assert number(1234.5, 1) == "1.234,5"
        assert number(0.25, 2) == "0,25"
    with use_language("es"):
        assert number(12.5, 1) == "12,5"
