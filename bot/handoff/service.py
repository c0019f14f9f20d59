"""Housekeeping that runs next to the bot: offers that time out, notifications to send."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime

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


async def housekeeping(settings: Settings, delivery: outbox.Delivery, now: datetime | None = None) -> None:
    now = now or clock.now()
    with session_scope(settings.database_url) as session:
        expired = referrals.expire_offers(session, now, settings)
    if expired:
        logger.info("%d handoff offer(s) expired and went on", expired)
    await outbox.deliver_due(settings.database_url, delivery, now)


async def run_forever(settings: Settings, delivery: outbox.Delivery) -> None:
    while True:
        try:
            await housekeeping(settings, delivery)
        except Exception:  # noqa: BLE001 - keep going; the next round retries
            logger.exception("handoff housekeeping failed")
        await asyncio.sleep(INTERVAL_SECONDS)
