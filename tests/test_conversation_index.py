"""The conversation facts read straight from the tracker store agree with Rasa's own
tracker (language slot, paused), and the cached action-result check behaves as Rasa's."""

import asyncio

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    ConversationResumed,
    Restarted,
    SlotSet,
    UserUttered,
)

from bot import conversation_index
from bot.runtime import tracker_store_for


@pytest.fixture
def store(tmp_path, project_root):
    from rasa.shared.core.domain import Domain

    made = tracker_store_for(f"sqlite:///{tmp_path / 'conversations.db'}")
    made.domain = Domain.load(str(project_root / "domain"))  # the slots the tracker knows
    return made


def save(store, sender, *events):
    async def run():
        tracker = await store.get_or_create_tracker(sender)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        return await store.retrieve(sender)

    return asyncio.run(run())


def test_language_and_pause_agree_with_the_tracker(store):
    assert conversation_index.language(store, "nobody") is None and not conversation_index.is_paused(store, "nobody")
    steps = [
        [UserUttered("merhaba"), SlotSet("language", "tr"), ActionExecuted("action_listen")],
        [SlotSet("topic", "money"), SlotSet("language", "ar")],
        [ConversationPaused()],
        [SlotSet("language", "pap")],
        [ConversationResumed()],
        [Restarted()],
        [SlotSet("language", "nl")],
    ]
    for events in steps:
        tracker = save(store, "resident", *events)
        assert conversation_index.language(store, "resident") == tracker.get_slot("language")
        assert conversation_index.is_paused(store, "resident") == tracker.is_paused()
    assert conversation_index.language(store, "other") is None  # per resident


def test_cached_action_result_check_accepts_and_refuses_as_rasa_does():
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    from bot import rasa_patches

    rasa_patches.apply()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [], "responses": []})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
