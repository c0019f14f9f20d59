"""Telegram (python-telegram-bot 22), running in the server's event loop.

Residents: /start, free text through the bot, Rasa buttons as inline keyboards, /taal to
switch language, /stop to cancel a request, /vergeet to erase their data; voice notes,
photos, stickers, files, locations and contacts get a kind answer and are never stored.
Volunteers and contacts (bot/telegram_volunteers.py): `/start CODE` links the account,
offers arrive with Accept / Decline, /mijn lists their open requests, /beschikbaar sets
their availability. The relay (bot/telegram_relay.py) passes text between a resident and
the accepted person; /einde ends it. `/start r_CODE` moves a web chat request here.

Started by `wijkbrug serve` when TELEGRAM_BOT_TOKEN is set; TELEGRAM_BASE_URL points it at
another Bot API server (a local one in tests).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import LANGUAGES, clock, i18n, telegram_relay, telegram_volunteers
from bot.handoff import outbox, relay
from bot.i18n import _
from bot.ratelimit import RateLimiter, slow_down
from bot.store.database import session_scope
from bot.telegram_updates import PerChatUpdateProcessor

logger = logging.getLogger(__name__)
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
# /taal in Dutch, /dil in Turkish, /lugha (لغة) in Arabic, /idioma in Papiamento.
LANGUAGE_COMMANDS = ["taal", "language", "dil", "lugha", "idioma"]
LANGUAGE_ALIASES = {"ned": "nl", "turks": "tr", "turkce": "tr", "arab": "ar", "papiamentu": "pap"}
# /stop in every language; "forget me": /vergeet, /unut (tr), /insa (ar, انسَ), /lubida (pap).
STOP_COMMANDS = ["stop", "dur", "iptal", "para"]
FORGET_COMMANDS = ["vergeet", "unut", "insa", "lubida"]
# /start: who we are, in all four languages at once, and a button per language.
WELCOME = _("Welkom! Ik help u het wijkteam te bereiken, in uw eigen taal. Kies een taal:")
REFERRAL_BUTTON = r"^(offer:(accept|decline)|ref:(contacted|close)):\d+$"


def sender_id(update: Update) -> str:
    return outbox.telegram_conversation(update.effective_chat.id)


def keyboard(buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b["title"], callback_data=b["payload"])]
        for b in buttons
        if len(b["payload"].encode()) <= MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def build_application(bot, token: str, base_url: str | None = None, settings=None) -> Application:
    builder = ApplicationBuilder().token(token).concurrent_updates(PerChatUpdateProcessor())
    if base_url:
        builder = builder.base_url(f"{base_url.rstrip('/')}/bot").base_file_url(
            f"{base_url.rstrip('/')}/file/bot"
        )
    application = builder.build()
    limiter = RateLimiter()

    async def allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        chat = update.effective_chat.id
        if limiter.allow(chat):
            return True
        if limiter.first_refusal(chat):
            await context.bot.send_message(chat, slow_down())
        return False

    async def relayed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """True when a relay (or a linked volunteer's chat) took the message."""
        if settings is None:
            return False
        if await telegram_relay.pass_on(update, context, bot, settings) or await telegram_relay.outside_relay(update, settings):
            return True
        await bot.resume_if_paused(sender_id(update))
        return False

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """A command or button for the dialogue: rate-limited, and while the resident is in a
        relay (dialogue paused) a reminder of it instead."""
        if not await allowed(update, context):
            return
        if settings is not None and await telegram_relay.remind(update, settings):
            return
        await answer(update, context, text)

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """The dialogue's answer to one message, sent with its buttons as an inline keyboard."""
        for message in await bot.handle(sender_id(update), text, channel="telegram"):
            if message.get("text"):
                await context.bot.send_message(
                    update.effective_chat.id,
                    message["text"],
                    reply_markup=keyboard(message.get("buttons") or []),
                )

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.args and settings is not None and context.args[0].startswith(relay.LINK_PREFIX):
            await link_resident(update, context, context.args[0])  # from the web chat's t.me link
            return
        if context.args and settings is not None:  # /start CODE: a volunteer's invite
            await telegram_volunteers.link(update, context.args[0], settings)
            return
        text = "\n\n".join(i18n.for_display(lang, i18n.gettext(lang, WELCOME)) for lang in LANGUAGES)
        choices = [{"title": i18n.ENDONYMS[lang], "payload": f'/choose_language{{"language": "{lang}"}}'}
                   for lang in LANGUAGES]
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard(choices))

    async def link_resident(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
        chat = update.effective_chat.id
        with session_scope(settings.database_url) as session:
            referral = relay.redeem_link_code(session, code, chat, clock.now())
            language, number = (referral.language, referral.id) if referral else (None, None)
        if referral is None:  # we do not know their language yet: all four
            text = "\n\n".join(bot.agent.nlg.render("utter_handoff_telegram_link_invalid", lang, {})["text"]
                               for lang in LANGUAGES)
        else:
            await bot.set_language(sender_id(update), language)
            text = bot.agent.nlg.render("utter_handoff_telegram_linked", language, {"id": number})["text"]
        await context.bot.send_message(chat, text)
        await bot.deliver()  # news that waited for the web chat now goes here

    async def on_stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # A conversation with a volunteer ends first, then the request is cancelled.
        if settings is not None:
            await telegram_relay.end(context, bot, settings, update.effective_chat.id)
        await reply(update, context, "/cancel_request")

    async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if settings is not None:
            await telegram_relay.end(context, bot, settings, update.effective_chat.id)
        await reply(update, context, "/forget_me")

    async def on_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/einde: ends a relay; outside one it is just a word for the bot."""
        if not (settings is not None and await telegram_relay.end(context, bot, settings, update.effective_chat.id)):
            await reply(update, context, update.effective_message.text.lstrip("/"))

    async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
        if await allowed(update, context) and not await relayed(update, context):
            await answer(update, context, payload)

    async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await non_text(update, context, "/sent_voice")

    async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await non_text(update, context, "/sent_media")

    async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Only that something was shared goes on; the location or contact itself is dropped.
        await non_text(update, context, "/sent_location")

    async def on_referral_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await telegram_volunteers.on_referral_button(update, context, settings)

    async def on_mine(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await telegram_volunteers.on_mine(update, context, settings)

    async def on_availability(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await telegram_volunteers.on_availability(update, context, settings)

    async def on_relay_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await telegram_relay.on_button(update, context, bot, settings)

    async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # "/taal tr" switches at once; "/taal" alone shows the language buttons.
        code = (context.args[0].lower() if context.args else "").strip()
        code = LANGUAGE_ALIASES.get(code, code)
        payload = (
            f'/choose_language{{"language": "{code}"}}' if code in LANGUAGES else "/choose_language"
        )
        await reply(update, context, payload)

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await allowed(update, context) and not await relayed(update, context):
            await answer(update, context, update.effective_message.text)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        await reply(update, context, query.data)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The type only: an exception message may contain what the resident wrote.
        logger.error("Telegram update failed: %s", type(context.error).__name__)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None:  # a kind word instead of silence
            await context.bot.send_message(chat.id, bot.sorry(sender_id(update)))

    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler(LANGUAGE_COMMANDS, on_language))
    application.add_handler(CommandHandler(STOP_COMMANDS, on_stop))
    application.add_handler(CommandHandler(FORGET_COMMANDS, on_forget))
    application.add_handler(CommandHandler(telegram_relay.END_COMMANDS, on_end))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE, on_voice))
    application.add_handler(MessageHandler(
        filters.PHOTO | filters.Sticker.ALL | filters.Document.ALL | filters.VIDEO | filters.ANIMATION, on_media))
    application.add_handler(MessageHandler(filters.LOCATION | filters.CONTACT | filters.VENUE, on_location))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^/"))
    if settings is not None:
        application.add_handler(CommandHandler("mijn", on_mine))
        application.add_handler(CommandHandler(telegram_volunteers.AVAILABILITY_COMMANDS, on_availability))
        application.add_handler(CallbackQueryHandler(on_relay_button, pattern=telegram_relay.RELAY_BUTTON))
        application.add_handler(CallbackQueryHandler(on_referral_button, pattern=REFERRAL_BUTTON))
    application.add_error_handler(on_error)
    return application


async def start(bot, settings) -> Application:
    application = build_application(bot, settings.telegram_token, settings.telegram_base_url, settings)

    def render(response: str, language: str, variables: dict) -> str:
        return bot.agent.nlg.render(response, language, variables)["text"]

    # Notifications (offers, news for residents on Telegram) now go out on Telegram.
    bot.delivery = telegram_volunteers.TelegramDelivery(application, settings, render, fallback=bot.delivery)
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        raise RuntimeError("TELEGRAM_WEBHOOK_URL is set: set TELEGRAM_WEBHOOK_SECRET too (1-256 of A-Z a-z 0-9 _ -)")
    await application.initialize()
    await application.start()
    if settings.telegram_webhook_url:
        # Updates arrive at our own server (bot/server.py, POST /telegram/webhook).
        await application.bot.set_webhook(
            settings.telegram_webhook_url, secret_token=settings.telegram_webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        logger.info("Telegram bot: webhook")
    else:
        await application.updater.start_polling()
        logger.info("Telegram bot polling")
    return application


class MalformedUpdate(ValueError):
    """A webhook body that is JSON but not a Telegram update python-telegram-bot can read."""


async def feed(application: Application, data: dict) -> None:
    """One update from the webhook, through the same handlers polling uses, answered only
    when it has been handled: Telegram sends a chat's next update after our answer, so
    a resident's messages are handled in order even when several workers share the
    webhook (each worker orders only its own updates)."""
    try:
        update = Update.de_json(data, application.bot)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        # The type only: the update may carry what someone wrote.
        raise MalformedUpdate(type(error).__name__) from None
    await application.process_update(update)


async def stop(application: Application) -> None:
    if application.updater and application.updater.running:
        await application.updater.stop()
    await application.stop()
    await application.shutdown()
