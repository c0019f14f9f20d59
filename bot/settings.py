"""Configuration from environment variables, with embedded defaults for `make run`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    project_root: Path
    var_dir: Path
    models_dir: Path
    tracker_store_url: str
    host: str
    port: int
    action_server_url: str
    action_server_port: int
    telegram_token: str | None
    telegram_base_url: str | None
    telegram_webhook_url: str | None
    telegram_webhook_secret: str | None
    telegram_bot_username: str | None
    database_url: str
    offer_minutes: int
    escalate_minutes: int
    retention_days: int
    dashboard_host: str
    dashboard_port: int
    dashboard_secure_cookies: bool
    trusted_proxies: tuple
    webchat_embed_origins: str
    lock_store_url: str | None
    rest_limit_conversation: tuple
    rest_limit_address: tuple


def load() -> Settings:
    """Reads the environment now (not at import), so tests can set variables first."""
    root = Path(os.environ.get("WIJKBRUG_HOME", PROJECT_ROOT)).resolve()
    var_dir = Path(os.environ.get("WIJKBRUG_VAR", root / "var")).resolve()
    return Settings(
        project_root=root,
        var_dir=var_dir,
        models_dir=Path(os.environ.get("WIJKBRUG_MODELS", root / "models")).resolve(),
        tracker_store_url=os.environ.get(
            "TRACKER_STORE_URL", f"sqlite:///{var_dir / 'conversations.db'}"
        ),
        host=os.environ.get("WIJKBRUG_HOST", "127.0.0.1"),
        port=int(os.environ.get("WIJKBRUG_PORT", "5005")),
        action_server_url=os.environ.get(
            "ACTION_SERVER_URL",
            f"http://127.0.0.1:{os.environ.get('ACTION_SERVER_PORT', '5055')}/webhook",
        ),
        action_server_port=int(os.environ.get("ACTION_SERVER_PORT", "5055")),
        telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_base_url=os.environ.get("TELEGRAM_BASE_URL") or None,
        # Webhook mode: Telegram posts updates to this public URL (our /telegram/webhook),
        # each with the secret in a header; without it the bot polls.
        telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
        # The bot's @name without the @: web chat residents get a t.me link to move there.
        telegram_bot_username=(os.environ.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
        database_url=os.environ.get("DATABASE_URL", f"sqlite:///{var_dir / 'wijkbrug.db'}"),
        # A handoff offer waits this long for accept/decline before the next person gets it.
        offer_minutes=int(os.environ.get("HANDOFF_OFFER_MINUTES", "30")),
        # Nobody accepted this long after consent: the team's own contact gets it.
        escalate_minutes=int(os.environ.get("HANDOFF_ESCALATE_MINUTES", "120")),
        # Closed and cancelled referrals are purged this many days after they ended.
        retention_days=int(os.environ.get("RETENTION_DAYS", "90")),
        dashboard_host=os.environ.get("DASHBOARD_HOST", "127.0.0.1"),
        dashboard_port=int(os.environ.get("DASHBOARD_PORT", "5006")),
        # Behind HTTPS (production): cookies only over HTTPS. Off for the local http:// demo.
        dashboard_secure_cookies=os.environ.get("DASHBOARD_SECURE_COOKIES", "") in ("1", "true", "yes"),
        # Addresses of our own reverse proxies (comma-separated, networks allowed): only
        # requests from them may name the client in X-Forwarded-For (rate limits).
        trusted_proxies=_trusted_proxies(),
        # Sites that may show the web chat in an iframe (the widget), e.g.
        # "'self' https://www.utrecht.nl"; the CSP frame-ancestors value. Only our own pages
        # by default: a site that frames the chat could trick a resident into tapping
        # "yes" to consent or erase.
        webchat_embed_origins=os.environ.get("WEBCHAT_EMBED_ORIGINS", "'self'"),
        # Several bot workers: Redis holds the per-conversation lock (redis://host:6379/1).
        lock_store_url=os.environ.get("LOCK_STORE_URL") or None,
        # REST (and web chat) messages: "COUNT/SECONDS" per conversation and per client
        # address, counted by each worker. A community centre's computers share an address.
        rest_limit_conversation=_rate("REST_LIMIT_CONVERSATION", "20/60"),
        rest_limit_address=_rate("REST_LIMIT_ADDRESS", "120/60"),
    )


def _trusted_proxies() -> tuple:
    from bot.client_address import parse_networks

    if os.environ.get("DASHBOARD_PROXIES"):
        raise SystemExit("DASHBOARD_PROXIES is no longer read: it trusted X-Forwarded-For from "
                         "anyone. Set TRUSTED_PROXIES to your reverse proxy's address instead "
                         "(e.g. TRUSTED_PROXIES=127.0.0.1).")
    return parse_networks(os.environ.get("TRUSTED_PROXIES", ""))


def _rate(name: str, default: str) -> tuple:
    value = os.environ.get(name) or default
    try:
        count, seconds = value.split("/")
        rate = int(count), float(seconds)
    except ValueError:
        rate = (0, 0.0)
    if rate[0] < 1 or rate[1] <= 0:
        raise SystemExit(f"{name}: expected COUNT/SECONDS such as {default}, not {value!r}")
    return rate
