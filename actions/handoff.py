"""The handoff form: what a person needs to help, and the resident's explicit consent.

Every answer can be typed in the resident's own words or given with a button. After
consent the request becomes a referral (bot.handoff.referrals), offered to a named
person; the resident hears who and when. Without consent nothing is kept.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.wijkteam import validated_postcode
from bot import answers, clock, i18n, settings
from bot.directory import lookup
from bot.handoff import referrals, relay
from bot.handoff.referrals import HandoffRequest
from bot.i18n import _
from bot.store.database import session_scope
from bot.store.tables import aware

FORM_SLOTS = (
    "handoff_topic",
    "handoff_preference",
    "handoff_window",
    "handoff_channel",
    "handoff_phone",
    "handoff_consent",
)
TOPIC_MAX_CHARS = 500

WINDOW_NAMES = {
    "now": _("Nu"),
    "today": _("Vandaag"),
    "daytime": _("Overdag, op een werkdag"),
    "tonight": _("Vanavond"),
    "tomorrow": _("Morgen overdag"),
    "tomorrow_evening": _("Morgenavond"),
    "weekend": _("In het weekend"),
}
PREFERENCE_NAMES = {
    "volunteer": _("Een vrijwilliger uit mijn eigen gemeenschap"),
    "professional": _("Iemand van het wijkteam"),
}
CALL = _("Bellen")
IN_THIS_CHAT = _("Hier in de chat")
VIA_TELEGRAM = _("Chatten via Telegram")
WEB_CHANNELS = ("rest",)  # the web chat: nobody can write back there later


def contact_choices(tracker: Tracker) -> tuple:
    """How this resident can be contacted: in the chat on Telegram; by phone or by moving
    to Telegram from the web chat (only when a Telegram bot is set up)."""
    if tracker.get_latest_input_channel() not in WEB_CHANNELS:
        return ("chat", "phone")
    return ("phone", "telegram") if settings.load().telegram_bot_username else ("phone",)


def reset_form() -> List[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    return next(tracker.get_latest_entity_values(entity), None)


def previous_value(tracker: Tracker, slot: str) -> Any:
    """A slot's value before the latest user message."""
    seen_latest_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest_message = True
        elif seen_latest_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """The phone number is asked only from residents who want a call."""
        if tracker.get_slot("handoff_channel") != "phone":
            return [slot for slot in domain_slots if slot != "handoff_phone"]
        return domain_slots

    def validate_handoff_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = " ".join(str(value or "").split())
        # Braces would be read as template variables when the summary is shown.
        text = text.replace("{", "(").replace("}", ")")[:TOPIC_MAX_CHARS]
        bare_yes_no = latest_intent(tracker) in ("affirm", "deny") and len(text.split()) <= 2
        if len(text) < 3 or text.startswith("/") or bare_yes_no:
            dispatcher.utter_message(response="utter_handoff_topic_too_short")
            return {"handoff_topic": None}
        return {"handoff_topic": text}

    def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return validated_postcode(value, dispatcher)

    def validate_handoff_preference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        if requested and requested != "handoff_preference":
            # "bel mij" while asked how to be reached reads as request_professional; the
            # preference only changes when it is the question.
            return {"handoff_preference": previous_value(tracker, "handoff_preference")}
        if value in PREFERENCE_NAMES:
            return {"handoff_preference": value}
        intent = latest_intent(tracker)
        if intent == "request_volunteer":
            return {"handoff_preference": "volunteer"}
        if intent == "request_professional":
            return {"handoff_preference": "professional"}
        language = tracker.get_slot("language")
        return {"handoff_preference": answers.preference_from_text(str(value or ""), language)}

    def validate_handoff_window(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value in WINDOW_NAMES:
            return {"handoff_window": value}
        chosen = latest_entity(tracker, "handoff_window")
        if chosen not in WINDOW_NAMES:
            chosen = answers.window_from_text(str(value or ""), tracker.get_slot("language"))
        return {"handoff_window": chosen}

    def validate_handoff_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        choices = contact_choices(tracker)
        chosen = value if value in ("chat", "phone", "telegram") else latest_entity(tracker, "handoff_channel")
        if chosen not in ("chat", "phone", "telegram"):
            chosen = answers.channel_from_text(str(value or ""), tracker.get_slot("language"))
        if chosen == "chat" and "telegram" in choices:
            chosen = "telegram"  # "chat" typed on the web chat: the chat that can write back
        return {"handoff_channel": chosen if chosen in choices else None}

    def validate_handoff_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        number = answers.phone_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(response="utter_handoff_phone_invalid")
        return {"handoff_phone": number}

    def validate_handoff_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"handoff_consent": True}
        if intent == "deny":
            return {"handoff_consent": False}
        dispatcher.utter_message(response="utter_handoff_consent_unclear")
        return {"handoff_consent": None}


def consent_summary(tracker: Tracker) -> Dict[str, str]:
    """What will be shared, in the resident's language: the form's answers, nothing else."""
    language = tracker.get_slot("language")
    window = tracker.get_slot("handoff_window")
    if tracker.get_slot("handoff_channel") == "phone":
        contact = f"{i18n.gettext(language, CALL)} {tracker.get_slot('handoff_phone')}"
    elif tracker.get_slot("handoff_channel") == "telegram":
        contact = i18n.gettext(language, VIA_TELEGRAM)
    else:
        contact = i18n.gettext(language, IN_THIS_CHAT)
    return {
        "topic": tracker.get_slot("handoff_topic") or "",
        "postcode": tracker.get_slot("postcode") or "",
        "language_name": i18n.ENDONYMS[i18n.language_or_default(language)],
        "window_name": i18n.gettext(language, WINDOW_NAMES.get(window, WINDOW_NAMES["now"])),
        "contact": contact,
    }


class ActionAskHandoffChannel(Action):
    def name(self) -> str:
        return "action_ask_handoff_channel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        choices = contact_choices(tracker)
        if "chat" in choices:
            dispatcher.utter_message(response="utter_ask_handoff_channel")
            return []
        extra = []
        if "telegram" in choices:
            title = i18n.gettext(tracker.get_slot("language"), VIA_TELEGRAM)
            extra = [{"title": title, "payload": '/inform{"handoff_channel": "telegram"}'}]
        dispatcher.utter_message(response="utter_ask_handoff_channel_web", buttons=extra)
        return []


class ActionStartCallback(Action):
    """"Can someone call me tonight? I work during the day": the handoff form starts with a
    call chosen, and the time and number when the message holds them."""

    def name(self) -> str:
        return "action_start_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text, language = tracker.latest_message.get("text") or "", tracker.get_slot("language")
        dispatcher.utter_message(response="utter_callback_ok")
        events: List[EventType] = []
        if "phone" in contact_choices(tracker):
            events.append(SlotSet("handoff_channel", "phone"))
            number = answers.phone_number(text)
            if number:
                events.append(SlotSet("handoff_phone", number))
        window = answers.window_from_text(text, language)
        if window in WINDOW_NAMES:
            events.append(SlotSet("handoff_window", window))
        return events


class ActionAskHandoffConsent(Action):
    def name(self) -> str:
        return "action_ask_handoff_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_handoff_consent", **consent_summary(tracker))
        return []


def handoff_request(tracker: Tracker) -> HandoffRequest:
    return HandoffRequest(
        conversation=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "rest",
        language=i18n.language_or_default(tracker.get_slot("language")),
        topic=tracker.get_slot("handoff_topic"),
        category=tracker.get_slot("topic"),
        preference=tracker.get_slot("handoff_preference"),
        # Moving to Telegram: the person will write in the chat there.
        contact_by="chat" if tracker.get_slot("handoff_channel") == "telegram" else tracker.get_slot("handoff_channel"),
        phone=tracker.get_slot("handoff_phone"),
        window=tracker.get_slot("handoff_window"),
        postcode=tracker.get_slot("postcode"),
    )


class ActionSubmitHandoff(Action):
    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_slot("handoff_consent") is not True:
            dispatcher.utter_message(response="utter_handoff_cancelled")
            return reset_form()
        config = settings.load()
        with session_scope(config.database_url) as session:
            outcome = referrals.create(session, handoff_request(tracker), clock.now(), config)
            link = None
            if outcome.referral is not None and tracker.get_slot("handoff_channel") == "telegram":
                code = relay.create_link_code(session, outcome.referral)
                link = f"https://t.me/{config.telegram_bot_username}?start={code}"
        dispatcher.utter_message(response=outcome.response, **outcome.variables)
        if link:
            dispatcher.utter_message(response="utter_handoff_telegram_link", link=link)
        return reset_form()


class ActionHandoffStatus(Action):
    """What happens with the resident's request, from the referral itself."""

    def name(self) -> str:
        return "action_handoff_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language, now = tracker.get_slot("language"), clock.now()
        with session_scope(settings.load().database_url) as session:
            referral = referrals.latest_open(session, tracker.sender_id)
            if referral is None:
                dispatcher.utter_message(response="utter_no_open_request")
                dispatcher.utter_message(response="utter_offer_person")
                return []
            team = {"team": referral.team.name, "team_phone": referral.team.phone}
            if referral.assignee_id is None:
                opening = lookup.next_opening(referral.team, now)
                when = i18n.format_moment(opening, language, now) if opening else ""
                dispatcher.utter_message(response="utter_handoff_status_queued", when=when, **team)
                return []
            person = (referral.assignee_kind, referral.assignee_id)
            name, organisation = referrals.person_name(session, person)
            who = {"name": name.split()[0], "organisation": organisation}
            if referral.status == "offered":
                answer_by = i18n.format_moment(aware(referral.offer_expires_at), language, now)
                dispatcher.utter_message(response="utter_handoff_status_offered", answer_by=answer_by, **who)
            elif referral.status == "accepted":
                free = referrals.first_free(session, referral, person, now)
                available = i18n.format_moment(free, language, now) if free else ""
                dispatcher.utter_message(response="utter_handoff_status_accepted", available=available, **who)
            else:
                dispatcher.utter_message(response="utter_handoff_status_contacted", **who, **team)
        return []


class ActionCancelRequest(Action):
    """"I don't need it any more": the open referral is cancelled and its person told."""

    def name(self) -> str:
        return "action_cancel_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        with session_scope(settings.load().database_url) as session:
            cancelled = referrals.cancel(session, tracker.sender_id, clock.now())
        dispatcher.utter_message(response="utter_request_cancelled" if cancelled else "utter_no_open_request")
        return []


class ActionCancelHandoff(Action):
    """"stop" in the middle of the form: nothing is passed on, the answers are dropped."""

    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return reset_form()


class ActionForgetMe(Action):
    """Confirms the erasure; bot.runtime deletes the conversation once this turn is saved."""

    def name(self) -> str:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_forgotten")
        return []
