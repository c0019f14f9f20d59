"""Staff accounts, login sessions, CSRF tokens and the login rate limit.

Passwords are hashed with argon2id (argon2-cffi's defaults). The session cookie holds a
random token; the database keeps only its SHA-256, so a leaked database opens no session.
Each session has its own CSRF token, which every form sends back. Failed logins are
counted per username and per address (both hashed) in the database, so the limit holds
across several dashboard processes.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.store.database import session_scope
from bot.store.tables import LoginFailure, StaffAccount, StaffSession, aware, utc

SESSION_HOURS = 12  # a working day; after that, log in again
IDLE_MINUTES = 120  # unused this long: logged out
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verifying against this when the username is unknown costs the same time as a real check,
# so response times do not tell which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class PasswordTooShort(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def find_account(session: Session, username: str) -> StaffAccount | None:
    return session.execute(
        select(StaffAccount).where(StaffAccount.username == username.strip().lower())
    ).scalar_one_or_none()


def check_password(session: Session, username: str, password: str) -> StaffAccount | None:
    """The active account whose password this is, or None (same cost either way)."""
    account = find_account(session, username)
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


# --- rate limit ------------------------------------------------------------------------

def _failure_keys(username: str, address: str) -> tuple[str, str]:
    return _digest("user:" + username.strip().lower()), _digest("address:" + address)


def claim_attempt(session: Session, username: str, address: str, now: datetime) -> list[int]:
    """Counts this attempt as a failure before the password is checked; commit it, then
    ask seconds_locked. Of any number of attempts at the same moment, each one counts all
    that were claimed before it, so no more than the limit get to try a password. A
    successful or refused attempt is taken back with release_attempt."""
    session.execute(delete(LoginFailure).where(LoginFailure.at < utc(now - FAILURE_WINDOW)))
    rows = [LoginFailure(key=key, at=utc(now)) for key in _failure_keys(username, address)]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def release_attempt(session: Session, attempt: list[int]) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt)))


def seconds_locked(session: Session, username: str, address: str, now: datetime) -> int:
    """How long this username or address must wait (0: this attempt may check a password).
    The attempt itself is already counted (claim_attempt)."""
    since = utc(now - FAILURE_WINDOW)
    waits = []
    for key, limit in zip(_failure_keys(username, address), (MAX_FAILURES_PER_USER, MAX_FAILURES_PER_ADDRESS)):
        count, first = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.key == key, LoginFailure.at > since)
        ).one()
        if count > limit:
            waits.append(max(1, math.ceil((aware(first) + FAILURE_WINDOW - now).total_seconds())))
    return max(waits, default=0)


def attempt_login(database_url: str, username: str, password: str, address: str, now: datetime):
    """("locked", seconds) | ("bad", None) | ("ok", cookie token). Slow on purpose (argon2):
    run it in a thread."""
    with session_scope(database_url) as session:  # committed before anything is counted
        attempt = claim_attempt(session, username, address, now)
    with session_scope(database_url) as session:
        wait = seconds_locked(session, username, address, now)
        if wait:  # a refused attempt is no failure: a flood must not keep the lock for ever
            release_attempt(session, attempt)
            return "locked", wait
        account = check_password(session, username, password)
        if account is None:
            return "bad", None  # the claimed rows stay: this was a failure
        release_attempt(session, attempt)
        clear_failures(session, username)
        purge_expired(session, now)
        return "ok", start_session(session, account, now)


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == _failure_keys(username, "")[0]))


# --- sessions --------------------------------------------------------------------------

@dataclass(frozen=True)
class LoggedIn:
    account: StaffAccount
    csrf_token: str


def start_session(session: Session, account: StaffAccount, now: datetime) -> str:
    """A new session for the account; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(
        token_hash=_digest(token), staff_id=account.id, csrf_token=secrets.token_urlsafe(32),
        created_at=utc(now), last_seen_at=utc(now), expires_at=utc(now + timedelta(hours=SESSION_HOURS)),
    ))
    return token


def current(session: Session, token: str | None, now: datetime) -> LoggedIn | None:
    """The account behind a cookie token, if the session is still valid; marks it used."""
    if not token:
        return None
    record = session.execute(
        select(StaffSession).where(StaffSession.token_hash == _digest(token))
    ).scalar_one_or_none()
    if record is None:
        return None
    idle = aware(record.last_seen_at) + timedelta(minutes=IDLE_MINUTES) < now
    if aware(record.expires_at) < now or idle:
        session.delete(record)
        return None
    account = session.get(StaffAccount, record.staff_id)
    if account is None or not account.active:
        return None
    record.last_seen_at = utc(now)
    return LoggedIn(account, record.csrf_token)


def purge_expired(session: Session, now: datetime) -> None:
    """Sessions that can no longer be used are deleted (run at every login)."""
    idle_since = utc(now - timedelta(minutes=IDLE_MINUTES))
    session.execute(delete(StaffSession).where(
        (StaffSession.expires_at < utc(now)) | (StaffSession.last_seen_at < idle_since)))


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def end_all_sessions(session: Session, account_id: int) -> None:
    """After a password change or deactivation: every browser logs in again."""
    session.execute(delete(StaffSession).where(StaffSession.staff_id == account_id))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())
