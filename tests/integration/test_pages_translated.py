"""No English left on a translated page: every word a page shows goes through the catalogue (docs/languages.md).

The pages are drawn from the demo plant in a pseudo-language whose every translation is the English in brackets
(``⟦Open actions⟧``); numbers and dates are written as English writes them. Whatever is left of a page's text once
the bracketed words, the plant's own words (its site, lines, KPIs, shifts, stop reasons, holidays, the people and
actions entered), day and month names, units and numbers are taken out is text that bypassed the catalogue: the
test names it. tests/unit/test_catalogues.py then holds that each bracketed string has its German and Spanish.

Pages covered: the board (both modes, a line and the plant, and its layout with the action forms), the overview
(every grain), the monthly review (page body, pickers and export links), the KPI tree, the Data page (with the
demo's loaders, and a small plant's quarantine with refused rows, its dismissals and their refusals), the OKR page
(the demo's quarter: summary, meeting, cascade, check-in rows, histories, closing, pickers and messages) and the
not-found page. What the loaders stored as they read (a row's reason, a file's note, a run's message) is shown as
stored and counted among the plant's own words.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from babel import Locale
from dash import dcc
from huddle.dashboard.core import i18n
from huddle.dashboard.core.format import BUILT_IN_UNITS, unit_for
from huddle.dashboard.core.names import due_words
from huddle.dashboard.web.address import BoardAddress

from tests.unit.test_renderers import drawn

PSEUDO = "qps"
BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")  # the innermost: translations nest (a phrase inside a sentence)
WORD = re.compile(r"[A-Za-z]{2,}")
TEXT_PROPS = ("title", "placeholder", "label", "alt", "aria-label")


class Pseudo(gettext.NullTranslations):
    """Every string translated to itself in brackets, so an unbracketed English word was never translated."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"⟦{msgid1 if n == 1 else msgid2}⟧"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟦{message}⟧"


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Speak the pseudo-language for the test."""
    real_translations, real_languages = i18n.translations, i18n.languages
    monkeypatch.setattr(i18n, "translations", lambda lang: Pseudo() if lang == PSEUDO else real_translations(lang))
    monkeypatch.setattr(i18n, "languages", lambda: (*real_languages(), PSEUDO))
    with i18n.use_language(PSEUDO):
        yield


def texts(node: Any) -> Iterator[str]:
    """Every text a component tree shows: its strings, titles, placeholders and options' labels."""
    if node is None or isinstance(node, bool | int | float):
        return
    if isinstance(node, str):
        yield node
        return
    if isinstance(node, list | tuple):
        for child in node:
            yield from texts(child)
        return
    if isinstance(node, dcc.Markdown) and getattr(node, "dangerously_allow_html", False):
        yield from texts(drawn(node))  # content sent as one element of HTML: its elements' texts
        return
    props = node.to_plotly_json()["props"] if hasattr(node, "to_plotly_json") else {}
    for name in TEXT_PROPS:
        if isinstance(props.get(name), str):
            yield props[name]
    for option in props.get("options") or []:
        if isinstance(option, dict):
            yield from texts(option.get("label"))
    yield from texts(props.get("children"))


def plants_own_words(services: Any) -> list[str]:
    """What the plant wrote itself (file and entries): shown as written, in any language."""
    config = services.config
    words = [config.site_name, config.site_key, config.company, config.currency]
    words += [a.name for a in config.areas.values()] + [ln.name for ln in config.lines.values()]
    words += [d.name for d in config.kpis.values()] + [d.owner for d in config.kpis.values()]
    words += [unit_for(n, d.unit) for d in config.kpis.values() if d.unit not in BUILT_IN_UNITS for n in (1, 2)]
    words += [s.name for s in config.calendar.shifts] + [s.key for s in config.calendar.shifts]
    words += list(config.stop_reasons) + list(config.defect_types) + list(config.kpis) + list(config.lines)
    words += [p.name for p in config.plant_calendar.planned] + [d.data_source for d in config.kpis.values()]
    for action in services.actions.listing("plant"):
        words += [action.what, action.owner, action.result or ""]
    english = Locale.parse("en")
    for kind in ("format", "stand-alone"):
        for width in ("abbreviated", "wide"):
            words += list(english.months[kind][width].values()) + list(english.days[kind][width].values())
    return sorted({w for w in words if w}, key=len, reverse=True)


def untranslated(shown: Any, own: list[str]) -> list[str]:
    """The texts of ``shown`` with English outside the catalogue's brackets and the plant's own words."""
    left = []
    for text in texts(shown):
        rest = text
        while BRACKETED.search(rest):
            rest = BRACKETED.sub(" ", rest)
        for word in own:
            rest = rest.replace(word, " ")
        if WORD.search(rest):
            left.append(text)
    return left


def test_the_board_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.dashboard.services.board import board_view
    from huddle.pages import board

    own = plants_own_words(demo_services)
    config, now = demo_services.config, demo_services.clock()
    shown: list[Any] = [board.layout(), board.layout(kiosk="1", timer="15")]
    for query in ({}, {"live": "1"}, {"scope": next(iter(config.lines))}, {"scope": next(iter(config.areas))}):
        scope, period = BoardAddress.from_query(query).resolve(config, now)
        view = board_view(demo_services, scope, period)
        own += [x["equipment"] for x in view["losses"] if x["equipment"]] + [x["reason"] for x in view["losses"]]
        shown.append(board.render_board(view))
    shown.append(board.action_options(demo_services.actions.listing("plant")))
    shown.append(board.board_problem("⟦a problem⟧"))
    shown.append(board.playlist_cue(board.scope_title(config, "⟦nowhere⟧"), 30, 1))
    today = now.date()  # an action's due date as the actions table says it: overdue, today, tomorrow
    shown += [due_words(today + timedelta(days=n), today) for n in (-2, -1, 0, 1)]
    left = untranslated(shown, sorted(set(own), key=len, reverse=True))
    assert not left, f"{len(left)} texts on the board bypass the catalogue:\n" + "\n".join(sorted(set(left))[:60])


def test_the_overview_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.callbacks.overview import overview as overview_parts
    from huddle.pages import overview

    shown: list[Any] = [overview.layout(), overview.no_shift_yet()]
    shown += [overview_parts(demo_services, {"grain": grain}) for grain in overview.GRAIN_TITLES]
    shown += [overview_parts(demo_services, {"layer": layer}) for layer in ("2", "3,5", "9")]  # the filter's words
    left = untranslated(shown, plants_own_words(demo_services))
    assert not left, "\n".join(left)


def test_the_monthly_review_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.dashboard.core.periods import period_containing
    from huddle.dashboard.services.review import build_review, last_full_month
    from huddle.pages import review

    config = demo_services.config
    month = last_full_month(config, demo_services.clock())
    current = period_containing("month", demo_services.clock().astimezone(config.tz).date())
    own = plants_own_words(demo_services)
    shown: list[Any] = [review.layout(), review.export_links("plant", month), review.month_options(current),
                        review.review_problem("⟦a problem⟧")]
    for scope, when in (("plant", month), (next(iter(config.lines)), month), ("plant", current)):
        built = build_review(demo_services, scope, when)
        own += [p.label for p in (*built.stops.pareto, *built.defects.pareto)] + [a.what for a in built.actions]
        own += [a.owner for a in built.actions] + [a.result or "" for a in built.actions]
        shown.append(review.render_review(built, config))
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts on the review bypass the catalogue:\n" + "\n".join(sorted(set(left))[:60])


def test_the_kpi_tree_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.dashboard.services.drilldown import node_detail, try_goal_seek, try_what_if
    from huddle.dashboard.services.tree import build_tree_view
    from huddle.dashboard.web.address import TreeAddress
    from huddle.pages import tree as page
    from huddle.pages import tree_graph as graph

    config, now = demo_services.config, demo_services.clock()
    own = plants_own_words(demo_services) + [t.name for t in config.trees.values()]
    shown: list[Any] = [page.layout(), page.control_options(config), page.tree_problem("⟦a problem⟧")]
    for query in ({}, {"scope": next(iter(config.lines)), "grain": "shift"}, {"tree": list(config.trees)[-1]},
                  {"grain": "month"}):
        tree_key, scope, period = TreeAddress.from_query(query).resolve(config, now)
        view = build_tree_view(demo_services.readings, tree_key, scope, period)
        everything = build_tree_view(demo_services.readings, tree_key, scope, period, set(view.tree.nodes()))
        shown += [graph.render_elements(view, config, view.tree.root), page.render_summary(view, config),
                  page.render_findings(view, config), graph.render_outline(everything, config, None)]
        for key in everything.tree.nodes():
            d = node_detail(demo_services, tree_key, key, scope, period, records=20)
            parent = config.kpis.get(d.formula_parent or "")
            own += [a.asset for a in [*d.by_asset, *d.pms]]  # the plant's equipment, as its stop log and CMMS name it
            shown += [page.render_panel(d, config, tree_key), page.trend_figure(d)["layout"]["title"]["text"],
                      [t["name"] for t in page.trend_figure(d)["data"]], page.what_if_fields(d, parent)[1:3],
                      page.render_node_actions(d, config)]
            if d.events is not None:
                own += [p.label for p in d.events.pareto] + [r.detail for r in d.events.records]
                own += [r.line for r in d.events.records]
                fields = page.event_fields(d.events, config)
                shown += [fields[1], fields[3]]  # the title and the Pareto's table
                shown.append(page.records_table(d.events, config))
            if parent is not None:
                steps = try_what_if(demo_services, tree_key, d.values, key, (d.values.get(key) or 1) * 1.1, d.targets)
                shown.append(page.what_if_words(steps, config.kpis))
                result = try_goal_seek(demo_services, tree_key, d.values, key, 1e9)
                shown.append(page.goal_words(result, config.kpis[key], d.values.get(key)))
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts on the tree bypass the catalogue:\n" + "\n".join(sorted(set(left))[:80])


def test_the_not_found_page_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.pages import not_found

    assert untranslated(not_found.layout(), plants_own_words(demo_services)) == []


def loaders_own_words(services: Any, status: dict[str, Any]) -> list[str]:
    """The sources' keys and places, file names, and the loaders' notes on a run or a file: stored as the loaders
    wrote them, in English (docs/languages.md says what translating them would take)."""
    from huddle.data.queries import files_read

    words = list(services.config.sources) + [str(s["where"]) for s in status["sources"]]
    words += [f["file"] for f in status["files"]] + [r["message"] for r in status["runs"] if r["status"] != "idle"]
    with services.sessions() as session:
        words += [f.note for f in files_read.recent_files(session, 50) if f.note]
    return words


def test_the_data_page_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.callbacks.data import dismiss, run_now, save_manual
    from huddle.pages import data

    status = demo_services.data_status.report()
    own = plants_own_words(demo_services) + loaders_own_words(demo_services, status)
    shown: list[Any] = [data.layout(), data.render_status(status)]
    shown.append(data.health_strip(demo_services.data_status.unhealthy("⟦a problem⟧")))
    shown.append(run_now(demo_services, 1, "nowhere", None))
    shown.append(dismiss(demo_services, 1, [], "", None)[0])
    shown.append(save_manual(demo_services, 1, None, None, None, None, None, None))
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts on the Data page bypass the catalogue:\n" + "\n".join(sorted(set(left))[:80])


def test_the_quarantine_has_no_word_outside_the_catalogue(make_services: Any, database_url: str, inbox: Any,
                                                          tmp_path: Any, pseudo: None) -> None:
    from huddle.dashboard.services.quarantine import QuarantineError
    from huddle.pages import data

    from tests.integration.test_quarantine import load_refused

    services = load_refused(make_services, database_url, inbox, tmp_path)
    problems = services.quarantine.problems("open")
    own = [*plants_own_words(services), "Anna Weber"]
    own += [w for p in problems for w in (p.file_name, p.column, p.value, p.reason)]  # as the loader stored them
    shown: list[Any] = []
    for ids, reason in (([1], ""), ([1], "x" * 600), ([], "⟦why⟧"), ([10**9], "⟦why⟧")):  # the refusals
        with pytest.raises(QuarantineError) as refused:
            services.quarantine.dismiss("Anna Weber", ids, reason)
        shown.append(str(refused.value))
    done = services.quarantine.dismiss("Anna Weber", [problems[0].id], "⟦sent twice⟧")
    again = services.quarantine.dismiss("Anna Weber", [problems[0].id], "⟦sent twice⟧")
    shown += [p.where for p in done.dismissed] + [why for _p, why in again.skipped]
    status = services.data_status.report()
    own += loaders_own_words(services, status)
    shown += [data.render_status(status), [p["label"] for p in status["problems"]]]
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts of the quarantine bypass the catalogue:\n" + "\n".join(sorted(set(left)))


def test_the_okr_page_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.dashboard.core.periods import period_containing
    from huddle.dashboard.demo import demo_okrs
    from huddle.dashboard.services.review import candidate_kpis
    from huddle.pages import okr, okr_options

    config = demo_services.config
    demo_okrs(demo_services)
    view = demo_services.okrs.quarter()
    assert view.key_results, "the demo plans OKRs for this quarter: the page must show them"
    month = period_containing("month", view.today.replace(day=1) - timedelta(days=1))
    candidates = candidate_kpis(demo_services, "plant", month)
    own = [*plants_own_words(demo_services), config.company]
    for o in view.objectives:
        own += [o.title, o.owner, o.scope_name] + [w for k in o.key_results for w in (k.title, k.owner, k.unit)]
        own += [unit_for(n, k.unit) for k in o.key_results for n in (1, 2)]  # a unit planned with the key result
        own += [w for k in o.key_results for v in k.versions for w in (v.moved, v.blocks, v.author)]
    own += list(view.people.values())
    shown: list[Any] = [okr.layout(), okr.render_summary(view, config), okr.render_meeting(view),
                        okr.render_objectives(view), okr.checkin_rows(view, editable=True),
                        okr.checkin_rows(view, editable=False), okr_options.week_options(view),
                        okr.render_closing(view, config, candidates, True, "plant"),
                        okr.render_closing_scores(view, config), okr_options.scope_choices(config),
                        okr_options.kpi_options(config), okr_options.history_options(view),
                        okr_options.objective_options(view), okr_options.quarter_options(demo_services.okrs.quarters()),
                        okr.checkin_exports(view.quarter.label),
                        okr.okr_problem("⟦a problem⟧"), okr.drafted(next(iter(config.kpis.values())).name, "2027-Q1"),
                        okr.pick_a_key_result()]
    for kr in view.key_results:
        figure = okr.history_figure(kr)
        shown += [okr.render_history(kr, config, view.people), [t.name for t in figure.data],
                  [a.text for a in figure.layout.annotations], figure.layout.yaxis.title.text,
                  figure.layout.yaxis2.title.text]
        if kr.versions:
            shown.append(okr.checkin_saved(kr.versions[0], config.tz))
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts on the OKR page bypass the catalogue:\n" + "\n".join(sorted(set(left))[:80])


def test_the_kpi_stack_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.callbacks import stack as wiring
    from huddle.dashboard.services.kpi_stack import stack_view
    from huddle.pages import components
    from huddle.pages import stack as page

    config = demo_services.config
    own = plants_own_words(demo_services) + [t.name for t in config.trees.values()]
    own += [w for layer in config.layers for w in (layer.name, layer.forum)]  # the plant file names its layers
    shown: list[Any] = [page.layout(), components.layer_options(config),
                        components.layer_chip(config, (2, 4), "/stack"),
                        page.stack_problem("⟦a problem⟧"), wiring.controls(demo_services, {"layer": "9"})[2]]
    for scope, layers in (("plant", ()), (next(iter(config.lines)), (2,)), (next(iter(config.areas)), (1, 5))):
        view = stack_view(demo_services, scope, layers)
        own += [k.owner for stack in view.layers for k in stack.kpis]
        shown += [page.render_stack(view, config), page.period_line(view, config), page.render_focus(view.findings)]
    shown.append(page.render_focus(()))
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts on the KPI stack bypass the catalogue:\n" + "\n".join(sorted(set(left))[:60])
