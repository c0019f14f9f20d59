"""Text normalisation used identically when training and when parsing.

Residents write with and without diacritics, in Arabic with or without short vowels and
hamza, stretch words ("heeeelp", "شكراااا") and use emoji. The NLU models see one spelling
for all of these. Offsets are kept per token (see `tokens`) so entities still point into
the text the resident wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Arabic: short vowels, shadda, sukun, dagger alef; tatweel (kashida) stretches words.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_ARABIC_LETTER_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian/Urdu ya, common on some keyboards
        "ک": "ك",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "،": ",",
        "؟": "?",
    }
)
# Letters that keep no combining mark to strip: fold them explicitly.
_LATIN_FOLD = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l"})

_REPEAT = re.compile(r"(\w)\1{2,}")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# A word (letters, digits as in Arabizi "3likom", inner apostrophes as in "m'n") or one
# pictographic character.
_WORD_CHAR = r"[\w\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]"
_TOKEN = re.compile(rf"{_WORD_CHAR}+(?:['’]{_WORD_CHAR}+)*|[^\w\s]")


def lower(text: str, language: str | None = None) -> str:
    """Lowercases; in Turkish dotted İ becomes i and dotless I becomes ı (not i̇ and i)."""
    if language == "tr":
        text = text.replace("İ", "i").replace("I", "ı")
    # str.lower() turns İ into i + combining dot in any language: avoid that everywhere.
    return text.replace("İ", "i").lower()


def normalise_arabic(text: str) -> str:
    """Removes diacritics and tatweel, unifies alef, ya, ta marbuta and hamza carriers."""
    text = _ARABIC_MARKS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_ARABIC_LETTER_MAP)


def fold_diacritics(text: str) -> str:
    """şikayet -> sikayet, sèn -> sen, çocuğum -> cocugum; Arabic letters are kept."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LATIN_FOLD))
    kept = [
        c
        for c in decomposed
        if not (unicodedata.combining(c) and not "\u0600" <= c <= "\u06ff")
    ]
    return unicodedata.normalize("NFC", "".join(kept))


def collapse_repeats(text: str) -> str:
    """heeeeelp -> heelp (Dutch needs double letters), شكراااا -> شكرا."""

    def shorten(match: re.Match[str]) -> str:
        letter = match.group(1)
        return letter if _ARABIC_LETTER.match(letter) else letter * 2

    return _REPEAT.sub(shorten, text)


def is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So"


def emoji_word(char: str) -> str:
    """👍 -> emoji_thumbs_up_sign: a language-neutral token the models can learn."""
    name = unicodedata.name(char, "symbol").lower()
    return "emoji_" + re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def normalise_word(word: str, language: str | None = None, fold: bool = True) -> str:
    """Normalises one word or emoji as the NLU models see it."""
    if len(word) == 1 and is_emoji(word):
        return emoji_word(word)
    word = normalise_arabic(lower(unicodedata.normalize("NFKC", word), language))
    if fold:
        word = fold_diacritics(word)
    return collapse_repeats(word)


@dataclass(frozen=True)
class Word:
    text: str  # normalised
    start: int  # offsets in the original text
    end: int


def tokens(text: str, language: str | None = None, fold: bool = True) -> list[Word]:
    """Splits into words and emoji, normalised, with offsets into the original text.

    Punctuation is dropped; skin-tone modifiers and variation selectors are not symbols of
    their own (category Sk/Mn), so "👍🏽" is one emoji.
    """
    words = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if len(raw) == 1 and not raw.isalnum() and not is_emoji(raw):
            continue  # punctuation
        normalised = normalise_word(raw, language, fold)
        if normalised:
            words.append(Word(normalised, match.start(), match.end()))
    return words


def normalise(text: str, language: str | None = None, fold: bool = True) -> str:
    """The whole message as one normalised string of words (for the language identifier)."""
    return " ".join(word.text for word in tokens(text, language, fold))
