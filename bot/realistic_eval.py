"""`wijkbrug eval-realistic`: how the whole bot does with messages as residents write them.

tests/realistic/<lang>.yml is written by someone who never read nlu/ (tests/realistic/README.md)
and is never trained on. Each single message is the first message of a fresh conversation,
through the whole bot (language id, NLU, form answers, crisis rules, dialogue); each
conversation is a resident who answers the bot's questions in their own words, whichever
question the bot asks next. Reported per language:

- on_topic: the bot took the message for what the resident meant (the labelled intent)
- fallback_rate: the bot said it did not understand
- false_crisis: crisis answers (112, Veilig Thuis, 113) to messages that are no crisis
- crisis_recall: crisis messages that got a crisis answer
- reached_consent / referrals: conversations that got to the consent question / that made a
  request with the named person (of those whose resident says yes)
- repeated: conversations in which one question was asked three times in a row
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import yaml

from bot.crisis import CRISIS_INTENTS

FALLBACK = "nlu_fallback"
# The crisis answers (stories/safety.yml): one per crisis intent.
CRISIS_ANSWERS = frozenset(f"utter_{intent}" for intent in CRISIS_INTENTS)
# The form's questions (requested_slot) and the key of the resident's answer to each.
ANSWER_KEYS = {
    "handoff_topic": "topic", "postcode": "postcode", "handoff_preference": "preference",
    "handoff_window": "window", "handoff_channel": "channel", "handoff_phone": "phone",
    "handoff_consent": "consent",
}
MAX_TURNS = 25


def load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict) or data.get("language") not in ("nl", "tr", "ar", "pap"):
        raise ValueError(f"{path}: expected a mapping with language: nl|tr|ar|pap")
    data.setdefault("messages", [])
    data.setdefault("conversations", [])
    return data


class RealisticEvaluator:
    """Runs messages and conversations through one in-process bot (its own database)."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self.loop = asyncio.new_event_loop()
        self.run = self.loop.run_until_complete

    def turn(self, sender: str, text: str):
        return self.run(self.bot.turn(sender, text))

    def requested_slot(self, sender: str) -> str | None:
        tracker = self.run(self.bot.agent.tracker_store.retrieve(sender))
        if tracker is None or not tracker.active_loop_name:
            return None
        return tracker.get_slot("requested_slot")

    def message(self, item: dict[str, Any]) -> dict[str, Any]:
        turn = self.turn(f"eval-{uuid.uuid4().hex}", str(item["text"]))
        crisis_answer = bool(CRISIS_ANSWERS & set(turn.actions))
        return {
            "text": item["text"], "intent": item["intent"], "predicted_intent": turn.intent,
            "confidence": turn.confidence, "language": turn.language,
            "crisis": bool(item.get("crisis")), "crisis_answer": crisis_answer,
            "fallback": turn.intent == FALLBACK,
        }

    def conversation(self, item: dict[str, Any]) -> dict[str, Any]:
        sender = f"eval-{item.get('id', 'conversation')}-{uuid.uuid4().hex[:8]}"
        answers, aside = item.get("answers") or {}, item.get("aside")
        log: list[dict[str, Any]] = []

        def say(text: str, why: str):
            turn = self.turn(sender, str(text))
            log.append({"why": why, "user": text, "intent": turn.intent, "actions": turn.actions, "bot": turn.bot})
            return turn

        turn = None
        for text in item.get("opening") or []:
            turn = say(text, "opening")
        asked: list[str] = []
        offered_accept = False
        outcome = "stuck"
        for _ in range(MAX_TURNS):
            if turn is not None and "action_submit_handoff" in turn.actions:
                outcome = "submitted"
                break
            slot = self.requested_slot(sender)
            if slot is None:
                if not offered_accept and item.get("accept_offer") and turn is not None \
                        and "utter_offer_person" in turn.actions:
                    offered_accept = True
                    turn = say(item["accept_offer"], "accept_offer")
                    continue
                break
            if aside and aside.get("before") == ANSWER_KEYS.get(slot) and "aside" not in [e["why"] for e in log]:
                turn = say(aside["text"], "aside")
                continue
            asked.append(slot)
            if asked[-3:] == [slot] * 3:
                outcome = "repeated"
                break
            answer = answers.get(ANSWER_KEYS.get(slot, slot))
            if answer is None:
                outcome = f"no answer for {slot}"
                break
            turn = say(answer, slot)
        consents = item.get("consents", True)
        referral = outcome == "submitted" and self._has_referral(sender)
        aside_turn = next((e for e in log if e["why"] == "aside"), None)
        return {
            "id": item.get("id"), "outcome": outcome, "asked": asked,
            "reached_consent": "handoff_consent" in asked, "consents": consents,
            "referral": referral, "success": referral if consents else (not referral and "handoff_consent" in asked),
            "repeated": outcome == "repeated",
            "aside_crisis_answered": (bool(CRISIS_ANSWERS & set(aside_turn["actions"]))
                                      if aside_turn and aside.get("crisis") else None),
            "turns": log,
        }

    def _has_referral(self, sender: str) -> bool:
        from sqlalchemy import func, select

        from bot.store.database import session_scope
        from bot.store.tables import Referral

        with session_scope(self.bot.settings.database_url) as session:
            return bool(session.execute(
                select(func.count()).select_from(Referral).where(Referral.conversation == sender)).scalar())


def summarise(language: str, messages: list[dict[str, Any]], conversations: list[dict[str, Any]]) -> dict[str, Any]:
    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    crises = [m for m in messages if m["crisis"]]
    ordinary = [m for m in messages if not m["crisis"]]
    consenting = [c for c in conversations if c["consents"]]
    return {
        "language": language,
        "messages": len(messages),
        "on_topic": rate(sum(m["predicted_intent"] == m["intent"] for m in messages), len(messages)),
        "fallback_rate": rate(sum(m["fallback"] for m in messages), len(messages)),
        "false_crisis": sum(m["crisis_answer"] for m in ordinary),
        "crisis_messages": len(crises),
        "crisis_recall": rate(sum(m["crisis_answer"] for m in crises), len(crises)),
        "conversations": len(conversations),
        "reached_consent": sum(c["reached_consent"] for c in conversations),
        "referrals": f"{sum(c['referral'] for c in consenting)}/{len(consenting)}",
        "successful": sum(c["success"] for c in conversations),
        "repeated": sum(c["repeated"] for c in conversations),
    }


def table(summary: dict[str, Any], messages: list[dict[str, Any]], conversations: list[dict[str, Any]]) -> str:
    lines = [f"{key:<16} {value}" for key, value in summary.items()]
    misses = [m for m in messages if m["predicted_intent"] != m["intent"] or m["crisis"] != m["crisis_answer"]]
    if misses:
        lines += ["", "messages the bot took otherwise (predicted, expected; ! = crisis answer wrong):"]
        lines += [f"  {'!' if m['crisis'] != m['crisis_answer'] else ' '} {m['text'][:90]!r} -> "
                  f"{m['predicted_intent']} ({m['confidence']}), {m['intent']}" for m in misses]
    failed = [c for c in conversations if not c["success"]]
    if failed:
        lines += ["", "conversations that did not end as the resident wanted:"]
        lines += [f"  {c['id']}: {c['outcome']}, asked {' > '.join(c['asked'])}" for c in failed]
    return "\n".join(lines)
