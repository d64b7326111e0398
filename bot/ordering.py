"""Updates handled concurrently across chats, in order within each chat, and kept until done.

With python-telegram-bot's plain concurrency, a user's second quick message could be answered
before the first, when the first took longer to understand or its reply was retried. Here each
chat's updates wait for the one before them; different chats still run at once.

Once an inbox is attached, each update is kept in it before its handlers run and marked done
after they finish, so an update in flight when the process dies is handled at the next start
(`PerChatOrder.replay_pending`), once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from assistant.inbox import Inbox

CHANNEL = "telegram"
REMEMBER = 10_000  # update ids taken in this run, to drop a second delivery of one


class PerChatOrder(BaseUpdateProcessor):
    """Runs one chat's updates one after another, in the order they arrived."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # lock and updates holding it
        self._inbox: Inbox | None = None
        self._now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self._taken: dict[int, None] = {}  # update ids taken in this run, oldest first

    def attach(self, inbox: Inbox, now: Callable[[], dt.datetime]) -> None:
        """Keep every update in `inbox` from now on."""
        self._inbox, self._now = inbox, now

    def _take(self, update: Update) -> bool:
        """Keep the update; False if it was taken in this run or handled before (a repeat)."""
        if update.update_id in self._taken:
            return False
        self._taken[update.update_id] = None
        if len(self._taken) > REMEMBER:
            del self._taken[next(iter(self._taken))]
        assert self._inbox is not None
        data = json.dumps(update.to_dict(), ensure_ascii=False)
        return self._inbox.keep(CHANNEL, update.update_id, data, self._now())

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers once this chat's earlier updates are done.

        asyncio's lock wakes waiters first come, first served, and python-telegram-bot starts
        one task per update in the order they were fetched, so a chat's updates run in order.
        A waiting update holds one of the shared slots (`process_update`, which takes the slot
        first, cannot be overridden); with 256 slots and the per-user rate limit, one chat's
        backlog cannot take them all.
        """
        if self._inbox is None or not isinstance(update, Update):
            await self._in_turn(update, coroutine)
            return
        if not self._take(update):  # a repeat: its handlers never run
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            return
        await self._in_turn(update, coroutine)
        # only once the handlers finished (their failures are answered by the error handler);
        # cancelled or killed, the update stays pending for the next start
        self._inbox.done(CHANNEL, update.update_id, self._now())

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
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

    async def replay_pending(self, queue: asyncio.Queue[object], bot: Any) -> set[int]:
        """Queue the updates a previous run kept but never finished; return their ids."""
        if self._inbox is None:
            return set()
        late = set()
        for data in self._inbox.pending(CHANNEL, self._now()):
            update = Update.de_json(json.loads(data), bot)
            if update is not None:
                late.add(update.update_id)
                await queue.put(update)
        return late

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
