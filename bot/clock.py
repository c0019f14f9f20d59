"""The one clock of wijkbrug: Europe/Amsterdam, overridable for tests and demos.

`--now` on the command line and WIJKBRUG_NOW in the environment set the current time, so
after-hours behaviour can be tested at any hour of the day. WIJKBRUG_NOW=@FILE reads the
time from FILE at every call, so a demo or a test can move a running server's clock (an
offer expiring half an hour later, say).
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def parse_iso(value: str) -> datetime:
    """An ISO-8601 time; without an offset it is read as Amsterdam local time."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(AMSTERDAM)


def now() -> datetime:
    """The current time in Europe/Amsterdam, or WIJKBRUG_NOW when it is set."""
    override = os.environ.get("WIJKBRUG_NOW")
    if override and override.startswith("@"):
        with open(override[1:], encoding="utf-8") as f:
            override = f.read()
    if override:
        return parse_iso(override)
    return datetime.now(AMSTERDAM)


def is_after_hours(moment: datetime | None = None) -> bool:
    """Evenings (from 17:00), nights and weekends: when wijkteam offices are closed."""
    moment = (moment or now()).astimezone(AMSTERDAM)
    return moment.weekday() >= 5 or not (9 <= moment.hour < 17)
