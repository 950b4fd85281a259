"""A reason written down in English is said again in the language in effect (dashboard/core/sentence.py)."""

from __future__ import annotations

import pickle

from huddle.dashboard.core.i18n import use_language
from huddle.dashboard.core.sentence import Sentence, joined, payload, reason_of, say, translated
from huddle.data.ingest.contract import parse_number
from huddle.data.ingest.numbers import read_number


def test_a_sentence_is_its_english_text_and_keeps_its_message() -> None:
    said = Sentence("unknown shift (known: {known})", known="E, L")
    assert said == "unknown shift (known: E, L)" and isinstance(said, str)
    assert said.msgid == "unknown shift (known: {known})" and said.values == {"known": "E, L"}
    again = pickle.loads(pickle.dumps(said))
    assert again == said and isinstance(again, Sentence) and again.values == {"known": "E, L"}


def test_a_stored_reason_is_said_in_the_language_in_effect() -> None:
    stored = payload(Sentence("unknown shift (known: {known})", known="E, L"))
    with use_language("de"):
        assert say(stored, "unknown shift (known: E, L)") == "unbekannte Schicht (bekannt: E, L)"
    with use_language("es"):
        assert say(stored, "unknown shift (known: E, L)") == "turno desconocido (conocidos: E, L)"
    with use_language("en"):
        assert say(stored, "x") == "unknown shift (known: E, L)"


def test_a_reason_without_its_message_stays_as_stored() -> None:
    with use_language("de"):
        assert say("", "not a number") == "not a number"  # stored before reasons kept their message
        assert say("{not json", "not a number") == "not a number"
        assert say('{"msgid": "{gone}", "values": {}}', "not a number") == "not a number"
        assert payload("a plain text") == "" and translated("a plain text") == "a plain text"


def test_a_reason_inside_a_reason_is_translated_too() -> None:
    try:
        read_number("1.026,5", ",", "")
    except ValueError as exc:
        reason = reason_of(exc)
    assert reason == ("1.026,5 has a dot, which this source does not write in numbers (the source's decimal: \",\", "
                      "thousands: none): set thousands: \".\" if it separates thousands, or decimal: \".\" if it is "
                      "the decimal mark")
    with use_language("de"):
        german = translated(reason)
    assert german.startswith("1.026,5 hat ein(en) Punkt, den diese Quelle in Zahlen nicht schreibt (bei der Quelle "
                             "decimal: \",\", thousands: keines)")


def test_the_contract_raises_its_reasons_as_sentences() -> None:
    try:
        parse_number("-3", decimal_comma=False, whole=True)
    except ValueError as exc:
        assert isinstance(reason_of(exc), Sentence) and str(exc) == "must not be negative"
    assert joined([]) == "" and joined(["a"]) == "a"
    with use_language("es"):
        assert translated(joined(["'x'", Sentence("not a number")])) == "'x', no es un número"
