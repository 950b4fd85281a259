"""Focus checks across the KPI catalogue: what the method advises a plant to fix so its KPIs stay few, connected
and owned.

Each rule is a warning, never a refusal: KPIs in no tree (orphans), layers of the KPI stack with fewer than 5 or
more than 10 KPIs, tree leaves measured less often than daily, owners who are not users of Huddle, and trees above
15 KPIs or outside 2–4 branches (``plant_checks.tree_shape``, the tree page's own check). Every finding names
things as people do (KPI, tree and layer names, never keys) and says what to do about it. Plain Python over the
plant configuration and the list of users' names, which the caller reads and passes in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from huddle.dashboard.core.i18n import N_, _, ngettext
from huddle.dashboard.core.plant import FREQUENCIES, FREQUENCY_WORDS, PlantConfig
from huddle.dashboard.core.plant_checks import tree_shape

LAYER_KPIS = range(5, 11)  # a plant chooses 5–10 KPIs per layer
DAILY_S = FREQUENCIES["day"]
#: each rule's heading, in the order findings are listed
RULES = {"orphan": N_("KPIs in no tree"), "layer_size": N_("Layers with too few or too many KPIs"),
         "leaf_frequency": N_("Leaves measured less often than daily"), "owner": N_("Owners who are not users"),
         "tree_shape": N_("Trees too big or with too few or too many branches")}


@dataclass(frozen=True)
class FocusFinding:
    """One focus finding: its rule, whom or what it concerns (in words), what is wrong and what to do about it;
    ``kpis`` holds the keys of the KPIs concerned, for links (never shown)."""

    rule: str
    subject: str
    problem: str
    advice: str
    kpis: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem} — {self.advice}"


def focus_findings(config: PlantConfig, users: Iterable[str] | None = None) -> list[FocusFinding]:
    """Every focus finding of a plant, rule by rule; ``users`` are the names of the people who have an account
    (display names and user names), or None when they are not known (the owner rule is then left out)."""
    out = orphans(config) + layer_sizes(config) + slow_leaves(config)
    if users is not None:
        out += unknown_owners(config, users)
    return out + tree_shapes(config)


def orphans(config: PlantConfig) -> list[FocusFinding]:
    """KPIs in no tree: nothing says which root they move."""
    if not config.trees:
        return []
    in_trees = {k for t in config.trees.values() for k in t.nodes()}
    return [FocusFinding("orphan", k.name, _("in no KPI tree: nothing says which result it moves"),
                         _("connect it under the KPI it drives in a tree, or take it off the catalogue"), (k.key,))
            for k in config.kpis.values() if k.key not in in_trees]


def layer_sizes(config: PlantConfig) -> list[FocusFinding]:
    """Layers of the stack with 1–4 KPIs or more than 10 (a layer without KPIs is a layer the plant does not use)."""
    out = []
    for layer in config.layers:
        keys = tuple(k.key for k in config.kpis.values() if k.layer == layer.number)
        if not keys or len(keys) in LAYER_KPIS:
            continue
        count = ngettext("{n} KPI", "{n} KPIs", len(keys)).format(n=len(keys))
        if len(keys) < LAYER_KPIS.start:
            out.append(FocusFinding("layer_size", layer.heading, _("{count}: a layer needs 5 to 10").format(
                count=count), _("add the KPIs its forum ({forum}) steers by, or move these to another layer").format(
                forum=layer.forum_words), keys))
        else:
            out.append(FocusFinding("layer_size", layer.heading, _(
                "{count}: more than the 10 one forum can follow").format(count=count), _(
                "keep the 5 to 10 its forum ({forum}) acts on; move the others to the layer that moves them, or drop "
                "them").format(forum=layer.forum_words), keys))
    return out


def slow_leaves(config: PlantConfig) -> list[FocusFinding]:
    """Tree leaves measured less often than daily: frontline teams move leaves every day."""
    out = []
    for tree in config.trees.values():
        for key in tree.nodes():
            kpi = config.kpis.get(key)
            if kpi is None or tree.children(key) or kpi.frequency_s <= DAILY_S:
                continue
            out.append(FocusFinding("leaf_frequency", kpi.name, _(
                "a leaf of the {tree} measured {often}: a leaf is what teams move every day").format(
                tree=tree.name, often=_(FREQUENCY_WORDS[kpi.frequency])),
                _("measure it at least daily, or put a daily driver of it under it in the tree"), (key,)))
    return out


def unknown_owners(config: PlantConfig, users: Iterable[str]) -> list[FocusFinding]:
    """Owners the plant file names who have no account: nobody by that name signs in to answer for the KPI."""
    known = {u.strip().casefold() for u in users if u}
    owned: dict[str, list[str]] = {}
    for k in config.kpis.values():
        if k.owner and k.owner.strip().casefold() not in known:
            owned.setdefault(k.owner.strip(), []).append(k.key)
    return [FocusFinding("owner", owner, _("owns {kpis} but has no account in Huddle").format(
        kpis=", ".join(config.kpis[k].name for k in keys)),
        _("add them as a user with this name, or name an owner who has an account"), tuple(keys))
        for owner, keys in sorted(owned.items())]


def tree_shapes(config: PlantConfig) -> list[FocusFinding]:
    """Trees above 15 KPIs or with fewer than 2 or more than 4 branches under the root."""
    out = []
    for tree in config.trees.values():
        too_many, branches = tree_shape(tree)
        root = config.kpis[tree.root].name if tree.root in config.kpis else tree.root
        if too_many:
            out.append(FocusFinding("tree_shape", tree.name, _(
                "{n} KPIs: a tree people can use has at most 12–15").format(n=len(tree.nodes())),
                _("split it into a tree per constraint, or drop the KPIs nobody acts on"), tuple(tree.nodes())))
        if branches is not None:
            said = ngettext("{n} branch under its root {root}: 2–4 is the rule",
                            "{n} branches under its root {root}: 2–4 is the rule", branches)
            advice = (_("add the other drivers of {root} beside it, or make the single branch the root")
                      if branches < 2 else _("group the branches under 2 to 4 drivers of {root}"))
            said, advice = said.format(n=branches, root=root), advice.format(root=root)
            out.append(FocusFinding("tree_shape", tree.name, said, advice, (tree.root,)))
    return out


def by_rule(found: list[FocusFinding]) -> list[tuple[str, list[FocusFinding]]]:
    """Findings grouped under their rule's heading (translated), in the rules' order, rules without findings left
    out."""
    return [(_(heading), [f for f in found if f.rule == rule]) for rule, heading in RULES.items()
            if any(f.rule == rule for f in found)]
