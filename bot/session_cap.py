"""One conversation cannot grow without bound: past MAX_SESSION_EVENTS events a new
conversation session starts, and the next turn loads only that.

Rasa's SQL tracker store loads the events since the latest `session_started` (24 hours idle
starts one too, domain/basics.yml). A resident flooding one conversation (1,000 messages made
6,009 events and slowed every resident of that worker to 1.4 s) would otherwise make each
turn load more. The new session carries over what the dialogue needs, as Rasa's own
action_session_start does: the slots (language, an open form's answers), the open form, and
a pause while a volunteer talks to the resident.
"""

from __future__ import annotations

MAX_SESSION_EVENTS = 400  # a whole handoff conversation is about 60-80


def roll_over(tracker) -> bool:
    """Starts a new session at the end of this turn when the current one is too long."""
    if len(tracker.events) <= MAX_SESSION_EVENTS:
        return False
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        ConversationPaused,
        SessionStarted,
        SlotSet,
    )

    carried = {name: slot.value for name, slot in tracker.slots.items() if slot.value != slot.initial_value}
    loop, paused = tracker.active_loop_name, tracker.is_paused()
    # Made in this order: the store loads what is stamped at or after the session's start.
    tracker.update(SessionStarted())
    for name, value in carried.items():
        tracker.update(SlotSet(name, value))
    if loop:
        tracker.update(ActiveLoop(loop))
    if paused:
        tracker.update(ConversationPaused())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    return True
