"""No English left on the Admin page, and refusals in the plant's language (docs/languages.md).

The Admin page (users, sign-ins, display screens, monitor tokens, the plant calendar, the audit trail and the
version line) is drawn for an admin in the pseudo-language of ``test_pages_translated`` (every translation is the
English in brackets), and every message its forms answer with (added, changed, revoked, refused) is collected the
same way: whatever English is left outside the brackets, once the plant's and the people's own words (names,
addresses, tokens) are taken out, bypassed the catalogue. A refusal of a role and the refusal of a save someone else
made first are then read in German and Spanish.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import flask
import pytest
from huddle.dashboard.core.i18n import use_language
from huddle.dashboard.services.accounts import AccountConflictError, ForbiddenError, Identity
from huddle.dashboard.services.actions import ActionConflictError
from huddle.dashboard.web import ids

from tests.integration.test_pages_translated import plants_own_words, pseudo, untranslated  # noqa: F401

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
ADMIN = Identity("user", "boss", "admin", "Berta Boss")


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Identity]]:
    """The Admin callbacks called as Berta Boss (an admin) inside a request; ``caller["who"]`` swaps the caller."""
    from huddle.callbacks import admin

    caller = {"who": ADMIN}
    monkeypatch.setattr(admin, "current_identity", lambda: caller["who"])
    monkeypatch.setattr(admin, "current_session_token", lambda: "")
    with flask.Flask(__name__).test_request_context("/admin"):
        yield caller


def _people(services: Any) -> list[str]:
    """Berta Boss, Ed Editor and Vic Viewer, a display and a monitor; Ed signed in from a Firefox. The people's own
    words, with the demo's admin, who raised its actions ("Admin", by login: no user of that name here)."""
    services.accounts.add_user("cli", "boss", "boss-password-1", "admin", "Berta Boss")
    services.accounts.add_user("cli", "ed", "editor-password-1", "editor", "Ed Editor")
    services.accounts.add_user("cli", "vic", "viewer-password-1", "viewer", "Vic Viewer")
    services.accounts.login("nobody", "wrong-password-1", "10.0.0.9")  # a refused sign-in, in the audit trail
    services.accounts.login("ed", "editor-password-1", "10.0.0.7", BROWSER)
    services.accounts.add_display("boss", "Hall TV", "/?kiosk=1")
    return ["Admin", "boss", "ed", "vic", "nobody", "Berta Boss", "Ed Editor", "Vic Viewer", "Hall TV", "Firefox",
            "Windows", "10.0.0.9", "10.0.0.7", "/?kiosk=1", "Huddle", "Boss", "Ed", "Vic", "Nobody"]


def _okrs_own_words(services: Any) -> list[str]:
    """The quarter's objectives and key results as people planned them (titles, owners, units), and every action's
    text (the closed ones' too)."""
    words = [w for a in services.actions.listing("plant", open_only=False) for w in (a.what, a.owner, a.result)]
    for o in services.okrs.quarter().objectives:
        words += [o.title, o.owner] + [w for k in o.key_results for w in (k.title, k.owner, k.unit)]
    return words


def _causes_typed(details: Any) -> list[str]:
    """What people typed into an action's 5-why or A3 (the audit keeps it as typed), wherever it sits in details."""
    if isinstance(details, dict):
        found = []
        for key, value in details.items():
            if key == "cause" and isinstance(value, str) and value.startswith("{"):
                cause = json.loads(value)
                found += [w for k, v in cause.items() if k != "method" for w in ([v] if isinstance(v, str) else v)]
            else:
                found += _causes_typed(value)
        return found
    return []


def _first(answer: Any) -> Any:
    """A callback's message (its first output); a new link's or token's message without the link."""
    message = answer[0] if isinstance(answer, tuple) else answer
    return message[0] if isinstance(message, list) else message


def test_the_admin_page_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None,  # noqa: F811
                                                           as_admin: dict[str, Identity],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from huddle.callbacks import admin as calls
    from huddle.callbacks.admin_calendar import save_last_recordable, show_calendar
    from huddle.callbacks.admin_monitors import add_monitor, revoke_monitor, show_monitors
    from huddle.dashboard.demo import demo_actions, demo_okrs
    from huddle.dashboard.services.monitors import Monitors
    from huddle.pages import admin

    services, accounts = demo_services, demo_services.accounts
    demo_actions(services)  # the audit trail then names actions raised and changed, objectives and key results
    demo_okrs(services)
    own = plants_own_words(services) + _people(services) + ["prometheus", "Prometheus"] + _okrs_own_words(services)
    monitors = Monitors(accounts)
    today = services.clock().astimezone(services.config.tz).date()
    line = next(iter(services.config.lines))
    shown: list[Any] = [admin.layout(), admin.admins_only()]
    answers = [
        calls.add_user(accounts, 1, "newbie", "New Bie", "editor", "newbie-password-1", "newbie-password-1"),
        calls.add_user(accounts, 1, "shorty", "", "viewer", "short", "short"),
        calls.add_user(accounts, 1, "other", "", "viewer", "other-password-1", "other-password-2"),
        calls.add_user(accounts, 1, "ed", "", "viewer", "ed-password-123", "ed-password-123"),
        calls.add_user(accounts, 1, "two words", "", "viewer", "two-password-123", "two-password-123"),
        calls.set_role(accounts, 1, "vic", "editor", {"vic": {"role": "viewer"}}),
        calls.set_role(accounts, 1, "vic", "admin", {"vic": {"role": "viewer"}}),  # a conflict: vic is an editor now
        calls.set_role(accounts, 1, None, "admin"),
        calls.set_password(accounts, 1, "vic", "Sunshine2024!", "Sunshine2024!"),
        calls.set_password(accounts, 1, "vic", "vic-new-password-1", "vic-new-password-1"),
        calls.add_display(services, accounts, 1, "Line TV", "/?kiosk=1"),
        calls.add_display(services, accounts, 1, "Line TV", "/?kiosk=1"),
        calls.add_display(services, accounts, 1, "Far TV", "https://elsewhere"),
        calls.revoke_display(accounts, 1, "Line TV"),
        calls.revoke_display(accounts, 1, None),
        calls.revoke_session(accounts, 1, accounts.signed_in()[0].short_id),
        calls.revoke_session(accounts, 1, "abc"),
        add_monitor(monitors, 1, "prometheus"),
        add_monitor(monitors, 1, "prometheus"),
        revoke_monitor(monitors, 1, "prometheus"),
        revoke_monitor(monitors, 1, None),
        save_last_recordable(services, 1, line, (today - timedelta(days=30)).isoformat()),
        save_last_recordable(services, 1, "plant", None),
        save_last_recordable(services, 1, line, (today + timedelta(days=3)).isoformat()),
    ]
    for trigger in (ids.ADMIN_DISABLE_BUTTON, ids.ADMIN_ENABLE_BUTTON):
        monkeypatch.setattr(calls, "ctx", SimpleNamespace(triggered_id=trigger))
        seen = {"vic": {"disabled": trigger == ids.ADMIN_ENABLE_BUTTON}}
        answers.append(calls.set_disabled(accounts, 1, 1, "vic", seen))
    answers.append(calls.set_disabled(accounts, 1, 1, "vic", {"vic": {"disabled": True}}))  # a conflict
    monkeypatch.setattr(calls, "ctx", SimpleNamespace(triggered_id=ids.ADMIN_DISABLE_BUTTON))
    answers.append(calls.set_disabled(accounts, 1, 1, "boss", None))  # the last active admin
    as_admin["who"] = Identity("user", "vic", "viewer", "Vic Viewer")
    answers += [calls.add_user(accounts, 1, "x", "", "viewer", "x-password-1234", "x-password-1234"),
                calls.show_users(services, 1, None)]
    as_admin["who"] = Identity("display", "Hall TV", "display")
    answers.append(add_monitor(monitors, 1, "sneaky"))
    as_admin["who"] = ADMIN
    refusals = [_first(a) for a in answers]
    assert all("⟦" in str(r) for r in refusals), refusals  # every answer came through the catalogue
    shown += refusals
    shown += [calls.show_users(services, 1, None), calls.show_displays(services, 1, None),
              calls.show_sessions(services, accounts, 1, None), calls.show_about(services, 1, None),
              calls.show_audit(services, 1, None), show_monitors(services, monitors, 1, None),
              show_calendar(services, 1, None)]
    own += [s.short_id for s in accounts.signed_in(live_only=False)] + ["New Bie", "Line TV", "Far TV", "sneaky"]
    for entry in accounts.audit_trail():  # the plant file's path, digests and summary, stored as Huddle read it
        if entry.action == "config.change":
            own += [entry.target] + [str(v) for v in json.loads(entry.details).values() if v]
        own += _causes_typed(json.loads(entry.details or "{}"))
    left = untranslated(shown, sorted({w for w in own if w}, key=len, reverse=True))
    assert not left, f"{len(left)} texts on the Admin page bypass the catalogue:\n" + "\n".join(sorted(set(left)))


def test_a_refusal_and_a_conflict_read_in_the_plants_language(make_services: Any, database_url: str) -> None:
    services = make_services(database_url)
    accounts = services.accounts
    accounts.add_user("cli", "boss", "boss-password-1", "admin", "Berta Boss")
    accounts.add_user("cli", "vic", "viewer-password-1", "viewer", "Vic Viewer")
    viewer = Identity("user", "vic", "viewer", "Vic Viewer")
    with use_language("de"), pytest.raises(ForbiddenError) as refused:
        services.actions.raise_action(viewer, next(iter(services.config.lines)), "Fix it", "Vic",
                                      services.actions.today())
    assert str(refused.value) == ("das Anlegen einer Maßnahme erfordert die Rolle Bearbeiter; diese Anfrage kommt "
                                  "von Vic Viewer (Leser)")
    assert refused.value.english == ("raising an action needs the editor role; this request comes from Vic Viewer "
                                     "(viewer)")  # the log's copy
    accounts.set_role("boss", "vic", "editor", seen="viewer")
    with use_language("de"), pytest.raises(AccountConflictError) as conflict:
        accounts.set_role("boss", "vic", "admin", seen="viewer")
    assert str(conflict.value) == (
        "Berta Boss hat das Konto von Vic Viewer um 21:00 geändert — so ist es jetzt gespeichert: Rolle Bearbeiter; "
        "Status aktiv. Nichts wurde überschrieben, und Ihre Eingabe steht noch im Formular: Sehen Sie sich die "
        "gespeicherte Fassung an, dann drücken Sie die Schaltfläche erneut, um Ihre darüberzuschreiben.")
    boss = Identity("user", "boss", "admin", "Berta Boss")
    action = services.actions.raise_action(boss, next(iter(services.config.lines)), "Fix the guide rail", "Vic",
                                           services.actions.today())
    services.actions.change(boss, action.id, action.version, status="in_progress")
    with use_language("es"), pytest.raises(ActionConflictError) as conflict:
        services.actions.change(boss, action.id, action.version, status="done")
    assert str(conflict.value).startswith("Berta Boss cambió esta acción a las 21:00 — así está guardado ahora: qué "
                                          "“Fix the guide rail”; responsable Vic; vence ")
    assert "; estado en curso; resultado (ninguno). No se sobrescribió nada" in str(conflict.value)
    with use_language("es"), pytest.raises(ForbiddenError) as refused:
        Identity("display", "Hall TV", "display").require("admin", "the audit trail")
    assert str(refused.value) == ("el registro de auditoría requiere el rol administrador; esta solicitud viene de "
                                  "una pantalla de pared")
