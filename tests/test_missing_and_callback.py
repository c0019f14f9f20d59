"""Two things residents ask that had no answer (issue 14, findings 2 and 6): someone is
missing ("mijn zoon van 15 is weggelopen" got a parenting course and "morgen om 09:00"), and
"can someone call me tonight? I work during the day" (it got the office's opening hours)."""

import pytest

from bot import i18n
from bot.content_review import domain_responses

DUTCH = domain_responses()
MISSING = {
    "nl": "mijn zoon van 15 is weggelopen en we weten niet waar hij is",
    "tr": "15 yaşındaki oğlum dün akşamdan beri eve gelmedi, nerede olduğunu bilmiyoruz",
    "ar": "ولدي عندو 15 عام ما رجعش للدار من البارح وما عرفناش فين هو",
    "pap": "mi yu di 15 aña a hui for di kas i nos no sa unda e ta",
}
CALLBACK = {
    "nl": "kan iemand mij vanavond bellen? overdag moet ik werken",
    "tr": "bu akşam biri beni arayabilir mi? gündüz çalışıyorum",
    "ar": "واش ممكن شي واحد يعيط ليا هاد الليلة؟ فالنهار كنخدم",
    "pap": "por un hende yama mi awe anochi? durante di dia mi ta traha",
}


@pytest.fixture(autouse=True)
def late_evening(monkeypatch):
    monkeypatch.setenv("WIJKBRUG_NOW", "2026-11-24T23:35")


@pytest.mark.parametrize("language", sorted(MISSING))
def test_a_missing_child_gets_112_at_once(say, language):
    turn = say(MISSING[language], sender=f"missing-{language}")
    assert turn.intent == "missing_person"
    assert turn.actions[:2] == ["utter_missing_person", "utter_offer_person"]
    shown = turn.bot[0]
    assert shown == i18n.for_display(language, i18n.gettext(language, DUTCH["utter_missing_person"]))
    assert "112" in shown and "0900-8844" in shown


@pytest.mark.parametrize("language", sorted(CALLBACK))
def test_call_me_tonight_starts_the_handoff_with_a_call_tonight(say, bot, event_loop_session, language):
    sender = f"callback-{language}"
    turn = say(CALLBACK[language], sender=sender)
    assert turn.intent == "request_callback"
    assert turn.actions[:2] == ["action_start_callback", "handoff_form"]
    tracker = event_loop_session.run_until_complete(bot.agent.tracker_store.retrieve(sender))
    assert tracker.get_slot("handoff_channel") == "phone"
    assert tracker.get_slot("handoff_window") == "tonight"
    assert tracker.get_slot("requested_slot") == "handoff_topic"  # the form asks what it is about


def test_a_number_in_the_callback_request_is_kept(say, bot, event_loop_session):
    say("bel me morgenavond terug op 06 12345678 aub", sender="callback-number")
    tracker = event_loop_session.run_until_complete(bot.agent.tracker_store.retrieve("callback-number"))
    assert tracker.get_slot("handoff_phone") == "06 12345678"
    assert tracker.get_slot("handoff_window") == "tomorrow_evening"
