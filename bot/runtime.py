"""Assembles the whole bot: models, language router, dialogue, actions, catalogs, stores."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List

from bot import LANGUAGES, conversation_index, conversations, i18n
from bot import settings as settings_module
from bot.i18n import _
from bot.settings import Settings

logger = logging.getLogger(__name__)
# What a resident hears when something on our side fails, instead of silence.
SORRY = _("Sorry, er ging iets mis aan onze kant. Probeer het over een paar minuten opnieuw. Is het dringend? Bel 112 bij gevaar.")


def quiet_libraries(level: str | None = None) -> None:
    """Logs go to stderr at INFO for our code, WARNING for Rasa and TensorFlow.

    Rasa logs message texts at DEBUG; residents' messages must never reach the logs, so
    Rasa stays at WARNING whatever WIJKBRUG_LOG_LEVEL says. stdout stays free for
    `wijkbrug chat --json`.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    level = level or os.environ.get("WIJKBRUG_LOG_LEVEL", "INFO")
    logging.basicConfig(
        stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    # Rasa's template interpolator logs every slot value when a variable is missing: that
    # would put residents' answers in the log.
    logging.getLogger("rasa.core.nlg.interpolator").setLevel(logging.CRITICAL)
    for name in ("tensorflow", "absl", "sanic.root", "sanic.error", "matplotlib", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass
class Turn:
    """What one user message did, as `wijkbrug chat --json` prints it."""

    user: str
    language: str | None
    intent: str | None
    confidence: float | None
    bot: List[str]
    buttons: List[Dict[str, str]]
    actions: List[str]

    def as_dict(self) -> Dict[str, Any]:
        return self.__dict__.copy()


class Bot:
    def __init__(self, agent, settings: Settings, router=None) -> None:
        from bot.handoff import service

        self.agent = agent
        self.settings = settings
        self.router = router  # language id + NLU, for messages outside the dialogue
        # Where notifications go (Telegram replaces the file when it runs).
        self.delivery = service.default_delivery(settings)

    async def handle(
        self, sender: str, text: str, metadata: dict | None = None, channel: str = "rest"
    ) -> List[Dict[str, Any]]:
        """Runs one user message through the dialogue; returns the bot's messages.

        News about the resident's request that is waiting for them (someone accepted it,
        someone else took over) comes first.
        """
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        if not conversations.owns(channel, sender):  # e.g. REST asking for a Telegram conversation
            raise PermissionError(f"the {channel} channel cannot reach this conversation")
        news_ids, news = self.news_for(sender)
        output = CollectingOutputChannel()
        message = UserMessage(
            text, output, sender, input_channel=channel, metadata=metadata or {}
        )
        await self.agent.handle_message(message)
        failed = getattr(self.agent.action_endpoint, "failed_for", None)
        if failed is not None and failed(sender):  # Rasa went on without the action's answer
            output.messages.append({"recipient_id": sender, "text": self.sorry(sender)})
        if news_ids:  # only now: if the turn fails, the news waits for the next message
            self.news_shown(news_ids)
        await self.deliver()
        return news + output.messages

    async def deliver(self) -> None:
        """Sends what this turn put in the outbox (a consent's offer) right away."""
        from bot import clock
        from bot.handoff import outbox

        try:
            await outbox.deliver_due(self.settings.database_url, self.delivery, clock.now())
        except Exception as error:  # noqa: BLE001 - housekeeping retries; the resident still gets the answer
            logger.warning("delivering notifications failed: %s", type(error).__name__)

    def news_for(self, sender: str) -> tuple[List[int], List[Dict[str, Any]]]:
        """The resident's waiting news: outbox ids and the rendered messages."""
        from bot.handoff import outbox
        from bot.store.database import session_scope

        with session_scope(self.settings.database_url) as session:
            pending = outbox.pending_for_resident(session, sender)
        messages = []
        for item in pending:
            payload = item["payload"]
            rendered = self.agent.nlg.render(payload["response"], payload["language"], payload["variables"])
            if rendered:
                messages.append({"recipient_id": sender, **rendered})
        return [item["id"] for item in pending], messages

    def news_shown(self, ids: List[int]) -> None:
        from bot import clock
        from bot.handoff import outbox
        from bot.store.database import session_scope

        with session_scope(self.settings.database_url) as session:
            outbox.mark_delivered(session, ids, clock.now())

    async def pause(self, sender: str) -> None:
        """The resident talks to a person through the bot: the dialogue stays quiet."""
        from rasa.shared.core.events import ConversationPaused

        await self._log_event(sender, ConversationPaused())

    async def resume(self, sender: str) -> None:
        from rasa.shared.core.events import ConversationResumed

        await self._log_event(sender, ConversationResumed())

    async def resume_if_paused(self, sender: str) -> None:
        """A relay that ended without /einde (the volunteer closed the request): the
        dialogue must not stay paused, or the resident would get no answer at all."""
        if conversation_index.is_paused(self.sql_store(), sender):
            await self.resume(sender)

    def language_of(self, sender: str) -> str | None:
        """The conversation's language, or None when unknown or unreadable (the database
        may be what failed)."""
        try:
            return conversation_index.language(self.sql_store(), sender)
        except Exception:  # noqa: BLE001 - any failure: unknown
            return None

    def sorry(self, sender: str) -> str:
        """"Something went wrong on our side" in the conversation's language; in all four
        when even that cannot be read."""
        language = self.language_of(sender)
        languages = [language] if language else LANGUAGES
        return "\n\n".join(i18n.for_display(code, i18n.gettext(code, SORRY)) for code in languages)

    def sql_store(self):
        """Our SQL tracker store, under Rasa's fail-safe wrapper."""
        store = self.agent.tracker_store
        return getattr(store, "_tracker_store", store)

    async def set_language(self, sender: str, language: str) -> None:
        """The resident's language is known already (a request moved from the web chat)."""
        from rasa.shared.core.events import SlotSet

        await self._log_event(sender, SlotSet("language", language))

    async def _log_event(self, sender: str, event) -> None:
        # The same lock as a message turn: another worker may be handling this resident.
        async with self.agent.lock_store.lock(sender):
            tracker = await self.agent.tracker_store.get_or_create_tracker(sender)
            tracker.update(event)
            await self.agent.tracker_store.save(tracker)

    async def safety_answer(self, sender: str, text: str, language: str) -> List[Dict[str, Any]]:
        """The crisis answer (112, Veilig Thuis, 113) when `text` reads as one, else nothing.

        For messages that do not go through the dialogue (a relay in progress).
        """
        from rasa.core.channels.channel import UserMessage

        from bot.router import SAFETY_INTENTS

        parse = await self.router.parse(UserMessage(text, sender_id=sender, metadata={"language": language}))
        intent = (parse.get("intent") or {}).get("name")
        if intent not in SAFETY_INTENTS:
            return []
        rendered = self.agent.nlg.render(f"utter_{intent}", parse["language"], {})
        return [rendered] if rendered else []

    async def turn(self, sender: str, text: str, metadata: dict | None = None) -> Turn:
        messages = await self.handle(sender, text, metadata, channel="cmdline")
        tracker = await self.agent.tracker_store.retrieve(sender)
        parse = tracker.latest_message.parse_data if tracker else {}
        intent = parse.get("intent") or {}
        return Turn(
            user=text,
            language=tracker.get_slot("language") if tracker else None,
            intent=intent.get("name"),
            confidence=round(intent["confidence"], 4) if "confidence" in intent else None,
            bot=[m["text"] for m in messages if m.get("text")],
            buttons=[
                {"title": b["title"], "payload": b["payload"]}
                for m in messages
                for b in m.get("buttons") or []
            ],
            actions=actions_since_last_user_message(tracker),
        )


def actions_since_last_user_message(tracker) -> List[str]:
    from rasa.shared.core.events import ActionExecuted, UserUttered

    names: List[str] = []
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            names.append(event.action_name)
    return list(reversed(names))


FORGET_ACTION = "action_forget_me"


def tracker_store_for(url: str, database_url: str | None = None):
    """Rasa's SQL tracker store from a SQLAlchemy URL (sqlite:///path, postgresql://...),
    which erases a conversation instead of saving it once the resident confirmed forget_me.
    """
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.engine import make_url

    from bot import session_cap

    class ConversationStore(SQLTrackerStore):
        async def save(self, tracker) -> None:
            if FORGET_ACTION in actions_since_last_user_message(tracker):
                self.erase(tracker.sender_id)
            else:
                session_cap.roll_over(tracker)
                await super().save(tracker)

        def erase(self, sender_id: str) -> None:
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
                session.commit()
            if database_url:
                from bot.handoff import referrals
                from bot.store.database import session_scope

                with session_scope(database_url) as session:
                    referrals.forget(session, sender_id)
            logger.info("erased a conversation and its requests on the resident's request")

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database:
        os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
    return ConversationStore(
        dialect=parsed.drivername,
        host=parsed.host,
        port=parsed.port,
        db=parsed.database,
        username=parsed.username,
        password=parsed.password,
    )


def resident_conversation(tracker_store_url: str, sender: str) -> List[Dict[str, Any]]:
    """What the resident and the bot said, in order, as stored (for a data export)."""
    import asyncio

    store = tracker_store_for(tracker_store_url)
    tracker = asyncio.run(store.retrieve(sender))
    said = []
    for event in tracker.events if tracker else []:
        kind = event.as_dict().get("event")
        if kind in ("user", "bot") and getattr(event, "text", None):
            said.append({"at": datetime.fromtimestamp(event.timestamp, timezone.utc).isoformat(timespec="seconds"),
                         "from": "resident" if kind == "user" else "bot", "text": event.text})
    return said


def lock_store_for(url: str | None):
    """A Redis mutex per conversation from LOCK_STORE_URL (redis://[:password@]host:port/db),
    so several bot workers handle one conversation's messages one at a time; without a
    URL, Rasa's in-memory lock of a single process."""
    from rasa.core.lock_store import InMemoryLockStore

    from bot.lock_store import RedisMutexLockStore

    return RedisMutexLockStore(url) if url else InMemoryLockStore()


def load_bot(settings: Settings | None = None, in_process_actions: bool = True) -> Bot:
    """Trains what is missing, loads all models and returns a ready bot."""
    quiet_libraries()
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_patches, server_key
    from bot.action_endpoint import WatchedActionEndpoint
    from bot.inprocess_actions import InProcessActionEndpoint
    from bot.langid import LanguageIdentifier
    from bot.nlg import CatalogNLG
    from bot.router import LanguageRouter
    from bot.store.prepare import prepare
    from bot.training import ensure_models

    rasa_patches.apply()
    settings = settings or settings_module.load()
    paths = ensure_models(settings.project_root, settings.models_dir)
    prepare(settings)

    nlu_agents = {
        name.removeprefix("nlu-"): Agent.load(str(path))
        for name, path in paths.items()
        if name.startswith("nlu-")
    }
    store = tracker_store_for(settings.tracker_store_url, settings.database_url)

    async def previous_language(sender_id: str) -> str | None:
        return conversation_index.language(store, sender_id)

    from bot.vocabulary import training_vocabulary

    async def current_question(sender_id: str) -> str | None:
        return conversation_index.open_question(store, sender_id)

    router = LanguageRouter(
        {lang: agent.parse_message for lang, agent in nlu_agents.items()},
        LanguageIdentifier.load(paths["langid"]),
        previous_language,
        {lang: training_vocabulary(settings.project_root / "nlu" / lang, lang) for lang in nlu_agents},
        current_question,
    )
    if in_process_actions:
        action_endpoint: EndpointConfig = InProcessActionEndpoint("actions")
    else:
        action_endpoint = WatchedActionEndpoint(
            settings.action_server_url, server_key.action_server_token(settings.var_dir))
    agent = Agent.load(
        str(paths["core"]),
        generator=CatalogNLG(),
        tracker_store=store,
        lock_store=lock_store_for(settings.lock_store_url),
        action_endpoint=action_endpoint,
        http_interpreter=router,
    )
    return Bot(agent, settings, router)
