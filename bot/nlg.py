"""Rasa NLG that renders domain responses from the Babel catalogs (endpoints.yml: nlg).

Domain responses hold the Dutch source text. The text and button titles are translated
into the conversation's language (the `language` slot), then variables are filled, then
Arabic gets its right-to-left marks. Actions send `response=` names, never raw text, so
every text the resident sees passes through here.
"""

from __future__ import annotations

import copy
from typing import Any, Dict

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import i18n

LANGUAGE_SLOT = "language"


class CatalogNLG(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__(domain.responses if domain else {})

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Dict[str, Any] | None:
        slots = tracker.current_slot_values()
        language = i18n.language_or_default(slots.get(LANGUAGE_SLOT))
        response = self._random_response_for(utter_action, output_channel, slots)
        if response is None:
            return None
        return self._localise(response, language, slots, kwargs)

    def render(self, utter_action: str, language: str, variables: Dict[str, Any]) -> Dict[str, Any] | None:
        """A response outside a dialogue turn (news for the resident from the outbox)."""
        variations = self.responses.get(utter_action)
        if not variations:
            return None
        return self._localise(variations[0], language, {}, variables)

    def _localise(
        self, response: Dict[str, Any], language: str, slots: Dict[str, Any], variables: Dict[str, Any]
    ) -> Dict[str, Any]:
        """Translate, fill the variables, mark right-to-left."""
        response = translate_response(copy.deepcopy(response), language)
        # Only the text has {variables}; button payloads such as
        # /inform{"handoff_window": "now"} must not be read as templates.
        buttons = response.pop("buttons", None)
        filled = self._fill_response(response, slots, **variables)
        if buttons:
            filled["buttons"] = buttons
        if filled.get("text"):
            filled["text"] = i18n.for_display(language, filled["text"])
        return filled


def translate_response(response: Dict[str, Any], language: str) -> Dict[str, Any]:
    """Translates the text and button titles of one response variation in place."""
    if response.get("text"):
        response["text"] = i18n.gettext(language, response["text"])
    for button in response.get("buttons") or []:
        button["title"] = i18n.for_display(language, i18n.gettext(language, button["title"]))
    return response
