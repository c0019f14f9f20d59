"""A long story is read sentence by sentence when the whole is unclear (issue 14, finding 5:
one unclear sentence sent a whole story to "please rephrase"). Real models."""

from bot.router import parts_of

STORY = ("Bon dia, mi tin un pregunta... sorry, ik schrijf het in het nederlands. "
         "Ik heb schulden en ik kan de huur van deze maand niet betalen")


def test_a_story_is_cut_into_sentences_and_long_runs_into_stretches():
    assert parts_of(STORY) == ["Bon dia, mi tin un pregunta", "sorry, ik schrijf het in het nederlands",
                               "Ik heb schulden en ik kan de huur van deze maand niet betalen"]
    run_on = " ".join(["woord"] * 30)
    assert all(len(part.split()) <= 12 for part in parts_of(run_on)) and len(parts_of(run_on)) >= 3


def test_the_clearest_sentence_decides(bot, event_loop_session):
    unclear = {"intent": {"name": "nlu_fallback", "confidence": 0.15}, "entities": []}
    read = event_loop_session.run_until_complete(bot.router._reread_in_parts(dict(unclear), STORY, "nl"))
    assert read["intent"]["name"] == "problem_money" and read["read_in_parts"]


def test_nothing_clear_stays_unclear(bot, event_loop_session):
    unclear = {"intent": {"name": "nlu_fallback", "confidence": 0.15}, "entities": []}
    noise = "qwerty asdf zxcv. lorem ipsum dolor sit. blabla bloe bli"
    read = event_loop_session.run_until_complete(bot.router._reread_in_parts(dict(unclear), noise, "nl"))
    assert read["intent"]["name"] == "nlu_fallback"


def test_two_problems_at_once_are_answered_not_asked_again(say):
    """Issue 14, finding 4: rent arrears and a letter from the housing corporation got
    "Sorry, dat begreep ik niet goed." (two problems nearly equally likely)."""
    turn = say("ik heb huurachterstand en krijg een brief van de woningcorporatie", sender="two-problems")
    assert turn.intent.startswith("problem_") and "utter_offer_person" in turn.actions
