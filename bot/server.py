"""The HTTP server of `make run`: Rasa-compatible REST channel, web chat page, health.

POST /webhooks/rest/webhook takes {"sender", "message", "metadata"} and answers
[{"recipient_id", "text", "buttons"?}], as Rasa's REST channel does. The conversation a
request reaches is computed from its `sender` (bot/conversations.py): a web chat token from
POST /webchat/conversation opens that web chat's conversation; any other sender opens a
conversation of its own inside the REST namespace, never a Telegram, WhatsApp or terminal one.
Requests are bounded: body size, metadata size and depth, messages per conversation and per
client address.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from pathlib import Path

from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge
from sanic.request import Request

from bot import LANGUAGES, client_address, conversations, server_key, static_files, telegram_channel
from bot.handoff import service
from bot.ratelimit import RateLimiter, slow_down
from bot.runtime import load_bot
from bot.settings import Settings
from bot.webchat import page

logger = logging.getLogger(__name__)
WEBCHAT_STATIC = Path(__file__).resolve().parent / "webchat" / "static"
MAX_MESSAGE_CHARS = 4000
# A chat message of 4,000 characters is at most 24 KB as JSON (\uXXXX escapes); anything
# bigger is not a chat message. Telegram updates may be larger: 1 MB for the whole server.
MAX_REST_BODY = 32 * 1024
MAX_REQUEST_BODY = 1024 * 1024
MAX_METADATA_BYTES = 2048
MAX_METADATA_DEPTH = 4
NEW_CONVERSATIONS_PER_ADDRESS = (30, 60.0)  # a web chat tab asks once


class BadRequest(ValueError):
    """What was wrong with a REST request, said plainly in the 400 answer."""


def depth(value, limit: int) -> int:
    """Nesting depth of a JSON value, stopping as soon as it passes `limit`."""
    if limit < 0 or not isinstance(value, (dict, list)):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((depth(child, limit - 1) for child in children), default=0)


def parse_rest_body(raw: bytes) -> tuple[str, str, dict]:
    """(sender, message, metadata) of a REST request, or BadRequest."""
    try:
        body = json.loads(raw or b"null")
    except RecursionError:
        raise BadRequest(f"JSON nested too deeply (metadata: at most {MAX_METADATA_DEPTH} levels)") from None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadRequest('expected JSON {"sender": str, "message": str, "metadata"?: {}}')
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not sender or not isinstance(text, str):
        raise BadRequest('expected JSON {"sender": str, "message": str, "metadata"?: {}}')
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadRequest("metadata must be a JSON object")
    if len(json.dumps(metadata)) > MAX_METADATA_BYTES or depth(metadata, MAX_METADATA_DEPTH) > MAX_METADATA_DEPTH:
        raise BadRequest(f"metadata is limited to {MAX_METADATA_BYTES} bytes and {MAX_METADATA_DEPTH} levels")
    # Only what the bot reads is kept with the conversation: an explicit language choice.
    kept = {"language": metadata["language"]} if metadata.get("language") in LANGUAGES else {}
    return sender, text[:MAX_MESSAGE_CHARS], kept


def create_app(settings: Settings, in_process_actions: bool = False) -> Sanic:
    app = Sanic("wijkbrug")
    app.config.RESPONSE_TIMEOUT = 60
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BODY
    web_key = server_key.derive(settings.var_dir, "webchat")
    rest_key = server_key.derive(settings.var_dir, "rest")
    per_conversation = RateLimiter(*settings.rest_limit_conversation)
    per_address = RateLimiter(*settings.rest_limit_address)
    new_conversations = RateLimiter(*NEW_CONVERSATIONS_PER_ADDRESS)

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

    def too_many(limiter: RateLimiter, key, sender: str, language: str | None):
        return response.json([{"recipient_id": sender, "text": slow_down(language)}], status=429,
                             headers={"Retry-After": str(limiter.retry_after(key))})

    @app.post("/webchat/conversation")
    async def new_web_conversation(request: Request):
        """A new web chat conversation: a token only this server can make (kept per tab)."""
        address = client_address.of_request(request, settings.trusted_proxies)
        if not new_conversations.allow(address):
            return response.json({"error": "too many new conversations from this address"}, status=429,
                                 headers={"Retry-After": str(new_conversations.retry_after(address))})
        return response.json({"sender": conversations.issue_web_token(web_key)},
                             headers={"Cache-Control": "no-store"})

    @app.post("/webhooks/rest/webhook")
    async def rest_webhook(request: Request):
        if len(request.body or b"") > MAX_REST_BODY:
            return response.json({"error": f"a chat message is at most {MAX_REST_BODY} bytes of JSON"}, status=413)
        try:
            sender, text, metadata = parse_rest_body(request.body)
            conversation = conversations.for_rest_sender(web_key, rest_key, sender)
        except BadRequest as error:
            return response.json({"error": str(error)}, status=400)
        except conversations.UnknownToken:
            return response.json({"error": "unknown web chat conversation: get a new one from "
                                           "POST /webchat/conversation"}, status=401)
        bot = app.ctx.bot
        address = client_address.of_request(request, settings.trusted_proxies)
        for limiter, key in ((per_address, address), (per_conversation, conversation)):
            if not limiter.allow(key):
                return too_many(limiter, key, sender, metadata.get("language") or bot.language_of(conversation))
        try:
            messages = await bot.handle(conversation, text, metadata, channel="rest")
        except Exception as error:  # the resident gets an answer, the log gets no text
            logger.error("REST message failed: %s", type(error).__name__, exc_info=error)
            messages = [{"text": bot.sorry(conversation)}]
        # The client knows its conversation by its own sender, as with Rasa's REST channel.
        return response.json([{**message, "recipient_id": sender} for message in messages])

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
        except (ValueError, RecursionError):
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

    static_files.register(app, "/webchat", WEBCHAT_STATIC, "webchat_static")

    @app.on_response
    async def nosniff(_request: Request, resp) -> None:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")

    @app.exception(NotFound, MethodNotSupported)
    async def not_found(_request: Request, _error):
        return response.json({"error": "not found"}, status=404)

    @app.exception(PayloadTooLarge)
    async def too_large(_request: Request, _error):
        return response.json({"error": "request too large"}, status=413)

    @app.exception(Exception)
    async def failed(_request: Request, error: Exception):
        logger.error("request failed: %s", type(error).__name__, exc_info=error)
        status = getattr(error, "status_code", 500)
        return response.json({"error": "bad request" if status == 400 else "failed"},
                             status=status if 400 <= status < 600 else 500)

    return app


def webchat_headers(settings: Settings) -> dict:
    """Only our own server as a source; framed only by the sites in WEBCHAT_EMBED_ORIGINS."""
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                                   f"form-action 'self'; frame-ancestors {settings.webchat_embed_origins}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
