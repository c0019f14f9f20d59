"""A volunteer's or contact's own availability, as set from Telegram with /beschikbaar.

"/beschikbaar tot 22:00" (or just "22:00"): free from now until then, on top of the weekly
windows. "/beschikbaar ma-vr 18:00-22:00; za 10:00-14:00": new weekly windows, replacing
the old ones. "/beschikbaar uit": no longer free now. Matching reads both at once.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import List, Tuple

from sqlalchemy.orm import Session

from bot.clock import AMSTERDAM
from bot.directory.windows import Window, format_window, parse_window
from bot.store.tables import PERSON_MODELS, Schedule, aware, utc

# "tot 22:00" (nl), "22:00'a kadar" (tr), "حتى 22:00" (ar), "te 22:00" (pap), "until 22:00".
_UNTIL = re.compile(r"^\s*(?:nu\s+|now\s+|simdi\s+|şimdi\s+|awor\s+)?(?:tot|until|till|hasta|te|حتى|[-–])?\s*"
                    r"(\d{1,2})[:.](\d{2})\s*(?:'?[a-zçğıöşü]{0,2}\s+kadar)?\s*$", re.IGNORECASE)
OFF_WORDS = {"uit", "off", "stop", "geen", "kapali", "kapalı", "yok", "no", "nee", "la", "لا"}


class NotUnderstood(ValueError):
    """The text is neither a time, nor weekly windows, nor "uit"."""


def until_moment(text: str, now: datetime) -> datetime | None:
    """"tot 22:00" -> today 22:00 (tomorrow when that has passed); None if not such a text."""
    match = _UNTIL.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise NotUnderstood(text)
    local = now.astimezone(AMSTERDAM)
    until = datetime.combine(local.date(), time(hour, minute), tzinfo=AMSTERDAM)
    if until <= local:
        until = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tzinfo=AMSTERDAM)
    return until


def weekly_windows(text: str) -> List[Window]:
    windows: List[Window] = []
    for part in re.split(r"[;\n]", text):
        if part.strip():
            try:
                windows.extend(parse_window(part))
            except ValueError as error:
                raise NotUnderstood(text) from error
    if not windows:
        raise NotUnderstood(text)
    return windows


def apply(session: Session, person: Tuple[str, int], text: str, now: datetime) -> str:
    """Changes the person's availability from what they typed; returns what changed:
    "on_call", "off" or "weekly". Raises NotUnderstood."""
    record = session.get(PERSON_MODELS[person[0]], person[1])
    if text.strip().lower() in OFF_WORDS:
        record.on_call_from = record.on_call_until = None
        return "off"
    until = until_moment(text, now)
    if until is not None:
        record.on_call_from, record.on_call_until = utc(now), utc(until)
        return "on_call"
    record.availability = [Schedule(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute)
                           for w in weekly_windows(text)]
    return "weekly"


def describe(session: Session, person: Tuple[str, int], now: datetime) -> Tuple[List[str], datetime | None]:
    """The weekly windows as written ("ma 18:00-22:00") and, when free now, until when."""
    record = session.get(PERSON_MODELS[person[0]], person[1])
    weekly = [format_window(w) for w in sorted(record.availability, key=lambda w: (w.weekday, w.start_minute))]
    until = aware(record.on_call_until)
    return weekly, until if until is not None and until > now else None
