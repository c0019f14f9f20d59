"""Repair when the bot does not understand: likely topics first, then a person."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import i18n
from bot.i18n import _

FALLBACK_INTENT = "nlu_fallback"
MAX_TOPIC_BUTTONS = 3

# Intents worth offering as "did you mean", with the button title the resident sees.
TOPIC_TITLES = {
    "what_is_wijkteam": _("Wat is het wijkteam?"),
    "eigen_kracht": _("Wat is eigen kracht?"),
    "help_topics": _("Waar kan het wijkteam mee helpen?"),
    "fear_children_taken": _("Bang voor jeugdzorg"),
    "privacy": _("Privacy en geheimhouding"),
    "cost": _("Wat kost het?"),
    "language_support": _("Hulp in mijn eigen taal"),
    "find_wijkteam": _("Waar is mijn wijkteam?"),
    "opening_hours": _("Openingstijden"),
    "request_volunteer": _("Ik wil iemand spreken"),
    "request_professional": _("Iemand van het wijkteam"),
    "problem_money": _("Geld en schulden"),
    "problem_parenting": _("Opvoeding"),
    "problem_housing": _("Wonen"),
    "problem_health": _("Gezondheid en stress"),
    "problem_loneliness": _("Eenzaamheid"),
    "problem_care": _("Zorg voor familie"),
    "problem_paperwork": _("Brieven en formulieren"),
    "problem_work": _("Werk en dagbesteding"),
}
DEFAULT_TOPICS = ("what_is_wijkteam", "help_topics", "request_volunteer")


def failures_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages in a row the NLU was unsure about."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


def likely_topics(ranking: List[Dict[str, Any]]) -> List[str]:
    """The most likely topical intents, best first, topped up with general ones."""
    topics = [item["name"] for item in ranking if item.get("name") in TOPIC_TITLES]
    for default in DEFAULT_TOPICS:
        if default not in topics:
            topics.append(default)
    return topics[:MAX_TOPIC_BUTTONS]


class ActionAskRephrase(Action):
    def name(self) -> str:
        return "action_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        if failures_in_a_row(tracker) % 2 == 0:
            dispatcher.utter_message(response="utter_ask_rephrase_person")
            return []
        language = tracker.get_slot("language")
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = [
            {
                "title": i18n.for_display(language, i18n.gettext(language, TOPIC_TITLES[intent])),
                "payload": f"/{intent}",
            }
            for intent in likely_topics(ranking)
        ]
        dispatcher.utter_message(response="utter_ask_rephrase_topics", buttons=buttons)
        return []
