"""Numbers as exporting systems write them: decimal commas, thousands separators, and the texts whose meaning
depends on which the file uses (``1.026`` is 1026 with a thousands dot, 1.026 with a decimal point).

``read_number`` reads a cell with a source's own ``decimal`` and ``thousands`` (its mapping) into the contract's
plain form; ``ambiguous_number`` is the contract's own check for files whose source says nothing: a number it could
read two ways is refused, naming the setting that decides it, instead of being guessed.
"""

from __future__ import annotations

import re

_NAMES = {".": "dot", ",": "comma", " ": "space", "'": "apostrophe"}
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
            raise ValueError(f"{text} has both a dot and a comma: set the source's decimal and thousands "
                             f"(decimal: \",\" and thousands: \".\" read 1.026,5 as 1026.5)")
        if _DOT_GROUPS.fullmatch(text):
            raise ValueError(f"{text} is ambiguous in a file of decimal commas: the dot may separate thousands "
                             f"({text.replace('.', '')}) or be a decimal point; set the source's thousands: \".\" "
                             f"(or decimal: \".\")")
    elif "," in text:
        if _COMMA_GROUPS.fullmatch(text):
            raise ValueError(f"not a number as the file is read: {text} has a comma; set the source's thousands: "
                             f"\",\" if it separates thousands ({text.replace(',', '')}), or decimal: \",\" if it "
                             f"is the decimal mark")
        if _DECIMAL_COMMA.fullmatch(text):
            raise ValueError(f"not a number in a comma-delimited file: {text} has a decimal comma; set the "
                             f"source's decimal: \",\"")


def read_number(text: str, decimal: str, thousands: str | None) -> str:
    """A number written with the source's decimal mark and thousands separator (None: the source did not say;
    "": it writes none) in the contract's plain form (``1026.5``); ``ValueError`` naming the setting to change when
    it has a mark the source does not write or thousands not grouped by three."""
    raw = text
    text = text.strip().replace("\u00a0", "").replace("\u202f", "")
    if thousands != " ":
        text = text.replace(" ", "")
    settings = f"the source's decimal: \"{decimal}\", thousands: " + (f"\"{thousands}\"" if thousands else "none")
    for mark in _MARKS:
        if mark in text and mark not in (decimal, thousands):
            raise ValueError(f"{raw.strip()} has a {_NAMES[mark]}, which this source does not write in numbers "
                             f"({settings}): set thousands: \"{mark}\" if it separates thousands, or decimal: "
                             f"\"{mark}\" if it is the decimal mark")
    whole, _, fraction = text.partition(decimal)
    if thousands and thousands in fraction:
        raise ValueError(f"{raw.strip()} has a {_NAMES[thousands]} after its decimal {_NAMES[decimal]} ({settings}): "
                         f"if it writes them the other way round, correct the source's decimal and thousands")
    if decimal in fraction:
        raise ValueError(f"{raw.strip()} has more than one decimal {_NAMES[decimal]} ({settings})")
    if thousands and thousands in whole:
        if not re.fullmatch(rf"[+-]?\d{{1,3}}({re.escape(thousands)}\d{{3}})+", whole):
            raise ValueError(f"{raw.strip()} does not group thousands by three with the source's thousands "
                             f"\"{thousands}\" ({settings}): correct the source's decimal and thousands")
        whole = whole.replace(thousands, "")
    plain = f"{whole}.{fraction}" if fraction or text.endswith(decimal) else whole
    if not _PLAIN.fullmatch(plain):
        raise ValueError(f"not a number ({settings})")
    number = float(plain)
    return str(int(number)) if number == int(number) and "e" not in plain else repr(number)
