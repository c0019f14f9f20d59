"""Which channel owns which conversation, and how a REST request names its own.

A conversation id says its channel: "tg-<chat id>" (Telegram), "wa-<...>" (WhatsApp, issue 18),
"web-<random>" (the web chat), "rest-<keyed hash>" (any other REST client). A channel facing the internet only ever reaches
its own kind, and the id it reaches is computed here from something only the owner has:

- the web chat gets a token from the server (POST /webchat/conversation): "w1.<random>.<sig>",
  signed with a key derived from the server's secret. Only a token we signed opens
  "web-<random>"; the id itself, as shown in `wijkbrug referrals`, opens nothing.
- any other REST client picks its own `sender`, as with Rasa's REST channel; it becomes
  "rest-" + HMAC(key, sender). Whatever it sends ("tg-123", another web id) stays inside the
  REST namespace, and an id seen in a listing cannot be turned back into its sender.

The terminal (`wijkbrug chat --sender`) is trusted: it has the database anyway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_PREFIX = "w1."
WEB, REST, TELEGRAM, WHATSAPP = "web-", "rest-", "tg-", "wa-"
# The prefixes each channel may reach; None: any (a trusted local tool).
OWNED = {"rest": (WEB, REST), "telegram": (TELEGRAM,), "whatsapp": (WHATSAPP,), "cmdline": None}


class UnknownToken(ValueError):
    """A web chat token we did not sign (forged, or signed with a key since replaced)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(key: bytes, random_part: str) -> str:
    return _b64(hmac.new(key, random_part.encode(), hashlib.sha256).digest()[:18])


def issue_web_token(key: bytes) -> str:
    random_part = _b64(secrets.token_bytes(16))  # 128 bits
    return f"{TOKEN_PREFIX}{random_part}.{_signature(key, random_part)}"


def web_conversation(key: bytes, token: str) -> str:
    """The conversation a web chat token opens; UnknownToken when we did not sign it."""
    try:
        random_part, signature = token[len(TOKEN_PREFIX):].split(".")
    except ValueError:
        raise UnknownToken("malformed") from None
    if not hmac.compare_digest(signature.encode(), _signature(key, random_part).encode()):
        raise UnknownToken("bad signature")
    return WEB + random_part


def rest_conversation(key: bytes, sender: str) -> str:
    return REST + hmac.new(key, sender.encode(), hashlib.sha256).hexdigest()[:32]


def for_rest_sender(web_key: bytes, rest_key: bytes, sender: str) -> str:
    """The conversation a REST request's `sender` opens (UnknownToken: a bad web token)."""
    if sender.startswith(TOKEN_PREFIX):
        return web_conversation(web_key, sender)
    return rest_conversation(rest_key, sender)


def owns(channel: str, conversation: str) -> bool:
    prefixes = OWNED.get(channel, ())
    return prefixes is None or conversation.startswith(prefixes)
