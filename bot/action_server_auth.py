"""The action server answers only the bot: every request but /health must carry
`Authorization: Bearer <token>`, the token derived from the server's secret
(bot/server_key.py). Checked before rasa_sdk sees the request, so a hand-made tracker
posted by anyone else runs no action (it could otherwise make a referral for any sender)."""

from __future__ import annotations

import hmac
import logging

from sanic import Sanic, response
from sanic.request import Request

logger = logging.getLogger(__name__)
OPEN_PATHS = ("/health",)  # tells only that the server runs, for process supervisors


def authorised(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def require_token(app: Sanic, token: str) -> None:
    @app.on_request
    async def check(request: Request):
        if request.path in OPEN_PATHS or authorised(request, token):
            return None
        logger.warning("action server: a request without the bot's token was refused")
        return response.json({"error": "unauthorised"}, status=401)
