"""The action server over HTTP, watched: when a custom action cannot run (the action
server is down or answers with an error), Rasa logs it and goes on silently, losing the
action's answer. This endpoint remembers which conversations that happened to, so the bot
can tell the resident kindly instead of leaving them without an answer.

Every call carries the action server's shared secret (bot/action_server_auth.py)."""

from __future__ import annotations

from typing import Any, Set

from rasa.utils.endpoints import ClientResponseError, EndpointConfig

# 400: a form rejected the answer, 404: no such action; both are part of the dialogue.
EXPECTED = (400, 404)


class WatchedActionEndpoint(EndpointConfig):
    def __init__(self, url: str, token: str) -> None:
        super().__init__(url=url, headers={"Authorization": f"Bearer {token}"})
        self.failed: Set[str] = set()  # conversations whose action could not run this turn

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        sender = (kwargs.get("json") or {}).get("sender_id")
        try:
            return await super().request(*args, **kwargs)
        except ClientResponseError as error:
            if error.status not in EXPECTED and sender:
                self.failed.add(sender)
            raise
        except Exception:
            if sender:
                self.failed.add(sender)
            raise

    def failed_for(self, sender: str) -> bool:
        """True (once) when an action of this conversation could not run."""
        if sender in self.failed:
            self.failed.discard(sender)
            return True
        return False
