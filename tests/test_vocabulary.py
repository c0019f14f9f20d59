"""Messages made only of words no training example contains go to "please rephrase"."""

from pathlib import Path

import pytest

from bot.vocabulary import all_words_unknown, guard, training_vocabulary

NLU = Path(__file__).resolve().parent.parent / "nlu"


@pytest.mark.parametrize("language, text, unknown", [
    ("nl", "qwzx vbnk plmr", True),
    ("nl", "ik krijg steeds aanmaningen", False),
    ("nl", "hoiii!!", False),  # stretched letters are normalised first
    ("tr", "KİRA borcum var", False),
    ("ar", "سبلقف ثقفغ", True),
    ("ar", "السلام عليكم", False),
    ("pap", "qwzx vbnk", True),
    ("pap", "bon dia", False),
    ("nl", "👍", False),  # emoji alone is not gibberish
    ("nl", "/affirm", False),  # button payloads are not text
])
def test_unknown_words_only(language, text, unknown):
    assert all_words_unknown(text, language, training_vocabulary(NLU / language, language)) is unknown


def test_guard_keeps_the_confidence_and_changes_only_the_intent():
    parsed = {"intent": {"name": "thank", "confidence": 0.36}, "entities": []}
    vocabulary = training_vocabulary(NLU / "nl", "nl")
    assert guard(dict(parsed), "qwzx vbnk", "nl", vocabulary)["intent"] == {"name": "nlu_fallback", "confidence": 0.36}
    assert guard(dict(parsed), "dank je wel", "nl", vocabulary)["intent"]["name"] == "thank"
