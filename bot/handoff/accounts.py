"""Linking a volunteer's or contact's Telegram account, with a one-time invite code.

A coordinator creates the code (`wijkbrug invite CODE`); the person sends it to the bot
(`/start CODE` or the t.me link); from then on that chat receives their offers. A chat
that is not linked never sees a resident's data.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.tables import PERSON_MODELS, Contact, Invite, Volunteer, aware, utc

INVITE_DAYS = 7
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


@dataclass(frozen=True)
class Person:
    kind: str  # volunteer | contact
    id: int
    name: str
    languages: Tuple[str, ...]

    @property
    def key(self) -> Tuple[str, int]:
        return self.kind, self.id


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def find_person(session: Session, kind: str, code: str):
    model = PERSON_MODELS[kind]
    return session.execute(select(model).where(model.code == code)).scalar_one_or_none()


def create_invite(session: Session, kind: str, person_id: int, now: datetime) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    session.add(Invite(
        code_hash=_hash(code), created_at=utc(now), expires_at=utc(now + timedelta(days=INVITE_DAYS)),
        volunteer_id=person_id if kind == "volunteer" else None,
        contact_id=person_id if kind == "contact" else None,
    ))
    return code


def redeem(session: Session, code: str, chat_id: int | str, now: datetime) -> Person | None:
    """Links the chat to the invite's person; None for an unknown, used or expired code."""
    invite = session.execute(select(Invite).where(Invite.code_hash == _hash(code))).scalar_one_or_none()
    if invite is None or invite.used_at is not None or aware(invite.expires_at) < now:
        return None
    invite.used_at = utc(now)
    record = session.get(Volunteer, invite.volunteer_id) if invite.volunteer_id else session.get(Contact, invite.contact_id)
    # One chat, one person: unlink the chat from anyone it was linked to before.
    for model in (Volunteer, Contact):
        for other in session.execute(select(model).where(model.telegram_chat_id == str(chat_id))).scalars():
            other.telegram_chat_id = None
    record.telegram_chat_id = str(chat_id)
    return _person(record)


def _person(record) -> Person:
    kind = "volunteer" if isinstance(record, Volunteer) else "contact"
    return Person(kind, record.id, record.name, tuple(record.languages.split()))


def person_for_chat(session: Session, chat_id: int | str) -> Person | None:
    for model in (Volunteer, Contact):
        record = session.execute(
            select(model).where(model.telegram_chat_id == str(chat_id), model.active.is_(True))
        ).scalar_one_or_none()
        if record is not None:
            return _person(record)
    return None


def chat_of(session: Session, kind: str, person_id: int) -> str | None:
    record = session.get(PERSON_MODELS[kind], person_id)
    return record.telegram_chat_id if record is not None else None
