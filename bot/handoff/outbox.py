"""The outbox: notifications saved with the change they announce, delivered afterwards.

A referral and its notification are written in one transaction, so a crash between the
two cannot happen; a crash before delivery only delays it (the deliverer picks up what is
due after a restart). Each notification has a unique key, so saving it twice is a no-op.
Delivery is at least once: a crash right after sending and before marking it delivered
sends it again, which channels make harmless by the key (Telegram delivery: issue 6).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.store.database import session_scope
from bot.store.tables import OutboxMessage, aware, utc

logger = logging.getLogger(__name__)

PUSHED_TO = ("volunteer", "contact", "team")
TELEGRAM_PREFIX = "tg-"  # a resident's conversation on Telegram is "tg-<chat id>"
TELEGRAM_RESIDENT = TELEGRAM_PREFIX + "%"  # residents on Telegram get their news pushed; web chat pulls it
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)


def telegram_conversation(chat: int | str) -> str:
    return f"{TELEGRAM_PREFIX}{chat}"


def enqueue(
    session: Session, *, key: str, referral_id: int | None, recipient_kind: str,
    recipient_id: str, kind: str, payload: Dict[str, Any], now: datetime,
) -> None:
    if session.execute(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
        return
    session.add(OutboxMessage(
        key=key, referral_id=referral_id, recipient_kind=recipient_kind,
        recipient_id=str(recipient_id), kind=kind, payload=payload,
        created_at=utc(now), next_attempt_at=utc(now), attempts=0,
    ))


def as_dict(message: OutboxMessage) -> Dict[str, Any]:
    return {
        "key": message.key, "referral": message.referral_id, "recipient_kind": message.recipient_kind,
        "recipient_id": message.recipient_id, "kind": message.kind, "payload": message.payload,
        "created_at": aware(message.created_at).isoformat(),
    }


class Delivery(Protocol):
    """Sends one notification; raises on failure (it is then retried with backoff)."""

    async def send(self, notification: Dict[str, Any]) -> str | None:
        """Returns a reference to what was sent (e.g. a Telegram message), or None."""


class FileDelivery:
    """Without Telegram: a line per notification in a JSON-lines file, so a coordinator
    sees that something is waiting. Only what, for whom and which request: the
    resident's words and number stay in the database (and the dashboard), where retention
    and "forget me" reach them; a file that only grows would keep them for ever."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, notification: Dict[str, Any]) -> str | None:
        resident = notification["recipient_kind"] == "resident"
        line = {"created_at": notification["created_at"], "kind": notification["kind"],
                "referral": notification["referral"], "recipient_kind": notification["recipient_kind"],
                "recipient_id": None if resident else notification["recipient_id"]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        return None


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30) * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _claim(session: Session, message: OutboxMessage, now: datetime) -> bool:
    """Takes a due message for this worker (another worker's claim makes rowcount 0)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.next_attempt_at == message.next_attempt_at,
               OutboxMessage.delivered_at.is_(None))
        .values(next_attempt_at=utc(now + LEASE))
    )
    return result.rowcount == 1


async def deliver_due(database_url: str, delivery: Delivery, now: datetime, limit: int = 50) -> int:
    """Sends what is due; returns how many were delivered."""
    with session_scope(database_url) as session:
        due = session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= utc(now),
                   or_(OutboxMessage.recipient_kind.in_(PUSHED_TO),
                       and_(OutboxMessage.recipient_kind == "resident",
                            OutboxMessage.recipient_id.like(TELEGRAM_RESIDENT))))
            .order_by(OutboxMessage.id).limit(limit)
        ).scalars().all()
        claimed = [as_dict(m) | {"id": m.id} for m in due if _claim(session, m, now)]
    delivered = 0
    for notification in claimed:
        message_id = notification.pop("id")
        try:
            reference = await delivery.send(notification)
        except Exception as e:  # noqa: BLE001 - any failure is retried later
            with session_scope(database_url) as session:
                message = session.get(OutboxMessage, message_id)
                message.attempts += 1
                message.next_attempt_at = utc(now + backoff(message.attempts))
                message.last_error = type(e).__name__  # no message text: it may hold personal data
            logger.warning("notification %s not delivered (%s), retried later", message_id, type(e).__name__)
            continue
        with session_scope(database_url) as session:
            message = session.get(OutboxMessage, message_id)
            message.attempts += 1
            message.delivered_at = utc(now)
            message.external_ref = reference
        delivered += 1
    return delivered


def sent_reference(session: Session, referral_id: int, kind: str, recipient_kind: str, recipient_id: str) -> str | None:
    """Where the latest delivered notification of a kind went (to edit it later)."""
    return session.execute(
        select(OutboxMessage.external_ref)
        .where(OutboxMessage.referral_id == referral_id, OutboxMessage.kind == kind,
               OutboxMessage.recipient_kind == recipient_kind, OutboxMessage.recipient_id == str(recipient_id),
               OutboxMessage.delivered_at.is_not(None))
        .order_by(OutboxMessage.id.desc()).limit(1)
    ).scalar_one_or_none()


def pending_for_resident(session: Session, conversation: str) -> List[Dict[str, Any]]:
    """News waiting for a resident, to hand over when they next talk to the bot (web chat,
    terminal); each with its "id" for `mark_delivered` once it has really been shown."""
    messages = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.recipient_kind == "resident", OutboxMessage.recipient_id == conversation,
               OutboxMessage.delivered_at.is_(None))
        .order_by(OutboxMessage.id)
    ).scalars().all()
    return [as_dict(m) | {"id": m.id} for m in messages]


def mark_delivered(session: Session, ids: List[int], now: datetime) -> None:
    for message in session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).scalars():
        message.delivered_at = utc(now)
        message.attempts += 1


def pull_for_resident(session: Session, conversation: str, now: datetime) -> List[Dict[str, Any]]:
    """The waiting news, marked delivered at once."""
    pending = pending_for_resident(session, conversation)
    mark_delivered(session, [item["id"] for item in pending], now)
    return pending
