"""The HTTP server of `make run`: Rasa-compatible REST channel, web chat page, health.

POST /webhooks/rest/webhook takes {"sender", "message", "metadata"} and answers
[{"recipient_id", "text", "buttons"?}], as Rasa's REST channel does (so existing Rasa web
widgets work), with `metadata` passed through (the web chat sends its language choice).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from pathlib import Path

from sanic import Sanic, response
from sanic.request import Request

from bot import telegram_channel
from bot.handoff import service
from bot.runtime import load_bot
from bot.settings import Settings
from bot.webchat import page

logger = logging.getLogger(__name__)
WEBCHAT_STATIC = Path(__file__).resolve().parent / "webchat" / "static"
MAX_MESSAGE_CHARS = 4000


def create_app(settings: Settings, in_process_actions: bool = False) -> Sanic:
    app = Sanic("wijkbrug")
    app.config.RESPONSE_TIMEOUT = 60

    @app.before_server_start
    async def load(app: Sanic, _loop) -> None:
        bot = load_bot(settings, in_process_actions=in_process_actions)
        app.ctx.bot = bot
        if settings.telegram_token:
            app.ctx.telegram = await telegram_channel.start(bot, settings)
        # Offers that time out go to the next person; notifications are delivered.
        app.ctx.housekeeping = asyncio.create_task(
            service.run_forever(settings, bot.delivery)
        )

    @app.before_server_stop
    async def stop(app: Sanic, _loop) -> None:
        if getattr(app.ctx, "housekeeping", None):
            app.ctx.housekeeping.cancel()
        if getattr(app.ctx, "telegram", None):
            await telegram_channel.stop(app.ctx.telegram)

    @app.post("/webhooks/rest/webhook")
    async def rest_webhook(request: Request):
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else None
        sender, text = (body or {}).get("sender"), (body or {}).get("message")
        metadata = (body or {}).get("metadata")
        if not isinstance(sender, str) or not sender or not isinstance(text, str):
            return response.json(
                {"error": 'expected JSON {"sender": str, "message": str, "metadata"?: {}}'},
                status=400,
            )
        metadata = metadata if isinstance(metadata, dict) else {}
        try:
            messages = await app.ctx.bot.handle(
                sender[:128], text[:MAX_MESSAGE_CHARS], metadata, channel="rest"
            )
        except Exception as error:  # the resident gets an answer, the log gets no text
            logger.error("REST message failed: %s", type(error).__name__, exc_info=error)
            messages = [{"recipient_id": sender, "text": app.ctx.bot.sorry(sender[:128])}]
        return response.json(messages)

    @app.post("/telegram/webhook")
    async def telegram_webhook(request: Request):
        """Webhook mode: only requests carrying our secret (Telegram sends it as a header)."""
        application = getattr(app.ctx, "telegram", None)
        if application is None or not settings.telegram_webhook_url:
            return response.json({"error": "not found"}, status=404)
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), (settings.telegram_webhook_secret or "").encode()):
            logger.warning("Telegram webhook call with a wrong secret refused")
            return response.json({"error": "forbidden"}, status=403)
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            data = None
        if not isinstance(data, dict) or "update_id" not in data:
            return response.json({"error": "expected a Telegram update"}, status=400)
        try:
            await telegram_channel.feed(application, data)
        except telegram_channel.MalformedUpdate as error:
            logger.warning("malformed Telegram update refused: %s", error)
            return response.json({"error": "not a valid Telegram update"}, status=400)
        return response.json({"ok": True})

    @app.get("/health")
    async def health(_request: Request):
        return response.json({"status": "ok"})

    @app.get("/")
    async def webchat(request: Request):
        return response.html(page.render(request.args.get("lang")), headers=webchat_headers(settings))

    app.static("/webchat", str(WEBCHAT_STATIC), name="webchat_static")
    return app


def webchat_headers(settings: Settings) -> dict:
    """Only our own server as a source; framed only by the sites in WEBCHAT_EMBED_ORIGINS."""
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                                   f"form-action 'self'; frame-ancestors {settings.webchat_embed_origins}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
