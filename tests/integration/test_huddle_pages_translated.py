"""No English left in huddle mode, the handover panel and form, and the huddle records page (the pseudo-language
check of tests/integration/test_pages_translated.py, on the demo plant with a handover written and a huddle closed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.huddle_mode import huddle_view
from huddle.dashboard.web.address import BoardAddress
from huddle.pages import handover, huddle_mode, huddles

from tests.integration.test_pages_translated import plants_own_words, pseudo, untranslated

__all__ = ["pseudo"]  # the fixture, used by name
LEADER = Identity("user", "tina", "editor", "Tina Leader")


def test_huddle_mode_and_the_huddle_pages_have_no_word_outside_the_catalogue(demo_services: Any,
                                                                           pseudo: None) -> None:
    config, now = demo_services.config, demo_services.clock()
    line = next(iter(config.lines))
    written = demo_services.handovers.write(LEADER, line, note="Filler slow", open_problems="Jams",
                                            machines=[{"machine": "Filler", "state": "down", "note": "motor"}],
                                            safety="Wet floor")
    record = demo_services.huddles.close(LEADER, line, started_at=now - timedelta(minutes=10),
                                         attendees=["Tina Leader"], notes="Motor ordered")
    own = [*plants_own_words(demo_services), *(t.name for t in config.tiers if t.name), "Filler slow", "Jams",
           "Filler", "motor", "Wet floor", "Tina Leader", "Tina", "Motor ordered"]
    shown: list[Any] = [huddle_mode.huddle_controls(), handover.lead_panel(), handover.handover_form(False),
                        huddles.layout(), handover.render_handovers([written], True)]
    for scope in (line, next(iter(config.areas)), "plant"):
        target, period = BoardAddress.from_query({"scope": scope}).resolve(config, now)
        view = huddle_view(demo_services, target, period)
        own += [e[k] for s in view["segments"] if s["kind"] == "escalations"
                for e in (*s["received"], *s["waiting"], *s["answers"]) for k in ("sentence", "answer", "owner")]
        shown += [huddle_mode.render_agenda(view), huddle_mode.huddle_title(view),
                  huddle_mode.people_options(view["people"])]
    shown += [huddle_mode.recorded_message(record, "/huddles"), list(huddle_mode.timer_words().values()),
              huddles.render_records([record], config.tz), huddles.render_records([], config.tz),
              huddles.summary(1, "Tue 1 Dec", record.scope_name), huddles.summary(2, "Tue 1 Dec", record.scope_name),
              huddles.huddle_counts(demo_services.huddles.counts(*_month(now)), "Dec 2026")]
    own += [a["what"] for a in record.actions] + [a["owner"] for a in record.actions]
    left = untranslated(shown, sorted(set(own), key=len, reverse=True))
    assert not left, f"{len(left)} texts of huddle mode bypass the catalogue:\n" + "\n".join(sorted(set(left))[:60])


def _month(now: Any) -> tuple[Any, Any]:
    month = parse_period("month", now.strftime("%Y-%m"))
    return month.first, month.last
