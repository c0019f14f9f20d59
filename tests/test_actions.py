"""Custom actions with a real rasa_sdk Tracker and CollectingDispatcher (no bot, no models)."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionAskHandoffConsent,
    ActionCancelHandoff,
    ActionCancelRequest,
    ActionHandoffStatus,
    ActionSubmitHandoff,
    ValidateHandoffForm,
)
from actions.repair import ActionAskRephrase
from actions.wijkteam import (
    ActionFindWijkteam,
    ActionOpeningHours,
    ValidatePostcodeForm,
    hours_until,
    next_opening,
)
from bot import clock, i18n

DOMAIN = {"slots": {}, "responses": {}, "forms": {}}


def user_event(text, intent, entities=()):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}, "entities": list(entities)},
    }


def tracker(text="", intent=None, entities=(), slots=None, events=None, ranking=None):
    latest = {
        "text": text,
        "intent": {"name": intent},
        "entities": list(entities),
        "intent_ranking": ranking or [],
    }
    events = list(events or []) + [user_event(text, intent, entities)]
    return Tracker("resident-1", slots or {}, latest, events, False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher, events


def validate(method, value, t):
    dispatcher = CollectingDispatcher()
    return method(value, dispatcher, t, DOMAIN), dispatcher.messages


# --- postcode ---------------------------------------------------------------------------

def test_postcode_is_normalised():
    result, messages = validate(ValidatePostcodeForm().validate_postcode, "3531ab", tracker("3531ab"))
    assert result == {"postcode": "3531 AB"}
    assert messages == []


def test_not_a_postcode_is_explained_and_asked_again():
    result, messages = validate(ValidatePostcodeForm().validate_postcode, "utrecht", tracker("utrecht"))
    assert result == {"postcode": None}
    assert messages[0]["response"] == "utter_postcode_invalid"


# --- handoff form -----------------------------------------------------------------------

FORM = ValidateHandoffForm()


def test_topic_in_the_residents_own_words_is_kept():
    text = "ik  krijg brieven van {de} belasting"
    result, _ = validate(FORM.validate_handoff_topic, text, tracker(text, "problem_paperwork"))
    assert result == {"handoff_topic": "ik krijg brieven van (de) belasting"}


@pytest.mark.parametrize("text, intent", [("ja", "affirm"), ("ok", "affirm"), ("a", "greet")])
def test_a_bare_yes_or_a_letter_is_not_a_topic(text, intent):
    result, messages = validate(FORM.validate_handoff_topic, text, tracker(text, intent))
    assert result == {"handoff_topic": None}
    assert messages[0]["response"] == "utter_handoff_topic_too_short"


def test_preference_from_button_and_from_typed_words():
    t = tracker("/request_volunteer", "request_volunteer", slots={"requested_slot": "handoff_preference"})
    assert validate(FORM.validate_handoff_preference, "volunteer", t)[0] == {"handoff_preference": "volunteer"}
    t = tracker("gönüllü olsun", "affirm", slots={"requested_slot": "handoff_preference", "language": "tr"})
    assert validate(FORM.validate_handoff_preference, "gönüllü olsun", t)[0] == {"handoff_preference": "volunteer"}


def test_preference_does_not_change_while_another_question_is_answered():
    earlier = [{"event": "slot", "name": "handoff_preference", "value": "volunteer"}]
    t = tracker("bel mij", "request_professional", events=earlier, slots={"requested_slot": "handoff_channel"})
    result, _ = validate(FORM.validate_handoff_preference, "professional", t)
    assert result == {"handoff_preference": "volunteer"}


@pytest.mark.parametrize(
    "text, language, entities, window",
    [
        ('/inform{"handoff_window": "weekend"}', "nl", [{"entity": "handoff_window", "value": "weekend"}], "weekend"),
        ("vanavond graag", "nl", [], "tonight"),
        ("yarın akşam", "tr", [], "tomorrow_evening"),
        ("دابا", "ar", [], "now"),
        ("awe anochi", "pap", [], "tonight"),
        ("geen idee", "nl", [], None),
    ],
)
def test_window_from_button_or_typed_in_each_language(text, language, entities, window):
    t = tracker(text, "inform", entities, slots={"language": language})
    assert validate(FORM.validate_handoff_window, text, t)[0] == {"handoff_window": window}


def test_channel_typed_in_arabic():
    t = tracker("اتصلوا بي", "request_professional", slots={"language": "ar"})
    assert validate(FORM.validate_handoff_channel, "اتصلوا بي", t)[0] == {"handoff_channel": "phone"}


def test_phone_number_is_checked_and_written_the_dutch_way():
    ok, _ = validate(FORM.validate_handoff_phone, "+31612345678", tracker("+31612345678"))
    assert ok == {"handoff_phone": "06 12345678"}
    bad, messages = validate(FORM.validate_handoff_phone, "12345", tracker("12345"))
    assert bad == {"handoff_phone": None}
    assert messages[0]["response"] == "utter_handoff_phone_invalid"


@pytest.mark.parametrize("intent, consent", [("affirm", True), ("deny", False)])
def test_consent_is_a_clear_yes_or_no(intent, consent):
    assert validate(FORM.validate_handoff_consent, "x", tracker("x", intent))[0] == {"handoff_consent": consent}


def test_unclear_consent_is_asked_again():
    result, messages = validate(FORM.validate_handoff_consent, "misschien", tracker("misschien", "nlu_fallback"))
    assert result == {"handoff_consent": None}
    assert messages[0]["response"] == "utter_handoff_consent_unclear"


def test_phone_number_is_asked_only_for_a_call():
    slots = ["handoff_topic", "handoff_channel", "handoff_phone", "handoff_consent"]
    chat = tracker(slots={"handoff_channel": "chat"})
    phone = tracker(slots={"handoff_channel": "phone"})
    assert "handoff_phone" not in asyncio.run(FORM.required_slots(slots, CollectingDispatcher(), chat, DOMAIN))
    assert "handoff_phone" in asyncio.run(FORM.required_slots(slots, CollectingDispatcher(), phone, DOMAIN))


def test_consent_question_shows_exactly_what_is_shared_in_the_residents_language():
    slots = {
        "language": "tr",
        "handoff_topic": "kira borcum var",
        "handoff_window": "tonight",
        "handoff_channel": "phone",
        "handoff_phone": "06 12345678",
        "postcode": "3072 AB",
    }
    dispatcher, _ = run(ActionAskHandoffConsent(), tracker(slots=slots))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_handoff_consent"
    assert message["topic"] == "kira borcum var"
    assert message["language_name"] == "Türkçe"
    assert message["window_name"] == i18n.gettext("tr", "Vanavond") != "Vanavond"
    assert message["contact"].endswith("06 12345678")
    assert message["postcode"] == "3072 AB"


FORM_ANSWERS = {
    "language": "tr", "handoff_topic": "kira borcum var", "postcode": "3072 AB", "topic": "money",
    "handoff_preference": "volunteer", "handoff_window": "tonight", "handoff_channel": "chat",
    "handoff_consent": True,
}


@pytest.fixture
def directory_env(demo_directory, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_directory)
    monkeypatch.setenv("WIJKBRUG_NOW", "2026-11-27T21:30")  # a Friday evening
    return demo_directory


def test_consent_creates_a_referral_and_names_the_person(directory_env):
    dispatcher, events = run(ActionSubmitHandoff(), tracker(slots=FORM_ANSWERS))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_handoff_offered"
    assert message["name"] == "Emre"  # speaks Turkish, serves Feijenoord, free on Friday evening
    assert "Feijenoord" in message["organisation"]
    assert SlotSet("handoff_topic", None) in events
    assert SlotSet("handoff_phone", None) in events


def test_status_and_cancel_follow_the_referral(directory_env):
    status = ActionHandoffStatus()
    dispatcher, _ = run(status, tracker(slots={"language": "tr"}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_open_request", "utter_offer_person"]
    run(ActionSubmitHandoff(), tracker(slots=FORM_ANSWERS))
    dispatcher, _ = run(status, tracker(slots={"language": "tr"}))
    assert dispatcher.messages[0]["response"] == "utter_handoff_status_offered"
    assert dispatcher.messages[0]["name"] == "Emre"
    dispatcher, _ = run(ActionCancelRequest(), tracker("iptal", "cancel_request"))
    assert dispatcher.messages[0]["response"] == "utter_request_cancelled"
    dispatcher, _ = run(ActionCancelRequest(), tracker("iptal", "cancel_request"))
    assert dispatcher.messages[0]["response"] == "utter_no_open_request"


def test_find_wijkteam_names_the_team_and_says_it_is_closed_now(directory_env):
    dispatcher, _ = run(ActionFindWijkteam(), tracker(slots={"postcode": "3526 KL", "language": "nl"}))
    found, closed = dispatcher.messages
    assert found["response"] == "utter_wijkteam_found"
    assert found["team"].startswith("Buurtteam Zuidwest")
    assert closed["response"] == "utter_wijkteam_closed_now"
    assert closed["when"] == "maandag 30 november om 09:00"


def test_unknown_postcode_never_gets_a_wrong_team(directory_env):
    dispatcher, _ = run(ActionFindWijkteam(), tracker(slots={"postcode": "1012 AB", "language": "nl"}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_wijkteam_for_postcode"]


def test_submit_without_consent_passes_nothing_on():
    dispatcher, events = run(ActionSubmitHandoff(), tracker(slots={"handoff_consent": False}))
    assert dispatcher.messages[0]["response"] == "utter_handoff_cancelled"
    assert SlotSet("handoff_topic", None) in events


def test_stop_drops_every_answer():
    dispatcher, events = run(ActionCancelHandoff(), tracker("stop", "cancel_request"))
    assert dispatcher.messages[0]["response"] == "utter_handoff_cancelled"
    assert {e["name"] for e in events} >= {"handoff_topic", "handoff_phone", "handoff_consent", "requested_slot"}


# --- repair -----------------------------------------------------------------------------

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.25},
    {"name": "greet", "confidence": 0.2},
    {"name": "cost", "confidence": 0.18},
    {"name": "problem_money", "confidence": 0.1},
]


def test_first_failure_offers_the_likely_topics_translated():
    t = tracker("para ne kadar", "nlu_fallback", slots={"language": "tr"}, ranking=RANKING)
    dispatcher, _ = run(ActionAskRephrase(), t)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_rephrase_topics"
    assert [b["payload"] for b in message["buttons"]] == ["/cost", "/problem_money", "/what_is_wijkteam"]
    assert message["buttons"][0]["title"] == i18n.gettext("tr", "Wat kost het?") != "Wat kost het?"


def test_second_failure_in_a_row_offers_a_person():
    earlier = [user_event("xx", "nlu_fallback")]
    t = tracker("yy", "nlu_fallback", events=earlier, ranking=RANKING)
    dispatcher, _ = run(ActionAskRephrase(), t)
    assert dispatcher.messages[0]["response"] == "utter_ask_rephrase_person"


def test_a_failure_after_an_understood_message_starts_again_with_topics():
    earlier = [user_event("xx", "nlu_fallback"), user_event("wat kost het", "cost")]
    dispatcher, _ = run(ActionAskRephrase(), tracker("yy", "nlu_fallback", events=earlier, ranking=RANKING))
    assert dispatcher.messages[0]["response"] == "utter_ask_rephrase_topics"


# --- opening hours ----------------------------------------------------------------------

def test_opening_hours_on_friday_evening_in_arabic(monkeypatch):
    monkeypatch.setenv("WIJKBRUG_NOW", "2026-11-27T21:30")
    dispatcher, _ = run(ActionOpeningHours(), tracker(slots={"language": "ar"}))
    closed = dispatcher.messages[0]
    assert closed["response"] == "utter_opening_hours_closed"
    assert closed["day"] == i18n.format_day(clock.parse_iso("2026-11-30T09:00"), "ar")
    assert closed["opens_in"] == i18n.ngettext("over {n} uur", "over {n} uur", 60, "ar")
    assert "60" in closed["opens_in"]
    assert dispatcher.messages[1]["response"] == "utter_opening_hours_evening"


def test_opening_hours_during_office_hours(monkeypatch):
    monkeypatch.setenv("WIJKBRUG_NOW", "2026-11-24T10:00")
    dispatcher, _ = run(ActionOpeningHours(), tracker(slots={"language": "nl"}))
    assert dispatcher.messages[0]["response"] == "utter_opening_hours_open"
    assert dispatcher.messages[0]["closes"] == "17:00"


def test_next_opening_across_the_spring_dst_change():
    saturday = clock.parse_iso("2027-03-27T21:00")  # clocks go forward on Sunday 28 March
    monday = next_opening(saturday)
    assert (monday.day, monday.hour, monday.minute) == (29, 9, 0)
    assert monday.utcoffset().total_seconds() == 7200
    assert hours_until(saturday, monday) == 35  # 36 on the wall clock, one hour less


def test_before_nine_on_a_weekday_opens_the_same_day():
    early = clock.parse_iso("2026-11-24T07:15")
    assert next_opening(early) == clock.parse_iso("2026-11-24T09:00")
    assert hours_until(early, next_opening(early)) == 2


def on_channel(t, channel):
    t.events[-1]["input_channel"] = channel
    return t


@pytest.mark.parametrize("bot_username, buttons, chat_becomes", [
    ("wijkbrug_bot", ['/inform{"handoff_channel": "phone"}', '/inform{"handoff_channel": "telegram"}'], "telegram"),
    ("", ['/inform{"handoff_channel": "phone"}'], None),
])
def test_web_chat_offers_a_call_or_telegram_never_this_chat(monkeypatch, bot_username, buttons, chat_becomes):
    from actions.handoff import ActionAskHandoffChannel

    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", bot_username)
    web = on_channel(tracker(slots={"language": "ar"}), "rest")
    dispatcher, _events = run(ActionAskHandoffChannel(), web)
    [asked] = dispatcher.messages
    assert asked["response"] == "utter_ask_handoff_channel_web"
    extra = [b["payload"] for b in asked["buttons"]]
    assert ['/inform{"handoff_channel": "phone"}', *extra] == buttons  # the phone button is in the response
    if extra:
        assert asked["buttons"][0]["title"] == i18n.gettext("ar", "Chatten via Telegram")
    typed_chat = on_channel(tracker("chat", "inform", slots={"language": "nl"}), "rest")
    assert validate(FORM.validate_handoff_channel, "chat", typed_chat)[0] == {"handoff_channel": chat_becomes}
    on_telegram = on_channel(tracker("chat", "inform", slots={"language": "nl"}), "telegram")
    assert validate(FORM.validate_handoff_channel, "chat", on_telegram)[0] == {"handoff_channel": "chat"}
    dispatcher, _events = run(ActionAskHandoffChannel(), on_channel(tracker(), "telegram"))
    assert dispatcher.messages[0]["response"] == "utter_ask_handoff_channel"
