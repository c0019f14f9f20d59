"""Choosing the conversation's language (bot/router.py), without models."""

from bot.langid import Guess
from bot.router import choose_language, requested_language


def test_first_message_takes_the_guess():
    assert choose_language(Guess("tr", 0.6, 4), None, None) == "tr"


def test_short_unsure_message_keeps_the_conversation_language():
    # "ok", "si", "evet": the identifier is rarely sure about two letters
    assert choose_language(Guess("nl", 0.7, 1), "pap", None) == "pap"


def test_short_but_sure_message_switches():
    assert choose_language(Guess("ar", 0.97, 1), "nl", None) == "ar"


def test_longer_message_switches_when_fairly_sure():
    assert choose_language(Guess("tr", 0.6, 5), "nl", None) == "tr"
    assert choose_language(Guess("tr", 0.4, 5), "nl", None) == "nl"


def test_explicit_choice_wins():
    assert choose_language(Guess("tr", 0.99, 5), "nl", "pap") == "pap"


def test_english_and_emoji_keep_the_language():
    assert choose_language(Guess("en", 0.99, 5), "ar", None) == "ar"
    assert choose_language(None, "tr", None) == "tr"
    assert choose_language(None, None, None) == "nl"


def test_requested_language_only_for_choose_language():
    entities = [{"entity": "language", "value": "tr"}]
    assert requested_language({"intent": {"name": "choose_language"}, "entities": entities}) == "tr"
    assert requested_language({"intent": {"name": "language_support"}, "entities": entities}) is None
    assert requested_language({"intent": {"name": "choose_language"}, "entities": []}) is None
