"""Finding the wijkteam by postcode, and opening hours."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock, i18n, settings
from bot.directory import lookup
from bot.postcode import find_postcode
from bot.store.database import session_scope

OPENS, CLOSES = 9, 17  # most wijkteam offices: weekdays 9:00-17:00 (clock.is_after_hours)


def validated_postcode(value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """Shared by both forms that ask for the postcode."""
    postcode = find_postcode(str(value or ""))
    if postcode is None:
        dispatcher.utter_message(response="utter_postcode_invalid")
    return {"postcode": postcode}


class ValidatePostcodeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_postcode_form"

    def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return validated_postcode(value, dispatcher)


class ActionFindWijkteam(Action):
    """The team for the postcode from the directory, and whether it is open now."""

    def name(self) -> str:
        return "action_find_wijkteam"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        postcode, language, now = tracker.get_slot("postcode"), tracker.get_slot("language"), clock.now()
        with session_scope(settings.load().database_url) as session:
            team = lookup.team_for_postcode(session, postcode)
            if team is None:
                dispatcher.utter_message(response="utter_wijkteam_for_postcode", postcode=postcode)
                return []
            dispatcher.utter_message(
                response="utter_wijkteam_found", postcode=postcode, team=team.name,
                address=team.address, phone=team.phone,
            )
            closes = lookup.closes_at(team, now)
            if closes is not None:
                dispatcher.utter_message(response="utter_wijkteam_open_now", closes=i18n.format_clock(closes, language))
            else:
                opening = lookup.next_opening(team, now)
                dispatcher.utter_message(
                    response="utter_wijkteam_closed_now",
                    when=i18n.format_moment(opening, language, now) if opening else "",
                )
        return []


def next_opening(moment: datetime) -> datetime:
    """The next weekday 9:00 after `moment` (or today's, before 9:00 on a weekday)."""
    candidate = moment.replace(hour=OPENS, minute=0, second=0, microsecond=0)
    if candidate <= moment:
        candidate += timedelta(days=1)
    while candidate.weekday() >= 5:
        candidate += timedelta(days=1)
    return candidate  # wall-clock arithmetic: 9:00 stays 9:00 across a DST change


def hours_until(start: datetime, end: datetime) -> int:
    """Whole hours, rounded up; in UTC, since subtracting two Amsterdam times ignores DST."""
    elapsed = end.astimezone(timezone.utc) - start.astimezone(timezone.utc)
    return max(1, math.ceil(elapsed.total_seconds() / 3600))


class ActionOpeningHours(Action):
    def name(self) -> str:
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        language = tracker.get_slot("language")
        now = clock.now()
        opens = i18n.format_clock(now.replace(hour=OPENS, minute=0), language)
        closes = i18n.format_clock(now.replace(hour=CLOSES, minute=0), language)
        if not clock.is_after_hours(now):
            dispatcher.utter_message(response="utter_opening_hours_open", opens=opens, closes=closes)
        else:
            opening = next_opening(now)
            hours = hours_until(now, opening)
            dispatcher.utter_message(
                response="utter_opening_hours_closed",
                day=i18n.format_day(opening, language),
                opens=opens,
                closes=closes,
                opens_in=i18n.ngettext("over {n} uur", "over {n} uur", hours, language),
            )
        dispatcher.utter_message(response="utter_opening_hours_evening")
        return []
