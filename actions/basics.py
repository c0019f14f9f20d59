"""Greeting by time of day and the language choice."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock


def greeting_response(after_hours: bool) -> str:
    return "utter_greet_after_hours" if after_hours else "utter_greet"


class ActionGreet(Action):
    """Says hello and, after office hours, that the office is closed but the bot is here."""

    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response=greeting_response(clock.is_after_hours()))
        return []


class ActionChooseLanguage(Action):
    """Confirms a switch the router made, or asks which language when none was named."""

    def name(self) -> str:
        return "action_choose_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        requested = tracker.latest_message.get("language_requested")
        if requested == "en":
            dispatcher.utter_message(response="utter_no_english")
        elif requested:
            dispatcher.utter_message(response="utter_language_switched")
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
