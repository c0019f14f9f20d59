"""Runs rasa_sdk actions inside the bot's own process (for `wijkbrug chat` and tests).

Rasa 3.6 calls custom actions through `action_endpoint.request(json=...)`. This endpoint
answers that call with rasa_sdk's own ActionExecutor instead of HTTP, with the same error
contract as the action server (400 for a rejected form, 404 for an unknown action), so
the dialogue behaves exactly as it does with `make run`'s separate action server.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException


class InProcessActionEndpoint(EndpointConfig):
    def __init__(self, package: str = "actions") -> None:
        super().__init__(url="inprocess://actions")
        self.executor = ActionExecutor()
        self.executor.register_package(package)

    async def request(
        self,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any | None:
        action_call = kwargs["json"]
        try:
            return await self.executor.run(action_call)
        except ActionExecutionRejection as e:
            body = {"error": e.message, "action_name": e.action_name}
            raise ClientResponseError(400, "rejected", json.dumps(body)) from e
        except ActionNotFoundException as e:
            body = {"error": e.message, "action_name": e.action_name}
            raise ClientResponseError(404, "not found", json.dumps(body)) from e
