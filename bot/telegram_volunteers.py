"""The volunteer's and contact's side of Telegram: linking, offers, accept/decline, /mijn.

A chat is linked to one person by a one-time invite code (bot.handoff.accounts). Offers
arrive with only what the resident consented to share, with Accept / Decline buttons;
after accepting, "Contact gehad" and "Afgerond" follow. Texts are in the person's first
language. Only the linked person the referral is offered to or accepted by can act on it.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import LANGUAGES, clock, i18n
from bot.handoff import accounts, availability, outbox, referrals
from bot.i18n import _
from bot.settings import Settings
from bot.store.database import session_scope
from bot.store.tables import Referral, aware

logger = logging.getLogger(__name__)

OFFER = _("Nieuwe aanvraag #{id} ({language_name}).\nVraag: {topic}\nWanneer: {window}\nContact: {contact}\nNeem je deze aanvraag aan? Graag antwoord {expires}.")
CONTACT_BY_PHONE = _("bellen op {phone}")
CONTACT_IN_CHAT = _("via de chat")
ACCEPT = _("Aannemen")
DECLINE = _("Afslaan")
CONTACTED = _("Contact gehad")
CLOSE = _("Afgerond")
ACCEPTED = _("Je hebt aanvraag #{id} aangenomen. Neem {window} contact op met de bewoner. Dank je wel!")
DECLINED = _("Je hebt aanvraag #{id} afgeslagen. Ik vraag iemand anders.")
MARKED_CONTACTED = _("Genoteerd: je hebt contact gehad over aanvraag #{id}.")
CLOSED = _("Aanvraag #{id} is afgerond. Dank je wel!")
EXPIRED = _("Aanvraag #{id} is verlopen en naar iemand anders gegaan.")
CANCELLED = _("Aanvraag #{id} is ingetrokken door de bewoner. Je hoeft niets meer te doen.")
WITHDRAWN = _("Aanvraag #{id} is door het wijkteam opgepakt. Je hoeft niets meer te doen.")
ASSIGNED = _("{by} van het wijkteam heeft aanvraag #{id} aan jou gegeven ({language_name}).\nVraag: {topic}\nWanneer: {window}\nContact: {contact}")
NOT_YOURS = _("Deze aanvraag is niet (meer) voor jou.")
NOT_LINKED = _("Dit Telegram-account is niet gekoppeld aan een vrijwilliger of medewerker.")
LINKED = _("Welkom, {name}. Hier krijg je aanvragen van bewoners. Met /mijn zie je je open aanvragen.")
BAD_INVITE = _("Deze code werkt niet (meer). Vraag je coördinator om een nieuwe.")
NONE_OPEN = _("Je hebt geen open aanvragen.")
START_RELAY = _("Chat starten")
AVAILABILITY = _("Je vaste tijden: {weekly}\nNu extra beschikbaar tot: {until}\n\nAanpassen:\n/beschikbaar tot 22:00\n/beschikbaar ma-vr 18:00-22:00; za 10:00-14:00\n/beschikbaar uit")
ON_CALL_SET = _("Genoteerd: je bent beschikbaar tot {until}.")
ON_CALL_OFF = _("Genoteerd: je bent nu niet meer extra beschikbaar. Je vaste tijden blijven.")
WEEKLY_SET = _("Genoteerd: je vaste tijden zijn nu {weekly}.")
AVAILABILITY_NOT_UNDERSTOOD = _("Dat begrijp ik niet. Schrijf bijvoorbeeld /beschikbaar tot 22:00, of /beschikbaar ma-vr 18:00-22:00, of /beschikbaar uit.")
# /beschikbaar in Dutch, /musait (tr), /mutah (ar, متاح), /disponibel (pap).
AVAILABILITY_COMMANDS = ["beschikbaar", "musait", "mutah", "disponibel"]
OPEN_LIST = _("Je open aanvragen:")


def language_of(person: accounts.Person | None) -> str:
    for language in person.languages if person else ():
        if language in LANGUAGES:
            return language
    return "nl"


def say(language: str, text: str, **values: Any) -> str:
    """A whole message: translated, filled, and marked right-to-left for Arabic."""
    return i18n.for_display(language, i18n.translate(language, text, **values))


def window_text(referral: Referral, language: str) -> str:
    return i18n.format_span(aware(referral.window_start), aware(referral.window_end), language)


def offer_text(referral: Referral, language: str, text: str = OFFER, **extra: Any) -> str:
    """An offer (or a request the team gave this person) with only what the resident consented to share."""
    contact = (i18n.translate(language, CONTACT_BY_PHONE, phone=referral.phone) if referral.contact_by == "phone"
               else i18n.translate(language, CONTACT_IN_CHAT))
    expires = i18n.format_moment(aware(referral.offer_expires_at), language, clock.now()) if referral.offer_expires_at else ""
    return say(language, text, id=referral.id, language_name=i18n.ENDONYMS.get(referral.language, referral.language),
               topic=referral.topic, window=window_text(referral, language), contact=contact, expires=expires,
               **extra)


def buttons(language: str, *pairs) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(say(language, title), callback_data=data)] for title, data in pairs])


def offer_buttons(language: str, referral_id: int) -> InlineKeyboardMarkup:
    return buttons(language, (ACCEPT, f"offer:accept:{referral_id}"), (DECLINE, f"offer:decline:{referral_id}"))


def follow_up_buttons(language: str, referral_id: int, in_chat: bool = False) -> InlineKeyboardMarkup:
    """After accepting; "Chat starten" when the resident wants to be contacted in the chat."""
    chat = [(START_RELAY, f"relay:start:{referral_id}")] if in_chat else []
    return buttons(language, *chat, (CONTACTED, f"ref:contacted:{referral_id}"), (CLOSE, f"ref:close:{referral_id}"))


class TelegramDelivery:
    """Sends outbox notifications on Telegram; people without a linked chat go to `fallback`."""

    def __init__(self, application, settings: Settings, render_resident, fallback: outbox.Delivery) -> None:
        self.application = application
        self.settings = settings
        self.render_resident = render_resident  # (response, language, variables) -> text
        self.fallback = fallback

    async def send(self, notification: Dict[str, Any]) -> str | None:
        bot = self.application.bot
        kind, recipient = notification["kind"], notification["recipient_kind"]
        if recipient == "resident":
            payload = notification["payload"]
            text = self.render_resident(payload["response"], payload["language"], payload["variables"])
            chat = int(notification["recipient_id"].removeprefix(outbox.TELEGRAM_PREFIX))
            sent = await bot.send_message(chat, text)
            return f"{chat}:{sent.message_id}"
        if recipient not in ("volunteer", "contact"):
            return await self.fallback.send(notification)
        referral_id = notification["referral"]
        with session_scope(self.settings.database_url) as session:
            chat = accounts.chat_of(session, recipient, int(notification["recipient_id"]))
            if chat is None:
                return await self.fallback.send(notification)
            person = accounts.person_for_chat(session, chat)
            language = language_of(person)
            referral = session.get(Referral, referral_id)
            if kind == "offer":
                sent = await bot.send_message(int(chat), offer_text(referral, language),
                                              reply_markup=offer_buttons(language, referral_id))
                return f"{chat}:{sent.message_id}"
            if kind == "assigned":
                sent = await bot.send_message(
                    int(chat), offer_text(referral, language, ASSIGNED, by=notification["payload"]["by"]),
                    reply_markup=follow_up_buttons(language, referral_id, referral.contact_by == "chat"))
                return f"{chat}:{sent.message_id}"
            notice = {"offer_expired": EXPIRED, "offer_withdrawn": WITHDRAWN}.get(kind, CANCELLED)
            text = say(language, notice, id=referral_id)
            earlier = outbox.sent_reference(session, referral_id, "offer", recipient, notification["recipient_id"])
        if earlier:  # the offer message itself changes, so its buttons go away
            chat_id, message_id = earlier.split(":")
            try:
                await bot.edit_message_text(text, chat_id=int(chat_id), message_id=int(message_id))
                return earlier
            except TelegramError as error:
                logger.info("could not edit an offer message (%s); sending a new one", type(error).__name__)
        sent = await bot.send_message(int(chat), text)
        return f"{chat}:{sent.message_id}"


async def link(update: Update, code: str, settings: Settings) -> bool:
    """`/start CODE`: True when the code linked this chat (the reply is sent here)."""
    with session_scope(settings.database_url) as session:
        person = accounts.redeem(session, code, update.effective_chat.id, clock.now())
    if person is None:
        await update.effective_message.reply_text(say("nl", BAD_INVITE))
        return False
    await update.effective_message.reply_text(say(language_of(person), LINKED, name=person.name.split()[0]))
    return True


def linked_person(settings: Settings, chat_id: int) -> accounts.Person | None:
    with session_scope(settings.database_url) as session:
        return accounts.person_for_chat(session, chat_id)


async def on_referral_button(update: Update, context: ContextTypes.DEFAULT_TYPE, settings: Settings) -> None:
    """offer:accept:ID, offer:decline:ID, ref:contacted:ID, ref:close:ID."""
    query = update.callback_query
    person = linked_person(settings, update.effective_chat.id)
    if person is None:
        await query.answer(say("nl", NOT_LINKED), show_alert=True)
        return
    language = language_of(person)
    _kind, action, number = query.data.split(":")
    referral_id, now = int(number), clock.now()
    try:
        with session_scope(settings.database_url) as session:
            if action == "accept":
                referral = referrals.accept(session, referral_id, person.key, now)
                text = say(language, ACCEPTED, id=referral_id, window=window_text(referral, language))
                markup = follow_up_buttons(language, referral_id, in_chat=referral.contact_by == "chat")
            elif action == "decline":
                referrals.decline(session, referral_id, person.key, now, settings)
                text, markup = say(language, DECLINED, id=referral_id), None
            elif action == "contacted":
                referrals.mark_contacted(session, referral_id, person.key, now)
                text, markup = say(language, MARKED_CONTACTED, id=referral_id), buttons(language, (CLOSE, f"ref:close:{referral_id}"))
            else:
                referrals.close(session, referral_id, person.key, now)
                text, markup = say(language, CLOSED, id=referral_id), None
    except referrals.NotAllowed:
        await query.answer(say(language, NOT_YOURS), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


async def on_mine(update: Update, context: ContextTypes.DEFAULT_TYPE, settings: Settings) -> None:
    """/mijn: the linked person's open referrals."""
    person = linked_person(settings, update.effective_chat.id)
    if person is None:
        await update.effective_message.reply_text(say("nl", NOT_LINKED))
        return
    language = language_of(person)
    with session_scope(settings.database_url) as session:
        mine = referrals.open_for(session, person.key)
        lines = [f"#{r.id} ({r.status}): {r.topic}" for r in mine]
    text = say(language, OPEN_LIST) + "\n" + "\n".join(lines) if lines else say(language, NONE_OPEN)
    await update.effective_message.reply_text(text)


async def on_availability(update: Update, context: ContextTypes.DEFAULT_TYPE, settings: Settings) -> None:
    """/beschikbaar [tot 22:00 | ma-vr 18:00-22:00; za 10:00-14:00 | uit]."""
    person = linked_person(settings, update.effective_chat.id)
    if person is None:
        await update.effective_message.reply_text(say("nl", NOT_LINKED))
        return
    language, now = language_of(person), clock.now()
    text = " ".join(context.args or [])
    try:
        with session_scope(settings.database_url) as session:
            changed = availability.apply(session, person.key, text, now) if text.strip() else None
            session.flush()
            weekly, until = availability.describe(session, person.key, now)
    except availability.NotUnderstood:
        await update.effective_message.reply_text(say(language, AVAILABILITY_NOT_UNDERSTOOD))
        return
    weekly_text = ", ".join(weekly) or "-"
    until_text = i18n.format_moment(until, language, now) if until else "-"
    reply = {None: (AVAILABILITY, {"weekly": weekly_text, "until": until_text}),
             "on_call": (ON_CALL_SET, {"until": until_text}),
             "off": (ON_CALL_OFF, {}),
             "weekly": (WEEKLY_SET, {"weekly": weekly_text})}[changed]
    await update.effective_message.reply_text(say(language, reply[0], **reply[1]))
