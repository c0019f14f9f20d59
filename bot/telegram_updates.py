"""Telegram updates of different chats are handled at the same time; those of one chat
in the order they came. python-telegram-bot either handles every update one after the
other (one slow turn holds up every resident) or all at once (a resident's two quick
messages could be answered out of order); this processor does both right."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Dict

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_AT_ONCE = 64


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_AT_ONCE) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: Dict[int, list] = {}  # chat id -> [lock, updates holding or awaiting it]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        entry = self._chats.setdefault(chat.id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:  # asyncio.Lock wakes waiters first come, first served
                await coroutine
        finally:
            entry[1] -= 1
            if entry[1] == 0:  # nobody else of this chat waits: forget the chat
                self._chats.pop(chat.id, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
