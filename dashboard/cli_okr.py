"""``huddle okr import FILE.yaml``: a quarter's objectives and key results from a YAML file (the shape is in
``core.okr_file``), checked as the OKR page's form checks them and stored all together or not at all: a refused file
stores nothing and each problem is printed with its objective, key result and field (exit 1). A maintain key result
(target equal to start) is imported with a warning naming it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


def okr_arguments(parser: argparse.ArgumentParser) -> None:
    """The okr command's actions and options."""
    parser.add_argument("action", choices=["import"])
    parser.add_argument("file", help="the YAML file of a quarter's objectives and key results")
    parser.add_argument("--by", help="who plans them, as the audit trail names them (default: the command line "
                        "and your login)")


def cmd_okr(services: Services, args: argparse.Namespace, who: str) -> int:
    """Import the file's OKRs with the services, which it disposes of; the exit code."""
    from huddle.dashboard.core.okr_file import plan_warnings, read_okr_plan
    from huddle.dashboard.core.okr_scoring import OkrError
    from huddle.dashboard.services.accounts import Identity

    try:
        try:
            document = yaml.safe_load(Path(args.file).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            print(f"error: {args.file}: cannot be read as YAML ({' '.join(str(exc).split())})\nokr: failed")
            return 1
        plan, problems = read_okr_plan(document)
        if plan is not None:
            try:
                saved = services.okr_plans.save_plan(Identity("user", args.by or who, "admin"), plan)
            except OkrError as exc:
                problems = [str(exc)]
        if problems or plan is None:
            for problem in problems:
                print(f"error: {args.file}: {problem}")
            print("okr: failed — nothing imported")
            return 1
        for warning in plan_warnings(plan):  # stored all the same: a maintain key result holds or slips
            print(f"warning: {args.file}: {warning}")
        view = services.okrs.quarter(plan.quarter)
        for objective in view.objectives:
            if objective.id in saved:
                print(f"{objective.scope_name}: {objective.title} ({objective.owner})")
                for k in objective.key_results:
                    print(f"  {k.title}: {k.rule} ({k.owner})")
        krs = sum(len(ids) for ids in saved.values())
        print(f"okr: imported {len(saved)} objectives with {krs} key results into {view.quarter.label}")
        return 0
    finally:
        services.dispose()
