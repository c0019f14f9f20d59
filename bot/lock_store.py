"""One conversation's messages one at a time across bot workers: a Redis mutex per
conversation, behind Rasa's LockStore interface.

Rasa 3.6's RedisLockStore hands out tickets with a GET and then a SET of the whole lock, so
two workers can take the same ticket at the same moment and both go ahead: under load on
this machine, tests/test_production.py lost a resident's message that way. redis-py's lock
takes the key with SET NX and releases it with a script, atomically; it expires after
`lock_lifetime` seconds, so a worker killed while holding it does not block the resident
for ever.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncGenerator
from urllib.parse import urlsplit

from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, TicketLock

KEY_PREFIX = "wijkbrug:conversation-lock:"
POLL_SECONDS = 0.01


class RedisMutexLockStore(LockStore):
    def __init__(self, url: str) -> None:
        import redis.asyncio

        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"LOCK_STORE_URL must be redis://host:port/db, got {parts.scheme!r}")
        super().__init__()
        self.red = redis.asyncio.Redis.from_url(url)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = POLL_SECONDS) -> AsyncGenerator[TicketLock, None]:
        mutex = self.red.lock(KEY_PREFIX + conversation_id, timeout=lock_lifetime, sleep=POLL_SECONDS,
                              blocking_timeout=lock_lifetime)
        if not await mutex.acquire():
            raise LockError(f"Could not acquire the lock of a conversation within {lock_lifetime} s")
        try:
            yield TicketLock(conversation_id)
        finally:
            try:
                await mutex.release()
            except Exception:  # noqa: BLE001 - it expired meanwhile: nothing left to release
                pass

    # Rasa's ticket bookkeeping is not used: the mutex is the whole lock.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        pass

    def save_lock(self, lock: TicketLock) -> None:
        pass
