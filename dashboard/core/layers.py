"""The KPI stack: the five layers every KPI belongs to (1 operator … 5 strategic), each with the forum that looks at
it and how often.

A plant declares its layers in the plant file under ``layers:`` (see docs/plant-config.md): per layer number its
name, forum and cadence; a layer it does not declare keeps ``DEFAULT_LAYERS``'s. Plain Python: nothing here reads a
database or knows a web page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from huddle.dashboard.core.i18n import N_, _

#: how often a forum looks at its layer, as people say it
CADENCE_WORDS = {"hour": N_("every hour"), "shift": N_("every shift"), "day": N_("daily"), "week": N_("weekly"),
                 "month": N_("monthly"), "quarter": N_("quarterly")}
KNOWN_KEYS = ("number", "name", "forum", "cadence")


@dataclass(frozen=True)
class Layer:
    """One layer of the KPI stack: its number, its name, the forum that looks at its KPIs and how often. ``name``
    and ``forum`` are the plant's words, or empty for Huddle's defaults (translated where shown)."""

    number: int
    cadence: str
    name: str = ""
    forum: str = ""

    @property
    def title(self) -> str:
        """The layer's name: the plant's, else the method's ('Supervisor / shift')."""
        return self.name or _(DEFAULT_NAMES[self.number])

    @property
    def forum_words(self) -> str:
        """The forum that looks at the layer: the plant's, else the method's ('Shift huddle')."""
        return self.forum or _(DEFAULT_FORUMS[self.number])

    @property
    def cadence_words(self) -> str:
        """How often the forum meets, in words ('every shift')."""
        return _(CADENCE_WORDS[self.cadence])

    @property
    def heading(self) -> str:
        """'Layer 2 – Supervisor / shift'."""
        return _("Layer {n} – {name}").format(n=self.number, name=self.title)


DEFAULT_NAMES = {1: N_("Operator"), 2: N_("Supervisor / shift"), 3: N_("Maintenance & reliability"),
                 4: N_("Continuous improvement"), 5: N_("Strategic / financial")}
DEFAULT_FORUMS = {1: N_("At the line"), 2: N_("Shift huddle"), 3: N_("Maintenance meeting"),
                  4: N_("Continuous improvement meeting"), 5: N_("Monthly business review")}
DEFAULT_CADENCES = {1: "hour", 2: "shift", 3: "day", 4: "week", 5: "month"}


def default_layers() -> tuple[Layer, ...]:
    """The five layers of a plant that declares none, bottom (1) to top (5)."""
    return tuple(Layer(n, DEFAULT_CADENCES[n]) for n in sorted(DEFAULT_NAMES))


def read_layers(raw: Any, problems: list[str]) -> tuple[Layer, ...]:
    """The ``layers:`` section of a plant file (each layer not declared keeps its default), adding each problem with
    where it was found (``layers[1].cadence: ...``)."""
    layers = {layer.number: layer for layer in default_layers()}
    if raw is None:
        return tuple(layers.values())
    if not isinstance(raw, list):
        problems.append("layers: expected a list of layers, e.g. [{number: 2, forum: Shift huddle, cadence: shift}]")
        return tuple(layers.values())
    seen: set[int] = set()
    for i, entry in enumerate(raw):
        layer = _layer(entry, f"layers[{i}]", problems)
        if layer is None:
            continue
        if layer.number in seen:
            problems.append(f"layers[{i}].number: layer {layer.number} is declared twice")
        seen.add(layer.number)
        layers[layer.number] = layer
    return tuple(layers.values())


def _layer(entry: Any, where: str, problems: list[str]) -> Layer | None:
    """One layer of the plant file (None when it cannot be used)."""
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: expected a mapping like {{number: 2, forum: Shift huddle, cadence: shift}}")
        return None
    before = len(problems)
    problems.extend(f"{where}.{key}: unknown setting; a layer has {', '.join(KNOWN_KEYS)}"
                    for key in entry if key not in KNOWN_KEYS)
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number not in DEFAULT_NAMES:
        problems.append(f"{where}.number: expected 1 to 5, got {number!r}")
        number = None
    cadence = entry.get("cadence", DEFAULT_CADENCES.get(number or 0, "day"))
    if cadence not in CADENCE_WORDS:
        problems.append(f"{where}.cadence: expected one of {', '.join(CADENCE_WORDS)}, got {cadence!r}")
    texts = {}
    for key in ("name", "forum"):
        value = entry.get(key, "")
        if not isinstance(value, str):
            problems.append(f"{where}.{key}: expected text, got {value!r}")
        texts[key] = str(value).strip()
    if len(problems) > before or number is None:
        return None
    return Layer(number, str(cadence), texts["name"], texts["forum"])


def layer_of(layers: tuple[Layer, ...], number: int) -> Layer:
    """The plant's layer of a number (every KPI's layer is 1–5, so there always is one)."""
    return next(layer for layer in layers if layer.number == number)
