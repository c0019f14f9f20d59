"""Routes each message to the NLU model of its language (Rasa's `http_interpreter` hook).

Rasa's MessageProcessor calls `await router.parse(message)` instead of its own NLU. We pick
the language (explicit choice > a sure identification > the conversation's language so
far), parse with that language's model and return Rasa parse data with two additions:
`language` (also as an entity, which fills the `language` slot) and `language_guess`.
While a form question is open, the message is first read as its answer (bot.form_answers).
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Dict, FrozenSet

from rasa.core.channels.channel import UserMessage

from bot import LANGUAGES, SOURCE_LANGUAGE, answers, crisis, form_answers, vocabulary
from bot.langid import LanguageIdentifier
from bot.normalise import normalise

LANGUAGE_ENTITY = "language"
# Short messages ("ok", "evet", "si", "👍") are ambiguous: they keep the current language
# unless the identifier is very sure.
STICKY_BELOW_WORDS = 3
SURE_SHORT = 0.90
SURE_LONG = 0.55

SAFETY_INTENTS = crisis.CRISIS_INTENTS
# Below this a model's crisis reading of an English message, or of one part of a long story,
# is a guess: it does not decide.
SURE_CRISIS = 0.5

# The way out of every question: a message that is only one of these words always means
# cancel_request in the conversation's language, whatever the NLU makes of one word.
# Per language, because "para" is "stop" in Papiamento but "money" in Turkish.
_STOP = {
    "nl": ("stop", "stoppen", "annuleer", "annuleren", "ophouden"),
    "tr": ("stop", "dur", "iptal", "vazgeç", "bitir"),
    "ar": ("stop", "توقف", "وقف", "إلغاء", "حبس", "بلاش"),
    "pap": ("stop", "stòp", "para", "kansela"),
}
STOP_WORDS = {lang: frozenset(normalise(w, lang) for w in words) for lang, words in _STOP.items()}

PreviousLanguage = Callable[[str], Awaitable[str | None]]
CurrentQuestion = Callable[[str], Awaitable[str | None]]


class LanguageRouter:
    def __init__(
        self,
        nlu_parsers: Dict[str, Callable[[str], Awaitable[Dict[str, Any]]]],
        identifier: LanguageIdentifier,
        previous_language: PreviousLanguage,
        vocabularies: Dict[str, FrozenSet[str]] | None = None,
        current_question: CurrentQuestion | None = None,
    ) -> None:
        self._parsers = nlu_parsers
        self._current_question = current_question
        self._vocabularies = vocabularies or {}
        self._identifier = identifier
        self._previous_language = previous_language

    async def _parse(self, language: str, text: str) -> Dict[str, Any]:
        parse_data = await self._parsers[language](text)
        if language in self._vocabularies:
            parse_data = vocabulary.guard(parse_data, text, language, self._vocabularies[language])
        return parse_data

    async def _reread_in_parts(self, parse_data: Dict[str, Any], text: str, language: str) -> Dict[str, Any]:
        """One unclear sentence must not send a whole story to "please rephrase": the story is
        read sentence by sentence, and the clearest sentence decides (a crisis only when sure)."""
        best = None
        for part in parts_of(text):
            intent = (await self._parse(language, part)).get("intent") or {}
            name, confidence = intent.get("name"), float(intent.get("confidence") or 0)
            if name in (None, FALLBACK) or confidence < PART_MIN_CONFIDENCE or \
                    (name in SAFETY_INTENTS and confidence < SURE_CRISIS):
                continue
            if best is None or confidence > best[1]:
                best = (name, confidence)
        if best is not None:
            parse_data["intent"] = {"name": best[0], "confidence": best[1]}
            parse_data["read_in_parts"] = True
        return parse_data

    async def parse(self, message: UserMessage) -> Dict[str, Any]:
        text = message.text or ""
        previous = await self._previous_language(message.sender_id)
        guess = self._identifier.identify(text) if not text.startswith("/") else None
        language = choose_language(guess, previous, (message.metadata or {}).get("language"))
        parse_data = await self._parse(language, text)
        parse_data = two_problems_are_no_riddle(parse_data)
        if (parse_data.get("intent") or {}).get("name") == FALLBACK and len(text.split()) >= LONG_WORDS:
            parse_data = await self._reread_in_parts(parse_data, text, language)
        if normalise(text, language) in STOP_WORDS[language]:
            parse_data["intent"] = {"name": "cancel_request", "confidence": 1.0}
        question = await self._current_question(message.sender_id) if self._current_question else None
        parse_data = drop_postcodes_inside_phone_numbers(parse_data, text)
        parse_data = drop_numbers_that_are_no_postcode(parse_data, text, question)
        # An open question (a form's, or "shall I find someone?"): is this its answer?
        parse_data = form_answers.apply(parse_data, question, text, language)
        if question and (parse_data.get("intent") or {}).get("name") in SAFETY_INTENTS:
            # A crisis inside a form is answered first: with an answer in it ("3531, mijn man
            # slaat mij"), the form would take the answer and go on, and the rule that answers
            # the crisis would never run.
            parse_data["entities"] = [e for e in parse_data.get("entities", [])
                                      if e.get("entity") not in form_answers.FORM_ENTITIES]

        requested = requested_language(parse_data)
        if requested in LANGUAGES and requested != language:
            language = requested  # "can we speak Turkish?" switches, whatever it was written in
        parse_data["entities"] = [
            e for e in parse_data.get("entities", []) if e.get("entity") != LANGUAGE_ENTITY
        ] + [language_entity(language)]
        parse_data["language"] = language
        parse_data["language_requested"] = requested
        parse_data["language_guess"] = (
            {"language": guess.language, "confidence": round(guess.confidence, 3)}
            if guess
            else None
        )
        # English is not one of our languages: our models cannot read it, so the dialogue
        # offers the four languages instead, unless the message still reads as a crisis.
        english = requested == "en" or bool(
            guess and guess.language == "en" and guess.confidence >= SURE_LONG
        )
        if english and not parse_data.get("form_answer") and not english_crisis(parse_data, text):
            named = crisis.english_crisis(text)
            if named:  # the models missed it: the words decide
                parse_data["intent"] = {"name": named, "confidence": 1.0}
            else:
                parse_data["intent"] = {"name": "choose_language", "confidence": 1.0}
                parse_data["language_requested"] = "en"
        parse_data["english"] = english
        return parse_data


FALLBACK = "nlu_fallback"
LONG_WORDS = 12  # a story, not a question: worth reading sentence by sentence
PART_MIN_WORDS = 3
PART_MIN_CONFIDENCE = 0.3  # a part decides only when it is fairly clear on its own


def parts_of(text: str) -> list[str]:
    """Sentences (or, in run-on dictated text, overlapping stretches of 12 words)."""
    sentences = [p.strip() for p in re.split(r"[.!?;\n،؟]+|,\s+(?:maar|en|ama|ve|w|و|pero|i)\s", text) if p.strip()]
    parts = []
    for sentence in sentences:
        words = sentence.split()
        if len(words) <= 20:
            parts.append(sentence)
        else:
            parts += [" ".join(words[i:i + 12]) for i in range(0, len(words) - 4, 8)]
    return [p for p in parts if len(p.split()) >= PART_MIN_WORDS]


def two_problems_are_no_riddle(parse_data: Dict[str, Any]) -> Dict[str, Any]:
    """"Ik heb huurachterstand en krijg een brief van de woningcorporatie" is housing, money and
    letters at once; the fallback's ambiguity rule made it "please rephrase". When the two
    likeliest readings are both problems, the likelier one is answered (the offer of a person
    that follows covers the other)."""
    if (parse_data.get("intent") or {}).get("name") != FALLBACK:
        return parse_data
    ranked = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    if len(ranked) >= 2 and all(r["name"].startswith("problem_") for r in ranked[:2]) \
            and float(ranked[0].get("confidence") or 0) >= 0.2:
        parse_data["intent"] = {"name": ranked[0]["name"], "confidence": ranked[0]["confidence"]}
    return parse_data


def english_crisis(parse_data: Dict[str, Any], text: str) -> bool:
    """Our models read English poorly: "I need help with my rent" came out as an emergency at
    0.17. An English message keeps a crisis reading only on English crisis words or a sure
    model; the rest gets the offer of the four languages."""
    intent = parse_data.get("intent") or {}
    if intent.get("name") not in SAFETY_INTENTS:
        return False
    return crisis.says_crisis(text, "en") or float(intent.get("confidence") or 0) >= SURE_CRISIS


def choose_language(guess, previous: str | None, chosen: str | None) -> str:
    """Explicit choice (metadata of a button or channel) > sure guess > sticky language."""
    if chosen in LANGUAGES:
        return chosen
    if guess is None or guess.language not in LANGUAGES:
        return previous or SOURCE_LANGUAGE
    if previous is None:
        return guess.language
    threshold = SURE_SHORT if guess.words < STICKY_BELOW_WORDS else SURE_LONG
    return guess.language if guess.confidence >= threshold else previous


def requested_language(parse_data: Dict[str, Any]) -> str | None:
    """The language a choose_language message asks for, if the NLU found one."""
    if (parse_data.get("intent") or {}).get("name") != "choose_language":
        return None
    for entity in parse_data.get("entities", []):
        if entity.get("entity") == LANGUAGE_ENTITY:
            return str(entity.get("value"))
    return None


def language_entity(language: str) -> Dict[str, Any]:
    return {
        "entity": LANGUAGE_ENTITY,
        "value": language,
        "start": 0,
        "end": 0,
        "confidence_entity": 1.0,
        "extractor": "LanguageRouter",
    }


def drop_postcodes_inside_phone_numbers(parse_data: Dict[str, Any], text: str) -> Dict[str, Any]:
    """"06 1122 3344" holds no postcode: the regex for "3344" would otherwise move the resident
    to another team's area. Digits of a valid phone number are never a postcode."""
    number = answers.phone_number(text)
    if not number:
        return parse_data
    digits = re.sub(r"\D", "", text)
    parse_data["entities"] = [
        e for e in parse_data.get("entities", [])
        if not (e.get("entity") == "postcode" and re.sub(r"\D", "", str(e.get("value"))) in digits)
    ]
    return parse_data


# Words after a number that make it an amount, not a postcode ("3800 euro huurtoeslag").
_AMOUNT = re.compile(r"^\s*(euro|eur|€|e\b|,-|yuro|avro|يورو|اورو|ouro|florin|lira)", re.IGNORECASE)
_POSTCODE_WORDS = re.compile(r"postcode|posta ?kodu|الرمز البريدي|الكود|كود|kodigo postal|kodigo|code postal|postal",
                             re.IGNORECASE)


def drop_numbers_that_are_no_postcode(parse_data: Dict[str, Any], text: str, question: str | None) -> Dict[str, Any]:
    """Four bare digits are a postcode only where one is expected: when the bot asked for it,
    beside the word "postcode", or in a question about where the team is. Elsewhere they are
    an amount, a year or an age, and taking them would skip the postcode question and send
    the request to the wrong team (or none)."""
    intent = (parse_data.get("intent") or {}).get("name")
    expected = question == "postcode" or intent == "find_wijkteam" or bool(_POSTCODE_WORDS.search(text))
    kept = []
    for entity in parse_data.get("entities", []):
        if entity.get("entity") == "postcode":
            value = str(entity.get("value", ""))
            after = text[entity.get("end", len(text)):] if isinstance(entity.get("end"), int) else ""
            bare = value.strip().isdigit()
            if _AMOUNT.match(after) or (bare and not expected):
                continue
        kept.append(entity)
    parse_data["entities"] = kept
    return parse_data
