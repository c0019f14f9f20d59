"""The language identifier on hard cases: short, mixed, without diacritics, Arabizi."""

import pytest

from bot.langid import LanguageIdentifier


@pytest.fixture(scope="module")
def identify(model_paths):
    identifier = LanguageIdentifier.load(model_paths["langid"])
    return lambda text: identifier.identify(text).language


@pytest.mark.parametrize(
    "text, language",
    [
        # Turkish without diacritics, and with Dutch words mixed in
        ("cocugum icin yardim istiyorum", "tr"),
        ("belediyeden mektup geldi anlamadim", "tr"),
        ("huur ödeyemiyorum, schulden çok", "tr"),
        # Arabic script (Darija, MSA) and Latin-script Arabizi
        ("بغيت نهضر مع شي واحد", "ar"),
        ("أحتاج مساعدة في دفع الإيجار", "ar"),
        ("salam 3likom bghit nhder m3a chi wa7ed", "ar"),
        ("3ndi mochkil m3a lhuur dyali", "ar"),
        # Papiamento, Curaçao and Aruban spelling
        ("mi ke papia ku un hende di wijkteam", "pap"),
        ("mi kier papia cu un persona di wijkteam", "pap"),
        ("mi no tin sèn pa kumpra kuminda", "pap"),
        # Dutch, also as a second language
        ("ik heb probleem met huis en schulden", "nl"),
        ("hoi, goedemiddag", "nl"),
        ("wanneer belt iemand mij terug", "nl"),
        # English: offered a switch, not one of the four
        ("can someone help me with my rent please", "en"),
    ],
)
def test_hard_cases(identify, text, language):
    assert identify(text) == language


def test_messages_without_words_have_no_language(model_paths):
    identifier = LanguageIdentifier.load(model_paths["langid"])
    assert identifier.identify("👍") is None
    assert identifier.identify("...") is None
