"""Housekeeping that runs next to the bot: offers that time out, notifications to send."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timedelta

from bot import clock
from bot.handoff import outbox, referrals
from bot.settings import Settings
from bot.store.database import session_scope

logger = logging.getLogger(__name__)
# How often offers are checked for expiry and due notifications sent (a test sets it low).
INTERVAL_SECONDS = float(os.environ.get("WIJKBRUG_HOUSEKEEPING_SECONDS", "20"))


def default_delivery(settings: Settings) -> outbox.Delivery:
    """Until Telegram delivery exists (issue 6): a file coordinators can read."""
    return outbox.FileDelivery(settings.var_dir / "notifications.jsonl")


PURGE_EVERY = timedelta(hours=1)
_last_purge: dict = {}  # database url -> when this process last purged it


async def housekeeping(settings: Settings, delivery: outbox.Delivery, now: datetime | None = None) -> None:
    now = now or clock.now()
    with session_scope(settings.database_url) as session:
        expired = referrals.expire_offers(session, now, settings)
    if expired:
        logger.info("%d handoff offer(s) expired and went on", expired)
    await outbox.deliver_due(settings.database_url, delivery, now)
    purge_if_due(settings, now)


def purge_if_due(settings: Settings, now: datetime) -> int:
    """Retention, scheduled: requests that ended more than RETENTION_DAYS ago are deleted
    (with their history, notifications and relays) once an hour by each running process."""
    last = _last_purge.get(settings.database_url)
    if last is not None and now - last < PURGE_EVERY:
        return 0
    _last_purge[settings.database_url] = now
    with session_scope(settings.database_url) as session:
        removed = referrals.purge(session, now, settings.retention_days)
    if removed:
        logger.info("retention: %d ended request(s) older than %d days deleted", removed, settings.retention_days)
    return removed


async def run_forever(settings: Settings, delivery: outbox.Delivery) -> None:
    while True:
        try:
            await housekeeping(settings, delivery)
        except Exception:  # noqa: BLE001 - keep going; the next round retries
            logger.exception("handoff housekeeping failed")
        await asyncio.sleep(INTERVAL_SECONDS)
