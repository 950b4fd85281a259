"""The plant's stop reasons as a tree to tap through: groups in file order, reasons without a group under their
category, and a group that is no name refused with its place."""

from __future__ import annotations

import pytest
import yaml
from huddle.dashboard.core.plant import ConfigError, parse_plant
from huddle.dashboard.core.reason_tree import ReasonBranch, read_stop_groups, reason_tree

from tests.conftest import SMALL_PLANT


def test_groups_first_seen_first_and_the_rest_by_category() -> None:
    reasons = {"Filler jam": "unplanned", "Format change": "changeover", "Capper fault": "unplanned",
               "Power cut": "unplanned", "Cleaning": "planned"}
    groups = {"Filler jam": "Filler", "Capper fault": "Filler"}
    assert reason_tree(reasons, groups) == (
        ReasonBranch("Filler", ("Filler jam", "Capper fault")),
        ReasonBranch("Changeover", ("Format change",), category_word=True),
        ReasonBranch("Unplanned stop", ("Power cut",), category_word=True),
        ReasonBranch("Planned stop", ("Cleaning",), category_word=True))


def test_a_group_is_a_short_name() -> None:
    problems: list[str] = []
    groups = read_stop_groups([{"reason": "Filler jam", "category": "unplanned", "group": " Filler "},
                               {"reason": "Power cut", "category": "unplanned", "group": "x" * 61},
                               {"reason": "Dust", "category": "unplanned", "group": 7},
                               {"reason": "Cleaning", "category": "planned"}], problems)
    assert groups == {"Filler jam": "Filler"}
    assert problems == ["stop_reasons[1].group: a name of 1–60 characters, like 'Filler'",
                        "stop_reasons[2].group: a name of 1–60 characters, like 'Filler'"]


def test_the_plant_file_reads_its_groups_and_names_a_bad_one() -> None:
    raw = yaml.safe_load(SMALL_PLANT)
    raw["stop_reasons"] = [{"reason": "Filler jam", "category": "unplanned", "group": "Filler"}]
    assert parse_plant(raw).stop_groups == {"Filler jam": "Filler"}
    raw["stop_reasons"][0]["group"] = ""
    with pytest.raises(ConfigError, match=r"stop_reasons\[0\]\.group"):
        parse_plant(raw)
