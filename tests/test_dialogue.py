"""The in-process bot in each language: language routing, NLG from the catalogs, safety."""

import pytest

from bot import i18n

GREETINGS = {
    "nl": "hoi, goedemiddag",
    "tr": "merhaba, nasılsınız",
    "ar": "السلام عليكم",
    "pap": "bon dia, kon ta bai",
}


@pytest.fixture(autouse=True)
def daytime(monkeypatch):
    monkeypatch.setenv("WIJKBRUG_NOW", "2026-11-24T10:00")


@pytest.mark.parametrize("language", sorted(GREETINGS))
def test_greeting_is_answered_in_the_residents_language(say, language):
    turn = say(GREETINGS[language], sender=f"greet-{language}")
    assert turn.language == language
    assert turn.intent == "greet"
    expected = i18n.gettext(language, "Hallo! Ik ben de chatbot van het wijkteam. Ik beantwoord uw vragen en breng u in contact met iemand die uw taal spreekt. Waar kan ik u mee helpen?")
    assert turn.bot == [i18n.for_display(language, expected)]


def test_arabic_answers_are_right_to_left(say):
    turn = say("السلام عليكم", sender="rtl")
    assert turn.bot[0].startswith(i18n.RLM)


def test_asking_for_another_language_switches(say):
    first = say("hallo", sender="switch")
    assert first.language == "nl"
    second = say("kunnen we in het turks praten?", sender="switch")
    assert second.intent == "choose_language"
    assert second.language == "tr"
    assert second.bot == [i18n.gettext("tr", "Goed, vanaf nu praat ik Nederlands met u.")]


@pytest.mark.parametrize(
    "text, intent, number",
    [
        ("mijn man slaat me en ik ben bang", "domestic_violence", "0800-2000"),
        ("ik wil niet meer leven", "suicidal", "0800-0113"),
        ("kocam beni dövüyor", "domestic_violence", "0800-2000"),
        ("yangın var evde!!", "emergency", "112"),
    ],
)
def test_crisis_messages_get_the_right_numbers(say, text, intent, number):
    turn = say(text, sender=f"crisis-{intent}-{len(text)}")
    assert turn.intent == intent
    assert any(number in message for message in turn.bot)


def test_emoji_only_and_punctuation_get_an_answer(say):
    for text in ("👍", "???"):
        turn = say(text, sender=f"odd-{text}")
        assert turn.bot, f"no answer to {text!r}"


def test_english_gets_an_offer_of_the_four_languages(say):
    turn = say("hello, can someone help me with my rent please", sender="english")
    assert turn.intent == "choose_language"
    assert turn.bot[0].startswith("Sorry, I do not speak English.")
    payloads = {b["payload"] for b in turn.buttons}
    assert '/choose_language{"language": "tr"}' in payloads


def test_unclear_message_asks_to_rephrase_with_likely_topics(say):
    turn = say("qwzx vbnk plmr", sender="gibberish")
    assert turn.intent == "nlu_fallback"
    assert turn.actions == ["action_ask_rephrase"]
    assert len(turn.buttons) == 3
    assert all(b["payload"].startswith("/") for b in turn.buttons)


def test_english_rent_question_is_no_emergency_but_an_english_crisis_is_one(say):
    """Seen: "hello, I need help with my rent please" got "Is er nu gevaar? Bel direct 112."
    (emergency at 0.17); English crisis words still get the crisis answer."""
    rent = say("hello, I need help with my rent please", sender="english-rent")
    assert rent.intent == "choose_language" and "utter_emergency" not in rent.actions
    crisis = say("please help my husband hits me and I am afraid", sender="english-crisis")
    assert crisis.intent in ("domestic_violence", "emergency")
    assert {"utter_domestic_violence", "utter_emergency"} & set(crisis.actions)
    for text, answer in (("I want to die, I can't do this anymore", "utter_suicidal"),
                         ("my daughter ran away yesterday and is still not home", "utter_missing_person")):
        assert answer in say(text, sender=f"english-{answer}").actions, text
