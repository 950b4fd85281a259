"""Text in the review's PDF: the fonts (Helvetica where it can, so the words stay searchable in the file; DejaVu Sans
for the symbols Helvetica lacks; ASCII stand-ins where neither has a character), the paragraph styles, and the
paragraphs themselves.

A plant's pack holds some 1,600 table cells and four in five of them repeat one another (the same value and target,
the same month heading): within one document a cell's paragraph is made once for each distinct text and style and
shared by every cell that shows it, and it breaks its lines once per width (a table wraps every cell to size its
rows, again to split them over pages and again to draw them). The file is the same byte for byte.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SYMBOL_FONT = "HuddleSymbols"
# Stand-ins for characters the PDF's fonts cannot draw (Helvetica has no ✓ ✗ ▲, and DejaVu may be missing)
ASCII_STAND_INS = {"✓": "+", "✗": "X", "▲": "^", "◷": "~", "◐": "(part)", "⚠": "!", "≥": ">=", "≤": "<=", "→": "->",
                   "−": "-", "↑": "^",
                   "↓": "v"}
FONT, BOLD = "Helvetica", "Helvetica-Bold"


@cache
def symbols() -> tuple[str, frozenset[int]] | None:
    """A registered font for the characters Helvetica lacks (✓ ✗ ▲ →), or None where DejaVu Sans is missing."""
    if not DEJAVU.is_file():
        return None
    try:
        font = TTFont(SYMBOL_FONT, str(DEJAVU))
        pdfmetrics.registerFont(font)
    except Exception:  # an unreadable font file: ASCII stand-ins still make a readable pack
        return None
    return SYMBOL_FONT, frozenset(font.face.charToGlyph)


def _winansi(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return ch >= " "


def markup(text: str) -> str:
    """Paragraph markup for plain text: Helvetica where it can (so the words stay searchable in the file), the
    symbol font for the rest, ASCII stand-ins where neither has the character (once per text in a document)."""
    return memo("markup", text, lambda: _markup(text))  # a pack marks up the same value and target hundreds of times


def _markup(text: str) -> str:
    found = symbols()
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if _winansi(ch) or ch == "\n":
            if run:
                out.append(f'<font name="{SYMBOL_FONT}">{xml_escape("".join(run))}</font>')
                run = []
            out.append("<br/>" if ch == "\n" else xml_escape(ch))
        elif found is not None and ord(ch) in found[1]:
            run.append(ch)
        else:
            if run:
                out.append(f'<font name="{SYMBOL_FONT}">{xml_escape("".join(run))}</font>')
                run = []
            out.append(xml_escape(ASCII_STAND_INS.get(ch, "?")))
    if run:
        out.append(f'<font name="{SYMBOL_FONT}">{xml_escape("".join(run))}</font>')
    return "".join(out)


def plain(text: str) -> str:
    """Text for the canvas and charts (one font): ASCII stand-ins for what Helvetica cannot draw."""
    return "".join(ch if _winansi(ch) else ASCII_STAND_INS.get(ch, "?") for ch in text)


def _style(name: str, size: float, *, bold: bool = False, leading: float | None = None, colour: str = "#1c2733",
           align: int = 0, space_after: float = 0, space_before: float = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BOLD if bold else FONT, fontSize=size, leading=leading or size * 1.2,
                          textColor=colors.HexColor(colour), alignment=align, spaceAfter=space_after,
                          spaceBefore=space_before)


STYLES = {
    "title": _style("title", 24, bold=True, leading=30, space_after=6),
    "subtitle": _style("subtitle", 14, leading=18, space_after=14, colour="#333333"),
    "h2": _style("h2", 14, bold=True, leading=18, space_after=6, space_before=4, colour="#1f4e79"),
    "h3": _style("h3", 10.5, bold=True, leading=14, space_after=3, space_before=8),
    "body": _style("body", 10, leading=13.5, space_after=6),
    "summary": _style("summary", 12, leading=16, space_after=12),
    "hint": _style("hint", 8, leading=10, colour="#555555", space_after=6),
    "cell": _style("cell", 7.5, leading=9),
    "cellr": _style("cellr", 7.5, leading=9, align=TA_RIGHT),
    "head": _style("head", 7.5, bold=True, leading=9),
    "headr": _style("headr", 7.5, bold=True, leading=9, align=TA_RIGHT),
    "bcell": _style("bcell", 7, leading=7.8, align=TA_RIGHT),
    "bname": _style("bname", 7, leading=7.8),
    "bcat": _style("bcat", 8, bold=True, leading=10),
}


#: what a paragraph's drawing reads of the canvas it draws on (reportlab's text object starts from these)
_CANVAS_STATE = ("_fontname", "_fontsize", "_leading", "_fillColorObj", "_strokeColorObj", "_charSpace", "_wordSpace",
                 "_horizScale", "_textRenderMode", "_rise", "_fillAlpha", "_strokeAlpha", "_fillOverprint",
                 "_strokeOverprint", "_overprintMask")


class OnceAWidth(Paragraph):
    """A paragraph that breaks its lines once for each width it is given, not at every wrap (its lines depend on
    the width alone), and that writes its drawing once for each canvas state it is drawn in: a cell shared by a
    hundred cells of a table writes the same operators a hundred times (its position is set outside, by the cell),
    so the operators of its first drawing are repeated rather than worked out again."""

    _wrapped_at: float | None = None
    _drawn: dict[tuple[Any, ...], list[str]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab's names)
        if availWidth == self._wrapped_at:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size

    def draw(self) -> None:
        canvas = self.canv
        key = (id(canvas), self.width, self.height,
               *(repr(getattr(canvas, name, None)) for name in _CANVAS_STATE))
        drawn = self._drawn if self._drawn is not None else {}
        code = drawn.get(key)
        if code is not None:
            canvas._code.extend(code)
            return
        start = len(canvas._code)
        super().draw()
        drawn[key] = canvas._code[start:]
        self._drawn = drawn


#: what the document being built made once, by kind and key (nothing outside ``one_document``)
_MADE: ContextVar[dict[tuple[str, Any], Any] | None] = ContextVar("review_pdf_paragraphs", default=None)


@contextlib.contextmanager
def one_document() -> Iterator[None]:
    """Within this block cells of equal text and style share one paragraph (``shared``, ``memo``); what was made goes
    with the block, and each thread has its own."""
    token = _MADE.set({})
    try:
        yield
    finally:
        _MADE.reset(token)


def shared(text: str, style: str) -> Paragraph:
    """A table cell's paragraph from markup: the one already made for the same markup and style in this document,
    else a new one."""
    return memo("paragraph", (text, style), lambda: OnceAWidth(text, STYLES[style]))


def p(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text in one of ``STYLES``."""
    return OnceAWidth(markup(text), STYLES[style])


def cell_p(text: str, style: str = "cell") -> Paragraph:
    """A table cell of plain text in one of ``STYLES``, shared within the document."""
    return shared(markup(text), style)


def memo(kind: str, key: Any, make: Any) -> Any:
    """``make()`` once per ``(kind, key)`` in this document (always, outside one)."""
    made = _MADE.get()
    if made is None:
        return make()
    found = made.get((kind, key))
    if found is None:
        found = made[(kind, key)] = make()
    return found
