"""Telegram for residents (python-telegram-bot 22), running in the server's event loop.

Started by `wijkbrug serve` when TELEGRAM_BOT_TOKEN is set; TELEGRAM_BASE_URL points it at
another Bot API server (a local one in tests). Rasa buttons become inline keyboards.
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

from bot import LANGUAGES

logger = logging.getLogger(__name__)
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
# /taal in Dutch, /dil in Turkish, /lugha (لغة) in Arabic, /idioma in Papiamento.
LANGUAGE_COMMANDS = ["taal", "language", "dil", "lugha", "idioma"]
LANGUAGE_ALIASES = {"ned": "nl", "turks": "tr", "turkce": "tr", "arab": "ar", "papiamentu": "pap"}


def sender_id(update: Update) -> str:
    return f"tg-{update.effective_chat.id}"


def keyboard(buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b["title"], callback_data=b["payload"])]
        for b in buttons
        if len(b["payload"].encode()) <= MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def build_application(bot, token: str, base_url: str | None = None) -> Application:
    builder = ApplicationBuilder().token(token)
    if base_url:
        builder = builder.base_url(f"{base_url.rstrip('/')}/bot").base_file_url(
            f"{base_url.rstrip('/')}/file/bot"
        )
    application = builder.build()

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        for message in await bot.handle(sender_id(update), text, channel="telegram"):
            if message.get("text"):
                await context.bot.send_message(
                    update.effective_chat.id,
                    message["text"],
                    reply_markup=keyboard(message.get("buttons") or []),
                )

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, context, "/greet")

    async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # "/taal tr" switches at once; "/taal" alone shows the language buttons.
        code = (context.args[0].lower() if context.args else "").strip()
        code = LANGUAGE_ALIASES.get(code, code)
        payload = (
            f'/choose_language{{"language": "{code}"}}' if code in LANGUAGES else "/choose_language"
        )
        await reply(update, context, payload)

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, context, update.effective_message.text)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        await reply(update, context, query.data)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The type only: an exception message may contain what the resident wrote.
        logger.error("Telegram update failed: %s", type(context.error).__name__)

    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler(LANGUAGE_COMMANDS, on_language))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^/"))
    application.add_error_handler(on_error)
    return application


async def start(bot, settings) -> Application:
    application = build_application(bot, settings.telegram_token, settings.telegram_base_url)
    await application.initialize()
    await application.start()
    await application.updater.start_polling()
    logger.info("Telegram bot polling")
    return application


async def stop(application: Application) -> None:
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
