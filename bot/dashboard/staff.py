"""Creating and changing staff accounts (used by `wijkbrug staff` and the demo setup)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import LANGUAGES
from bot.dashboard import auth
from bot.store.tables import Contact, Municipality, StaffAccount, Team, utc

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
DEMO_USERNAME = "coordinator"


class AccountError(ValueError):
    pass


def _by_code(session: Session, model, code: str | None, what: str):
    if code is None:
        return None
    found = session.execute(select(model).where(model.code == code)).scalar_one_or_none()
    if found is None:
        raise AccountError(f"no {what} with code {code!r}")
    return found


def create(session: Session, *, username: str, name: str, role: str, password: str, municipality: str,
           team: str | None, contact: str | None, language: str, now: datetime) -> StaffAccount:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("username: 2-60 characters a-z, 0-9, '.', '_' or '-'")
    if auth.find_account(session, username) is not None:
        raise AccountError(f"username {username!r} is taken")
    if role not in ("member", "coordinator"):
        raise AccountError("role: member or coordinator")
    if language not in LANGUAGES:
        raise AccountError(f"language: one of {', '.join(LANGUAGES)}")
    place = _by_code(session, Municipality, municipality, "municipality")
    team_record = _by_code(session, Team, team, "team")
    contact_record = _by_code(session, Contact, contact, "contact")
    if role == "member" and team_record is None:
        raise AccountError("a team member needs --team")
    if team_record is not None and team_record.municipality_id != place.id:
        raise AccountError(f"team {team!r} is not in {municipality!r}")
    if contact_record is not None and contact_record.team.municipality_id != place.id:
        raise AccountError(f"contact {contact!r} is not in {municipality!r}")
    try:
        hashed = auth.hash_password(password)
    except auth.PasswordTooShort as error:
        raise AccountError(str(error)) from None
    account = StaffAccount(
        username=username, name=name.strip() or username, password_hash=hashed, role=role,
        municipality=place, team=team_record, contact=contact_record, language=language, active=True,
        created_at=utc(now),
    )
    session.add(account)
    session.flush()
    return account


def set_password(session: Session, username: str, password: str) -> StaffAccount:
    account = auth.find_account(session, username)
    if account is None:
        raise AccountError(f"no account {username!r}")
    try:
        account.password_hash = auth.hash_password(password)
    except auth.PasswordTooShort as error:
        raise AccountError(str(error)) from None
    auth.end_all_sessions(session, account.id)
    return account


def deactivate(session: Session, username: str) -> StaffAccount:
    account = auth.find_account(session, username)
    if account is None:
        raise AccountError(f"no account {username!r}")
    account.active = False
    auth.end_all_sessions(session, account.id)
    return account


def demo_account(session: Session, now: datetime) -> str | None:
    """For `make run` on the embedded database: when there is no account at all, a
    coordinator for the first municipality with a random password, returned once."""
    if session.execute(select(StaffAccount.id).limit(1)).first() is not None:
        return None
    place = session.execute(select(Municipality).order_by(Municipality.id).limit(1)).scalar_one_or_none()
    if place is None:
        return None
    password = secrets.token_urlsafe(12)
    create(session, username=DEMO_USERNAME, name="Coördinator (demo)", role="coordinator", password=password,
           municipality=place.code, team=None, contact=None, language="nl", now=now)
    return password
