"""While the bot waits for the answer to one of its questions, a message is read first as
that answer: "nu meteen" to "when can we reach you?" is a time, not an emergency, and
"3ayet lia" to "how shall we contact you?" is a call. Only a message that names a crisis
outright (bot.crisis) is still answered as a crisis first.

The answers become entities, which the form's slot mappings take (domain/handoff.yml) and
actions/handoff.py validates. A phone number typed at any step after the topic also
chooses a call.
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot import answers, crisis

# Intents that would keep an answer out of the form (rules interrupt it, or from_text
# mappings refuse them): when the message reads as an answer, it is one.
NOT_AN_ANSWER = frozenset({"emergency", "domestic_violence", "suicidal", "cancel_request", "forget_me",
                           "nlu_fallback", "missing_person"})
PHONE_STEPS = frozenset({"handoff_preference", "handoff_window", "handoff_channel", "handoff_phone"})


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


def apply(parse_data: Dict[str, Any], question: str | None, text: str, language: str) -> Dict[str, Any]:
    """Parse data with the answer's entities added and, where the intent would keep the
    answer out, the intent made `inform`; unchanged when the message is no answer or names
    a crisis."""
    is_answer, found = read(question, text, language)
    if not is_answer or crisis.says_crisis(text, language):
        return parse_data
    intent = (parse_data.get("intent") or {}).get("name")
    names = {e["entity"] for e in found}
    parse_data["entities"] = [e for e in parse_data.get("entities", []) if e.get("entity") not in names] + found
    parse_data["form_answer"] = question
    if intent in NOT_AN_ANSWER:
        parse_data["intent"] = {"name": "inform", "confidence": 1.0}
    return parse_data
