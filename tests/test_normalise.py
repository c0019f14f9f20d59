"""Text normalisation, per language (bot/normalise.py)."""

import pytest

from bot import normalise


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("İSTANBUL", "tr", "istanbul"),  # not "i̇stanbul" with a combining dot
        ("IŞIK", "tr", "ışık"),  # dotless ı in Turkish
        ("IK", "nl", "ik"),  # but a Dutch I is an i
        ("İyi akşamlar", None, "iyi akşamlar"),
    ],
)
def test_lower_is_turkish_aware(text, language, expected):
    assert normalise.lower(text, language) == expected


def test_turkish_with_and_without_diacritics_meet():
    written = normalise.normalise("Şikayet etmek istiyorum, çocuğum için", "tr")
    plain = normalise.normalise("sikayet etmek istiyorum cocugum icin", "tr")
    assert written == plain == "sikayet etmek istiyorum cocugum icin"


@pytest.mark.parametrize(
    "written, plain",
    [
        ("أريد مُساعدة", "اريد مساعده"),  # hamza on alef, damma, ta marbuta
        ("إلى المستشفى", "الي المستشفي"),  # alef maqsura
        ("شكـــــرا", "شكرا"),  # tatweel
        ("شكراااااا", "شكرا"),  # stretched letters
        ("مسؤول", "مسوول"),  # hamza on waw
        ("٣٥٣١", "3531"),  # Arabic-Indic digits
    ],
)
def test_arabic_spelling_variants_meet(written, plain):
    assert normalise.normalise(written, "ar") == plain


def test_arabizi_keeps_its_digits():
    assert normalise.normalise("Salam 3likom, bghit n3ref!!", "ar") == "salam 3likom bghit n3ref"


def test_papiamento_accents_fold():
    assert normalise.normalise("Mi ke sèn, òf yudansa", "pap") == "mi ke sen of yudansa"


def test_stretched_latin_letters_keep_two():
    # Dutch needs its double vowels: "heel" must stay "heel", "heeeeeel" becomes it.
    assert normalise.normalise("heeeeeel goeeeed", "nl") == "heel goeed"
    assert normalise.normalise("heel goed", "nl") == "heel goed"


def test_emoji_become_words_and_punctuation_goes():
    assert normalise.normalise("👍🏽!!", None) == "emoji_thumbs_up_sign"
    assert normalise.normalise("...?!", None) == ""


def test_nfkc_folds_compatibility_forms():
    assert normalise.normalise("ｈｏｉ ﬁets", "nl") == "hoi fiets"


def test_token_offsets_point_into_the_original_text():
    text = "Mijn postcode is 3531 AB, wollah!"
    words = normalise.tokens(text, "nl")
    assert [w.text for w in words] == ["mijn", "postcode", "is", "3531", "ab", "wollah"]
    assert [text[w.start : w.end] for w in words] == [
        "Mijn", "postcode", "is", "3531", "AB", "wollah"
    ]
    arabic = "أريد مُساعدة"
    spans = [arabic[w.start : w.end] for w in normalise.tokens(arabic, "ar")]
    assert spans == ["أريد", "مُساعدة"]
