"""The relay on Telegram: the accepted volunteer and the resident talk through the bot.

The volunteer taps "Chat starten" under an accepted request (only when the resident chose
to be contacted in the chat). From then on text from either side is passed on: the
resident sees the volunteer's first name, the volunteer sees "Bewoner #ID"; neither sees
the other's Telegram account. The bot's own dialogue is paused (Rasa's ConversationPaused)
and resumes when either side ends with /einde or the button; the resident is then asked
how it went. A crisis message from the resident is still answered by the bot at once (and
passed on, with a note to the volunteer that the emergency numbers were shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import MessageLimit
from telegram.ext import ContextTypes

from bot import clock, i18n
from bot.handoff import accounts, referrals, relay
from bot.handoff.outbox import telegram_conversation
from bot.i18n import _
from bot.settings import Settings
from bot.store.database import session_scope
from bot.store.tables import Referral, Relay
from bot.telegram_volunteers import buttons, follow_up_buttons, language_of, linked_person, say

END_COMMANDS = ["einde", "bitir", "khalas", "kaba"]  # nl, tr, ar (خلاص), pap
END_RELAY = _("Gesprek beëindigen")
STARTED_FOR_PERSON = _("Het gesprek over aanvraag #{id} is begonnen. Wat je hier typt, gaat naar de bewoner; de bewoner ziet alleen je voornaam. Stoppen: /einde.")
STARTED_FOR_RESIDENT = _("{name} is nu in dit gesprek. Wat u hier schrijft, gaat naar {name}. {name} ziet uw naam en nummer van Telegram niet. Stoppen kan met /einde.")
FROM_RESIDENT = _("Bewoner (aanvraag #{id}):")
ENDED_FOR_PERSON = _("Het gesprek over aanvraag #{id} is afgelopen.")
ENDED_FOR_RESIDENT = _("Het gesprek met {name} is afgelopen. Hoe ging het?")
GOOD = _("Goed")
NOT_GOOD = _("Niet goed")
THANKS = _("Dank u wel. U kunt hier altijd weer een vraag stellen.")
SAFETY_SHOWN = _("Let op: de bewoner schreef iets wat op nood lijkt en kreeg de noodnummers (112, Veilig Thuis, 113) te zien.")
CANNOT_START = _("Een gesprek via de bot kan hier niet: de bewoner wil gebeld worden, gebruikt (nog) geen Telegram, of een van jullie is al in gesprek.")
NO_CONVERSATION = _("Er loopt nu geen gesprek. Met /mijn zie je je aanvragen, met /beschikbaar je beschikbaarheid.")
ONLY_TEXT = _("Alleen tekst gaat door naar de ander.")
RELAY_BUTTON = r"^relay:(start|end|good|bad):\d+$"


@dataclass(frozen=True)
class Sides:
    """The two ends of a relay, read once: where to write and in which language."""

    referral_id: int
    resident_chat: int
    resident_language: str
    person_chat: int
    person_language: str
    name: str  # the person's first name, all the resident sees of them


def sides(session, open_relay: Relay) -> Sides:
    name, _organisation = referrals.person_name(session, (open_relay.person_kind, open_relay.person_id))
    return Sides(
        referral_id=open_relay.referral_id, resident_chat=int(open_relay.resident_chat),
        resident_language=session.get(Referral, open_relay.referral_id).language,
        person_chat=int(open_relay.person_chat),
        person_language=language_of(accounts.person_for_chat(session, open_relay.person_chat)),
        name=name.split()[0],
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, bot, settings: Settings, referral_id: int) -> None:
    """The volunteer tapped "Chat starten"."""
    query = update.callback_query
    person = linked_person(settings, update.effective_chat.id)
    language = language_of(person)
    try:
        with session_scope(settings.database_url) as session:
            if person is None:
                raise referrals.NotAllowed("not linked")
            two = sides(session, relay.start(session, referral_id, person.key, clock.now()))
    except referrals.NotAllowed:
        await query.answer(say(language, CANNOT_START), show_alert=True)
        return
    await query.answer()
    await bot.pause(telegram_conversation(two.resident_chat))
    await query.edit_message_text(say(language, STARTED_FOR_PERSON, id=referral_id),
                                  reply_markup=buttons(language, (END_RELAY, f"relay:end:{referral_id}")))
    await context.bot.send_message(two.resident_chat, say(two.resident_language, STARTED_FOR_RESIDENT, name=two.name),
                                   reply_markup=buttons(two.resident_language, (END_RELAY, f"relay:end:{referral_id}")))


async def end(context: ContextTypes.DEFAULT_TYPE, bot, settings: Settings, chat_id: int) -> bool:
    """/einde or the button, from either side; False when this chat has no open relay."""
    with session_scope(settings.database_url) as session:
        open_relay, from_resident = relay.open_for_chat(session, chat_id)
        if open_relay is None:
            return False
        relay.end(session, open_relay, "resident" if from_resident else "person", clock.now())
        two = sides(session, open_relay)
    number = two.referral_id
    await bot.resume(telegram_conversation(two.resident_chat))
    await context.bot.send_message(
        two.resident_chat, say(two.resident_language, ENDED_FOR_RESIDENT, name=two.name),
        reply_markup=buttons(two.resident_language, (GOOD, f"relay:good:{number}"), (NOT_GOOD, f"relay:bad:{number}")))
    await context.bot.send_message(two.person_chat, say(two.person_language, ENDED_FOR_PERSON, id=number),
                                   reply_markup=follow_up_buttons(two.person_language, number, in_chat=True))
    return True


async def feedback(update: Update, settings: Settings, referral_id: int, rating: str) -> None:
    query = update.callback_query
    with session_scope(settings.database_url) as session:
        recorded = relay.feedback(session, referral_id, update.effective_chat.id, rating, clock.now())
        language = session.get(Referral, referral_id).language if recorded else "nl"
    await query.answer()
    if recorded:
        await query.edit_message_text(say(language, THANKS))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, bot, settings: Settings) -> None:
    """relay:start|end|good|bad:ID."""
    _kind, action, number = update.callback_query.data.split(":")
    if action == "start":
        await start(update, context, bot, settings, int(number))
    elif action == "end":
        await update.callback_query.answer()
        await end(context, bot, settings, update.effective_chat.id)
    else:
        await feedback(update, settings, int(number), "good" if action == "good" else "bad")


async def pass_on(update: Update, context: ContextTypes.DEFAULT_TYPE, bot, settings: Settings) -> bool:
    """Text in a chat with an open relay goes to the other side; False when there is none.

    A crisis message from the resident is answered by the bot as well, in the resident's
    language, and the volunteer is told that the emergency numbers were shown.
    """
    chat = update.effective_chat.id
    message = update.effective_message
    with session_scope(settings.database_url) as session:
        open_relay, from_resident = relay.open_for_chat(session, chat)
        if open_relay is None:
            return False
        two = sides(session, open_relay)
    if not message.text:
        await message.reply_text(say(two.resident_language if from_resident else two.person_language, ONLY_TEXT))
        return True
    if not from_resident:
        whole = i18n.for_display(two.resident_language, f"{two.name}: {message.text}")
        await send_labelled(context.bot, two.resident_chat, whole, f"{two.name}:", message.text)
        return True
    label = say(two.person_language, FROM_RESIDENT, id=two.referral_id)
    await send_labelled(context.bot, two.person_chat, f"{label}\n{message.text}", label, message.text)
    crisis = await bot.safety_answer(telegram_conversation(chat), message.text, two.resident_language)
    for answer in crisis:
        await context.bot.send_message(chat, answer["text"])
    if crisis:
        await context.bot.send_message(two.person_chat, say(two.person_language, SAFETY_SHOWN))
    return True


async def send_labelled(telegram_bot, chat: int, whole: str, label: str, text: str) -> None:
    """`whole` (who wrote it and what), or the label and the text as two messages when
    `whole` would pass Telegram's length limit: a full-length message is never cut or lost."""
    if len(whole) <= MessageLimit.MAX_TEXT_LENGTH:
        await telegram_bot.send_message(chat, whole)
        return
    await telegram_bot.send_message(chat, label)
    await telegram_bot.send_message(chat, text)


async def remind(update: Update, settings: Settings) -> bool:
    """A resident in a relay who taps a button or sends a command the paused dialogue would
    not answer: they are reminded who they are talking to and how to stop. False if not in one."""
    with session_scope(settings.database_url) as session:
        open_relay = relay.open_for_resident(session, update.effective_chat.id)
        if open_relay is None:
            return False
        two = sides(session, open_relay)
    await update.effective_message.reply_text(say(two.resident_language, STARTED_FOR_RESIDENT, name=two.name))
    return True


async def outside_relay(update: Update, settings: Settings) -> bool:
    """A linked volunteer or contact writing with no open relay gets a pointer, not the resident bot."""
    person = linked_person(settings, update.effective_chat.id)
    if person is None:
        return False
    await update.effective_message.reply_text(say(language_of(person), NO_CONVERSATION))
    return True
