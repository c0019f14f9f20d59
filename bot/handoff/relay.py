"""The relay: a resident and the person who accepted their request talk through the bot.

Only for a resident on Telegram who chose to be contacted in the chat. The bot passes text
on in both directions under a first name and a request number, never a Telegram account.
One open relay per resident chat and per person chat at a time.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.handoff import accounts
from bot.handoff.outbox import TELEGRAM_PREFIX, telegram_conversation
from bot.handoff.referrals import OPEN, NotAllowed, _history
from bot.store.tables import OutboxMessage, Referral, Relay, utc

RATINGS = ("good", "bad")


def start(session: Session, referral_id: int, person: Tuple[str, int], now: datetime) -> Relay:
    """The accepted person opens the relay; the request counts as contacted from now."""
    referral = session.get(Referral, referral_id)
    if referral is None or (referral.assignee_kind, referral.assignee_id) != person \
            or referral.status not in ("accepted", "contacted"):
        raise NotAllowed("only the person who accepted it can start a conversation")
    if referral.contact_by != "chat" or not referral.conversation.startswith(TELEGRAM_PREFIX):
        raise NotAllowed("the resident cannot be reached in a Telegram chat")
    resident_chat = referral.conversation.removeprefix(TELEGRAM_PREFIX)
    person_chat = accounts.chat_of(session, *person)
    if person_chat is None or open_for_resident(session, resident_chat) or open_for_person(session, person_chat):
        raise NotAllowed("one of the two is already in a conversation")
    relay = Relay(referral_id=referral.id, resident_chat=resident_chat, person_kind=person[0],
                  person_id=person[1], person_chat=person_chat, started_at=utc(now))
    session.add(relay)
    if referral.status == "accepted":
        referral.status = "contacted"
        _history(session, referral, "contacted", now, "gesprek via de bot gestart", person)
    referral.updated_at = utc(now)
    _history(session, referral, "relay_started", now, "gesprek via de bot", person)
    session.flush()
    return relay


def _open(session: Session, column, chat: str) -> Relay | None:
    return session.execute(
        select(Relay).where(column == str(chat), Relay.ended_at.is_(None)).order_by(Relay.id.desc()).limit(1)
    ).scalar_one_or_none()


def open_for_resident(session: Session, chat: int | str) -> Relay | None:
    return _open(session, Relay.resident_chat, str(chat))


def open_for_person(session: Session, chat: int | str) -> Relay | None:
    return _open(session, Relay.person_chat, str(chat))


def open_for_chat(session: Session, chat: int | str) -> Tuple[Relay | None, bool]:
    """The open relay a chat is in, and whether the chat is the resident's side."""
    as_resident = open_for_resident(session, chat)
    if as_resident is not None:
        return as_resident, True
    return open_for_person(session, chat), False


def end(session: Session, relay: Relay, by: str, now: datetime) -> None:
    relay.ended_at, relay.ended_by = utc(now), by
    referral = session.get(Referral, relay.referral_id)
    _history(session, referral, "relay_ended", now, f"gesprek beëindigd door {'de bewoner' if by == 'resident' else 'de begeleider'}",
             (relay.person_kind, relay.person_id))


def end_open_for_resident(session: Session, chat: int | str, now: datetime) -> Relay | None:
    """/stop or forget-me while a relay is open: it ends first."""
    relay = open_for_resident(session, chat)
    if relay is not None:
        end(session, relay, "resident", now)
    return relay


def feedback(session: Session, referral_id: int, resident_chat: int | str, rating: str, now: datetime) -> bool:
    """The resident's answer to "how did it go"; only from the resident of that request."""
    referral = session.get(Referral, referral_id)
    if rating not in RATINGS or referral is None or referral.conversation != telegram_conversation(resident_chat):
        return False
    _history(session, referral, "feedback", now, "goed" if rating == "good" else "niet goed")
    return True


LINK_PREFIX = "r_"  # /start r_CODE: a resident, not a volunteer's invite


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_link_code(session: Session, referral: Referral) -> str:
    """A one-time code for the t.me link that moves a web chat request to Telegram."""
    code = LINK_PREFIX + secrets.token_urlsafe(12)
    referral.link_code_hash = _hash(code)
    return code


def redeem_link_code(session: Session, code: str, chat: int | str, now: datetime) -> Referral | None:
    """The resident opened the link in Telegram: the open request and its waiting news
    move to this chat. None for an unknown or used code, or a request that ended."""
    referral = session.execute(
        select(Referral).where(Referral.link_code_hash == _hash(code))
    ).scalar_one_or_none()
    if referral is None or referral.status not in OPEN:
        return None
    old, new = referral.conversation, telegram_conversation(chat)
    referral.conversation, referral.channel, referral.link_code_hash = new, "telegram", None
    referral.updated_at = utc(now)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient_kind == "resident", OutboxMessage.recipient_id == old,
               OutboxMessage.delivered_at.is_(None))
        .values(recipient_id=new).execution_options(synchronize_session=False)
    )
    _history(session, referral, "moved_to_telegram", now, "bewoner gaat verder via Telegram")
    return referral
