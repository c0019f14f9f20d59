"""Facts about a conversation read straight from the SQL tracker store's `events` table,
instead of loading and replaying the whole conversation: its language, whether it is
paused, and the question it waits for. Each turn needs them once or twice; loading the
tracker for them cost about a fifth of a worker's time under load (bench/load.py, profiled with py-spy).

Rasa's SQLTrackerStore keeps one row per event with `type_name` ("slot", "pause",
"resume", "restart", ...) and, for a slot, its name in `action_name`.
"""

from __future__ import annotations

import json

from sqlalchemy import and_, or_


def _latest(store, sender: str, condition):
    with store.session_scope() as session:
        row = (session.query(store.SQLEvent.type_name, store.SQLEvent.data)
               .filter(store.SQLEvent.sender_id == sender, condition)
               .order_by(store.SQLEvent.id.desc()).first())
    return row


def language(store, sender: str) -> str | None:
    """The `language` slot as the tracker would have it (a restart clears it)."""
    event = store.SQLEvent
    row = _latest(store, sender, or_(and_(event.type_name == "slot", event.action_name == "language"),
                                     event.type_name == "restart"))
    if row is None or row[0] != "slot":
        return None
    return json.loads(row[1]).get("value")


def is_paused(store, sender: str) -> bool:
    """Paused by a relay (ConversationPaused) and not resumed since."""
    event = store.SQLEvent
    row = _latest(store, sender, event.type_name.in_(("pause", "resume", "restart")))
    return row is not None and row[0] == "pause"


def requested_slot(store, sender: str) -> str | None:
    """The form question the bot is waiting for an answer to (None when no form is open)."""
    event = store.SQLEvent
    row = _latest(store, sender, or_(and_(event.type_name == "slot", event.action_name == "requested_slot"),
                                     event.type_name.in_(("restart", "reset_slots", "active_loop"))))
    if row is None or row[0] != "slot":
        return None
    return json.loads(row[1]).get("value")


def open_question(store, sender: str) -> str | None:
    """What the bot asked last and waits for: a form question (its requested_slot), or
    "offer_person" after "shall I find someone for you?"; None otherwise."""
    slot = requested_slot(store, sender)
    if slot:
        return slot
    event = store.SQLEvent
    row = _latest(store, sender, and_(event.type_name == "action", event.action_name != "action_listen"))
    if row is not None and json.loads(row[1]).get("name") == "utter_offer_person":
        return "offer_person"
    return None
