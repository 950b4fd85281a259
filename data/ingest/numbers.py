"""Numbers as exporting systems write them: decimal commas, thousands separators, and the texts whose meaning
depends on which the file uses (``1.026`` is 1026 with a thousands dot, 1.026 with a decimal point).

``read_number`` reads a cell with a source's own ``decimal`` and ``thousands`` (its mapping) into the contract's
plain form; ``ambiguous_number`` is the contract's own check for files whose source says nothing: a number it could
read two ways is refused, naming the setting that decides it, instead of being guessed.
"""

from __future__ import annotations

import re

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.sentence import Sentence

_NAMES = {".": N_("dot"), ",": N_("comma"), " ": N_("space"), "'": N_("apostrophe")}
_MARKS = ".,'"
_DOT_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def ambiguous_number(text: str, decimal_comma: bool) -> None:
    """Raise ``ValueError`` naming the source setting to set when a number's text reads two ways in a file whose
    source gives no ``decimal``/``thousands`` (``text`` without spaces)."""
    if decimal_comma:
        if "." in text and "," in text:
            raise ValueError(Sentence(N_("{text} has both a dot and a comma: set the source's decimal and "
                                         "thousands ({example})"), text=text,
                                      example='decimal: "," and thousands: "." read 1.026,5 as 1026.5'))
        if _DOT_GROUPS.fullmatch(text):
            raise ValueError(Sentence(N_("{text} is ambiguous in a file of decimal commas: the dot may separate "
                                         "thousands ({whole}) or be a decimal point; set the source's {thousands} "
                                         "(or {decimal})"), text=text, whole=text.replace(".", ""),
                                      thousands='thousands: "."', decimal='decimal: "."'))
    elif "," in text:
        if _COMMA_GROUPS.fullmatch(text):
            raise ValueError(Sentence(N_("not a number as the file is read: {text} has a comma; set the source's "
                                         "{thousands} if it separates thousands ({whole}), or {decimal} if it is "
                                         "the decimal mark"), text=text, whole=text.replace(",", ""),
                                      thousands='thousands: ","', decimal='decimal: ","'))
        if _DECIMAL_COMMA.fullmatch(text):
            raise ValueError(Sentence(N_("not a number in a comma-delimited file: {text} has a decimal comma; set "
                                         "the source's {decimal}"), text=text, decimal='decimal: ","'))


def read_number(text: str, decimal: str, thousands: str | None) -> str:
    """A number written with the source's decimal mark and thousands separator (None: the source did not say;
    "": it writes none) in the contract's plain form (``1026.5``); ``ValueError`` naming the setting to change when
    it has a mark the source does not write or thousands not grouped by three."""
    raw = text
    text = text.strip().replace("\u00a0", "").replace("\u202f", "")
    if thousands != " ":
        text = text.replace(" ", "")
    settings = Sentence(N_("the source's decimal: {decimal}, thousands: {thousands}"), decimal=f'"{decimal}"',
                        thousands=f'"{thousands}"' if thousands else Sentence(N_("none")))
    for mark in _MARKS:
        if mark in text and mark not in (decimal, thousands):
            raise ValueError(Sentence(N_("{text} has a {mark}, which this source does not write in numbers "
                                         "({settings}): set {thousands} if it separates thousands, or {decimal} if "
                                         "it is the decimal mark"), text=raw.strip(), mark=Sentence(_NAMES[mark]),
                                      settings=settings, thousands=f'thousands: "{mark}"',
                                      decimal=f'decimal: "{mark}"'))
    whole, _, fraction = text.partition(decimal)
    if thousands and thousands in fraction:
        raise ValueError(Sentence(N_("{text} has a {mark} after its decimal {decimal} ({settings}): if it writes "
                                     "them the other way round, correct the source's decimal and thousands"),
                                  text=raw.strip(), mark=Sentence(_NAMES[thousands]),
                                  decimal=Sentence(_NAMES[decimal]), settings=settings))
    if decimal in fraction:
        raise ValueError(Sentence(N_("{text} has more than one decimal {decimal} ({settings})"), text=raw.strip(),
                                  decimal=Sentence(_NAMES[decimal]), settings=settings))
    if thousands and thousands in whole:
        if not re.fullmatch(rf"[+-]?\d{{1,3}}({re.escape(thousands)}\d{{3}})+", whole):
            raise ValueError(Sentence(N_("{text} does not group thousands by three with the source's thousands "
                                         "{thousands} ({settings}): correct the source's decimal and thousands"),
                                      text=raw.strip(), thousands=f'"{thousands}"', settings=settings))
        whole = whole.replace(thousands, "")
    plain = f"{whole}.{fraction}" if fraction or text.endswith(decimal) else whole
    if not _PLAIN.fullmatch(plain):
        raise ValueError(Sentence(N_("not a number ({settings})"), settings=settings))
    number = float(plain)
    return str(int(number)) if number == int(number) and "e" not in plain else repr(number)
