"""The status colours stay apart for colour-blind eyes: each of the palette's status colours (read from
assets/huddle.css) is passed through the Machado, Oliveira & Fernandes (2009) simulation of protanopia, deuteranopia
and tritanopia at full severity (their matrices, applied in linear sRGB), and every pair of statuses must stay at
least ΔE*ab (CIE 1976, D65) 10 apart, where 2.3 is the smallest difference people see. Colour is still never the
only signal: every status also has its own icon and word (tests/unit/test_glyphs.py, core.format)."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest
from huddle.dashboard.core.format import STATUS_ICONS, STATUS_WORDS

CSS = Path(__file__).resolve().parents[2] / "assets" / "huddle.css"
STATUSES = ("green", "amber", "red", "grey")
LEAST_DELTA_E = 10.0
Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
#: Machado et al. 2009, Table 1, severity 1.0 (dichromacy)
MACHADO: dict[str, Matrix] = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
IDENTITY: Matrix = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def palette() -> dict[str, str]:
    """The status colours as the stylesheet defines them (``--green: #1e7b34`` …)."""
    css = CSS.read_text(encoding="utf-8")
    return {s: re.search(rf"--{s}:\s*(#[0-9a-fA-F]{{6}})", css).group(1) for s in STATUSES}  # type: ignore[union-attr]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a linear sRGB colour."""
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen(colour: str, matrix: Matrix) -> tuple[float, float, float]:
    """How a colour looks (in L*a*b*) to an eye the matrix simulates."""
    rgb = [_linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5)]
    out = [min(1.0, max(0.0, sum(matrix[i][j] * rgb[j] for j in range(3)))) for i in range(3)]
    return _lab(out)


def test_the_simulation_is_the_published_one() -> None:
    # each row of a Machado matrix sums to 1: white and greys look the same to every eye
    for matrix in MACHADO.values():
        assert all(abs(sum(row) - 1) < 1e-3 for row in matrix)
    # a pure red and a pure green, far apart for normal sight, nearly meet for a deuteranope
    normal = math.dist(seen("#ff0000", IDENTITY), seen("#00ff00", IDENTITY))
    deutan = math.dist(seen("#ff0000", MACHADO["deuteranopia"]), seen("#00ff00", MACHADO["deuteranopia"]))
    assert normal > 150 and deutan < normal / 3


@pytest.mark.parametrize("vision", ["normal", *MACHADO])
def test_every_pair_of_statuses_stays_apart(vision: str) -> None:
    matrix = IDENTITY if vision == "normal" else MACHADO[vision]
    lab = {s: seen(c, matrix) for s, c in palette().items()}
    close = {f"{a}/{b}": round(math.dist(lab[a], lab[b]), 1) for a, b in itertools.combinations(STATUSES, 2)
             if math.dist(lab[a], lab[b]) < LEAST_DELTA_E}
    assert close == {}


def test_every_status_has_its_own_icon_and_word() -> None:
    shown = ("green", "amber", "red", "grey", "stale", "incomplete", "check")
    assert len({STATUS_ICONS[s] for s in shown}) == len(shown)
    assert len({STATUS_WORDS[s] for s in shown}) == len(shown)
