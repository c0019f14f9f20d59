"""While the bot waits for the answer to one of its questions, a message is read first as
that answer: "nu meteen" to "when can we reach you?" is a time, not an emergency, and
"3ayet lia" to "how shall we contact you?" is a call. A message that names a crisis outright
(bot.crisis), or a longer one the classifier reads as a crisis, is answered as a crisis
first, and the question is asked again.

The answers become entities, which the form's slot mappings take (domain/handoff.yml) and
actions/handoff.py validates. A phone number typed at any step after the topic also
chooses a call.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List

from bot import answers, crisis
from bot.crisis import CRISIS_INTENTS
from bot.normalise import normalise

# Intents that would keep an answer out of the form (rules interrupt it, or from_text
# mappings refuse them): when the message reads as an answer, it is one.
NOT_AN_ANSWER = CRISIS_INTENTS | {"cancel_request", "forget_me", "nlu_fallback"}
# A reply to a yes/no question that starts with one of these is a yes (or a no), whatever
# follows: "si por fabor, mi ke un hende ku ta papia papiamentu", "evet isterim ne kadar erken
# o kadar iyi", "ok sure". Normalised (no accents, Arabic variants unified).
YES = {
    "nl": ("ja", "jawel", "jazeker", "graag", "ja graag", "oke", "ok", "okay", "prima", "zeker", "doe maar", "yes", "top"),
    "tr": ("evet", "evt", "tamam", "tamamdir", "olur", "tabi", "tabii", "peki", "isterim", "lutfen", "ok", "yes"),
    "ar": ("نعم", "ايوه", "ايوا", "ايوة", "ايه", "اييه", "ايييه", "اه", "اي", "بلى", "واخا", "وخا", "صافي", "طيب",
           "اكيد", "تمام", "اوكي", "ياريت", "الله يخليك", "عافاك", "من فضلك", "wakha", "waxa", "iyeh", "iyah", "ah",
           "na3am", "ok", "okey", "yes", "eh", "aywa", "iyyeh", "3afak"),
    "pap": ("si", "sí", "ya", "ok", "oke", "ta bon", "bon", "klaro", "claro", "por fabor", "porfabor", "yes", "dale"),
}
NO = {
    "nl": ("nee", "neen", "nope", "liever niet", "niet nodig", "no"),
    "tr": ("hayir", "yok", "istemiyorum", "gerek yok", "olmaz", "no"),
    "ar": ("لا", "لالا", "ما بغيتش", "مابغيتش", "la", "lala", "no"),
    "pap": ("no", "nò", "nunka", "no tin mester"),
}
YES_NO_QUESTIONS = frozenset({"offer_person", "handoff_consent"})
PHONE_STEPS = frozenset({"handoff_preference", "handoff_window", "handoff_channel", "handoff_phone"})
FORM_ENTITIES = frozenset({"postcode", "handoff_window", "handoff_channel", "handoff_phone"})
SURE = 0.6  # below this, a crisis reading of a message that answers the question is the classifier's guess


def _sure_crisis(parse_data: Dict[str, Any], text: str) -> bool:
    """A longer message the classifier reads as a crisis with some confidence stays one: it
    tells more than an answer ("if he sees this he hits me again, he checks my telefoon")."""
    intent = parse_data.get("intent") or {}
    return intent.get("name") in CRISIS_INTENTS and len(text.split()) > 4 and float(intent.get("confidence") or 0) >= SURE


def _entity(name: str, value: str) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 0, "confidence_entity": 1.0,
            "extractor": "FormAnswers"}


def read(question: str | None, text: str, language: str | None) -> tuple[bool, List[Dict[str, Any]]]:
    """(whether `text` answers `question`, a requested_slot; the entities it gives)."""
    if not question or not text or text.startswith("/"):
        return False, []
    found = []
    number = answers.phone_number(text) if question in PHONE_STEPS else None
    if number:
        found += [_entity("handoff_phone", number), _entity("handoff_channel", "phone")]
    if question == "handoff_window":
        window = answers.window_from_text(text, language)
        if window:
            found.append(_entity("handoff_window", window))
    elif question == "handoff_channel" and not number:
        channel = answers.channel_from_text(text, language)
        if channel:
            found.append(_entity("handoff_channel", channel))
    elif question == "handoff_preference" and answers.preference_from_text(text, language):
        return True, found  # the form reads the text itself (actions/handoff.py)
    return bool(found), found


@functools.cache
def _yes_no_words(language: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The yes and the no phrases of every language as word tuples, normalised the way a
    message in `language` is (made once per language, not per message)."""
    def words(table):
        return [tuple(normalise(p, language).split()) for code in table for p in table[code]]

    return words(YES), words(NO)


def _starts_with(words: list[str], phrases: list[tuple[str, ...]]) -> bool:
    return any(phrase and tuple(words[:len(phrase)]) == phrase for phrase in phrases)


def yes_or_no(text: str, language: str | None) -> str | None:
    """"affirm" or "deny" when the reply starts with a yes or a no word, else None. The words
    of every language count: "ja goed, teşekkür ederim" is a yes in a Turkish conversation."""
    language = language if language in YES else "nl"
    words = normalise(text, language).replace(",", " ").replace(".", " ").replace("!", " ").split()
    if not words:
        return None
    yes, no = _yes_no_words(language)
    if _starts_with(words, no):
        return "deny"
    if _starts_with(words, yes) and not any(_starts_with(words[i:], no) for i in range(1, min(3, len(words)))):
        return "affirm"
    return None


def apply(parse_data: Dict[str, Any], question: str | None, text: str, language: str) -> Dict[str, Any]:
    """Parse data with the answer's entities added and, where the intent would keep the
    answer out, the intent made `inform`; unchanged when the message is no answer or names
    a crisis."""
    if question in YES_NO_QUESTIONS:
        answer = yes_or_no(text, language)
        if answer and not crisis.says_crisis(text, language):
            parse_data["intent"] = {"name": answer, "confidence": 1.0}
            parse_data["form_answer"] = question
        return parse_data
    is_answer, found = read(question, text, language)
    if not is_answer:
        return parse_data
    if crisis.says_crisis(text, language) or _sure_crisis(parse_data, text):
        # The crisis is answered first (stories/safety.yml), then the question comes again.
        # Not both in one turn: with the answer taken, the form would go on and Rasa's rule
        # for a crisis inside the form would never run.
        return parse_data
    intent = (parse_data.get("intent") or {}).get("name")
    names = {e["entity"] for e in found}
    parse_data["entities"] = [e for e in parse_data.get("entities", []) if e.get("entity") not in names] + found
    parse_data["form_answer"] = question
    if intent in NOT_AN_ANSWER:
        parse_data["intent"] = {"name": "inform", "confidence": 1.0}
    return parse_data
