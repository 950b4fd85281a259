"""The letter board: each SQDCM column's month calendar drawn as its letter (Safety as the safety cross).

A shape is a grid of cells; the days of the month fill its cells in reading order, so day 1 is the top-left
cell of the letter and the last day lands near its end. Every shape has at least 31 cells.
"""

from __future__ import annotations

from dataclasses import dataclass

_SHAPES: dict[str, tuple[str, ...]] = {
    "+": (
        "..###..",
        "..###..",
        "..###..",
        "#######",
        "#######",
        "#######",
        "..###..",
        "..###..",
        "..###..",
    ),
    "S": (
        ".######",
        "#######",
        "##.....",
        "##.....",
        ".#####.",
        ".....##",
        ".....##",
        "#######",
        "######.",
    ),
    "Q": (
        ".#####.",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##.#.##",
        "##..##.",
        ".####.#",
        "......#",
    ),
    "D": (
        "######.",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "######.",
    ),
    "C": (
        ".######",
        "#######",
        "##.....",
        "##.....",
        "##.....",
        "##.....",
        "##.....",
        "#######",
        ".######",
    ),
    "M": (
        "##...##",
        "###.###",
        "#######",
        "##.#.##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
    ),
}


@dataclass(frozen=True)
class Cell:
    """One cell of a shape: its grid position and the day it shows (None: part of the shape, no day)."""

    row: int
    col: int
    day: int | None


def shape_for(category: str) -> str:
    """The shape a column's calendar takes: the safety cross for Safety, else the column's letter."""
    return "+" if category == "S" else category


def cells(shape: str, days_in_month: int) -> list[Cell]:
    """The shape's cells with days 1..days_in_month in reading order (extra cells carry no day)."""
    grid = _SHAPES[shape]
    out: list[Cell] = []
    day = 1
    for r, line in enumerate(grid):
        for c, mark in enumerate(line):
            if mark == "#":
                out.append(Cell(r, c, day if day <= days_in_month else None))
                day += 1
    return out


def size(shape: str) -> tuple[int, int]:
    """(rows, columns) of a shape's grid."""
    grid = _SHAPES[shape]
    return len(grid), len(grid[0])


SHAPES = tuple(_SHAPES)
