"""The plant's language: translated words (gettext catalogues read with Babel) and numbers and dates written the
way the language writes them (Babel's CLDR data: decimal commas, month names).

The language is a context variable, not a global: the web app sets it for each request from the plant file
(``site.language``), the exports and e-mails run inside ``use_language(config.language)``, and everything else
(the command line, the scheduler, tests) writes English unless it asks. Nothing here knows Flask or Dash, so pages,
exports, services and the API all translate through the same few functions.

Catalogues are plain ``.po`` files in ``locale/<language>/LC_MESSAGES/huddle.po`` beside this module, read as they
are (no compile step to forget); docs/languages.md says how a plant adds one.
"""

from __future__ import annotations

import gettext as _gettext
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimeFormat, format_date, format_datetime, parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DEFAULT = "en"
DOMAIN = "huddle"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_ACTIVE: ContextVar[str] = ContextVar("huddle_language", default=DEFAULT)


def catalogue_path(language: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache  # the catalogues are part of the install: looked for once, not on every request
def languages() -> tuple[str, ...]:
    """The languages Huddle can speak: English (the source text) and every shipped catalogue."""
    shipped = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT, *(s for s in shipped if s != DEFAULT))


def read_language(site: dict[str, object], problems: list[str]) -> str:
    """The plant file's ``site.language`` (English when absent); one Huddle has no catalogue for is a problem."""
    language = str(site.get("language") or DEFAULT)
    if language not in languages():
        problems.append(f"site.language: {language!r} is not a language Huddle speaks: use one of "
                        f"{', '.join(languages())}")
        return DEFAULT
    return language


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """A language's translations, read from its ``.po`` file once (fuzzy entries are not used: not yet checked)."""
    path = catalogue_path(language)
    if language == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def language() -> str:
    """The language in effect here (the request's plant, an export's plant, or English)."""
    return _ACTIVE.get()


def set_language(language: str) -> Token[str]:
    """Speak ``language`` from here on in this context (a request); ``reset_language`` with the token undoes it."""
    return _ACTIVE.set(language if language in languages() else DEFAULT)


def reset_language(token: Token[str]) -> None:
    """Undo a ``set_language``."""
    _ACTIVE.reset(token)


@contextmanager
def use_language(language: str) -> Iterator[str]:
    """Speak ``language`` inside the block (an export, an e-mail, a test)."""
    token = set_language(language)
    try:
        yield _ACTIVE.get()
    finally:
        reset_language(token)


def gettext(message: str) -> str:
    """``message`` in the language in effect (English, the source text, when the catalogue lacks it)."""
    return translations(_ACTIVE.get()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: float) -> str:
    """The singular or plural form, as the language counts ``n`` (a fraction, 2.5 values, counts as plural)."""
    # gettext's plural rules take whole numbers; 0 picks the plural in English, German and Spanish alike
    return translations(_ACTIVE.get()).ngettext(singular, plural, int(n) if n == int(n) else 0)


def pgettext(context: str, message: str) -> str:
    """``message`` where the same English word says different things (``context`` tells the translator which)."""
    return translations(_ACTIVE.get()).pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention the extractor looks for)
    """Mark text for the catalogue where it is defined; it is translated where it is shown (``_(word)``)."""
    return message


# ---- numbers and dates as the language writes them ------------------------------------------------------------


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


#: below this size a rounded number's digits are the same read from its shortest form (as Babel reads them) or from
#: its exact binary value (as Python's format does)
_EXACT_BELOW = 1e12


@cache
def _marks(language: str) -> tuple[str, str, str] | None:
    """The minus sign, group separator and decimal mark Babel writes for a language, read off the numbers it writes;
    None when they are not plain groups of three and one mark (then Babel writes every number itself)."""
    locale = _locale(language)
    found = re.fullmatch(r"(\D+)1(?P<group>\D+)234(?P=group)567(\D+)5",
                         format_decimal(-1234567.5, format="#,##0.0", locale=locale))
    if found is None:
        return None
    minus, group, mark = found.groups()
    plain = format_decimal(-1234.5, format="0.0", locale=locale, group_separator=False)
    zero = format_decimal(-0.0, format="0.0", locale=locale)
    return (minus, group, mark) if (plain, zero) == (f"{minus}1234{mark}5", f"{minus}0{mark}0") else None


def number(value: float, digits: int = 0, grouping: bool = True) -> str:
    """A number with ``digits`` decimals: 1,234.5 in English, 1.234,5 in German and Spanish."""
    rounded = round(float(value), digits)  # Python's rounding (as before), Babel's separators
    marks = _marks(_ACTIVE.get())
    if marks is not None and abs(rounded) < _EXACT_BELOW:
        # Babel's text, written without its pattern parser (a board writes a hundred numbers per refresh)
        minus, group, mark = marks
        text = (f"{abs(rounded):,.{max(digits, 0)}f}" if grouping else f"{abs(rounded):.{max(digits, 0)}f}")
        text = text.translate({44: group, 46: mark})
        return minus + text if math.copysign(1.0, rounded) < 0 else text
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(rounded, format=pattern, locale=_locale(_ACTIVE.get()), group_separator=grouping)


def day_text(day: date | datetime, pattern: str) -> str:
    """A date in a CLDR pattern ("EEE d MMM") with the language's day and month names."""
    if isinstance(day, datetime):
        return format_datetime(day, pattern, tzinfo=day.tzinfo, locale=_locale(_ACTIVE.get()))
    return format_date(day, pattern, locale=_locale(_ACTIVE.get()))


#: the CLDR pattern letters that depend on the date alone (era, year, quarter, month, week, day, weekday)
_DATE_LETTERS = frozenset("GyYuUQqMLlwWdDFgEec")


def day_texts(pattern: str) -> Callable[[datetime], str]:
    """``day_text`` for many times in one pattern (a column of a file): the words of each date (weekday, month) are
    looked up once, the time of day for each time."""
    locale = _locale(_ACTIVE.get())
    parsed = parse_pattern(pattern)
    by_date: dict[date, dict[str, str]] = {}

    def text(when: datetime) -> str:
        if when.tzinfo is None:
            return day_text(when, pattern)
        fields = DateTimeFormat(when, locale)
        words = by_date.get(when.date())
        if words is None:
            words = by_date[when.date()] = _DateWords(fields)
        return parsed.format % _Fields(words, fields)

    return text


class _DateWords(dict[str, str]):
    """A date's fields, each worked out the first time a pattern asks for it."""

    def __init__(self, fields: DateTimeFormat) -> None:
        super().__init__()
        self.fields = fields

    def __missing__(self, name: str) -> str:
        self[name] = value = self.fields[name]
        return value


class _Fields:
    """A time's fields for a pattern: those of its date from the date's words, the rest of its own."""

    def __init__(self, words: _DateWords, fields: DateTimeFormat) -> None:
        self.words, self.fields = words, fields

    def __getitem__(self, name: str) -> str:
        return self.words[name] if name[0] in _DATE_LETTERS else self.fields[name]


def month_name(month: int) -> str:
    """A month's name standing alone ("November", "noviembre")."""
    return _locale(_ACTIVE.get()).months["stand-alone"]["wide"][month]
