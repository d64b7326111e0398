"""Updates handled concurrently across chats and in order within each chat.

With python-telegram-bot's plain concurrency, a user's second quick message could be answered
before the first, when the first took longer to understand or its reply was retried. Here each
chat's updates wait for the one before them; different chats still run at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatOrder(BaseUpdateProcessor):
    """Runs one chat's updates one after another, in the order they arrived."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # lock and updates holding it

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers once this chat's earlier updates are done.

        asyncio's lock wakes waiters first come, first served, and python-telegram-bot starts
        one task per update in the order they were fetched, so a chat's updates run in order.
        A waiting update holds one of the shared slots (`process_update`, which takes the slot
        first, cannot be overridden); with 256 slots and the per-user rate limit, one chat's
        backlog cannot take them all.
        """
        key = _chat_of(update)
        if key is None:
            await coroutine
            return
        lock, holders = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, holders + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, holders = self._chats[key]
            if holders == 1:
                del self._chats[key]  # no one else waits: forget the chat
            else:
                self._chats[key] = (lock, holders - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    @property
    def waiting_chats(self) -> int:
        """Chats with an update in progress or waiting (for tests and monitoring)."""
        return len(self._chats)


def _chat_of(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
