"""Every character Huddle writes on a page is one its font draws: the status icons and every non-ASCII character in
the code, stylesheets and scripts are glyphs of DejaVu Sans, the last named font of the pages' stack (huddle.css:
Inter, Segoe UI, DejaVu Sans) and the one a Linux wall TV draws with. A glyph no font has shows as an empty box
(the old stale icon ⧗ did)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from huddle.dashboard.core.format import STATUS_ICONS

ROOT = Path(__file__).resolve().parents[2]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SOURCES = ("dashboard/**/*.py", "dashboard/**/*.yaml", "pages/*.py", "callbacks/*.py", "data/**/*.py",
           "assets/*.css", "assets/*.js")
#: plotly.js's own bundle: its tables of other scripts' characters are plotly's, never text Huddle writes
NOT_OURS = {"assets/plotly-basic.min.js"}


@cache
def _drawn() -> frozenset[int]:
    """The code points DejaVu Sans has a glyph for (read from its cmap)."""
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is not installed (apt-get install fonts-dejavu-core)")
    from reportlab.pdfbase.ttfonts import TTFont

    return frozenset(TTFont("HuddleGlyphCheck", str(DEJAVU)).face.charToGlyph)


def test_the_stack_ends_with_the_font_the_glyphs_are_checked_against() -> None:
    css = (ROOT / "assets" / "huddle.css").read_text(encoding="utf-8")
    assert '"DejaVu Sans", system-ui, sans-serif' in css


def test_every_status_icon_is_a_glyph_of_the_font() -> None:
    missing = {status: icon for status, icon in STATUS_ICONS.items() if any(ord(c) not in _drawn() for c in icon)}
    assert missing == {}
    assert len(set(STATUS_ICONS[s] for s in ("green", "amber", "red", "grey", "stale", "incomplete", "check"))) == 7


def test_no_character_in_the_code_is_missing_from_the_font() -> None:
    missing: dict[str, set[str]] = {}
    for pattern in SOURCES:
        for path in ROOT.glob(pattern):
            if str(path.relative_to(ROOT)) in NOT_OURS:
                continue
            for ch in path.read_text(encoding="utf-8"):
                if ord(ch) > 127 and ord(ch) not in _drawn():
                    missing.setdefault(f"{ch} U+{ord(ch):04X}", set()).add(str(path.relative_to(ROOT)))
    assert missing == {}
