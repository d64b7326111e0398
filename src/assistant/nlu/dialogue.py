"""Conversation memory: the last understood turn of each (channel, user), for follow-ups."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from assistant.nlu.query import Query

MAX_CONVERSATIONS = 10_000
FORGET_AFTER = 30 * 60.0  # seconds: a question half an hour old is no longer "the previous turn"


class Dialogues:
    """A bounded, thread-safe map from conversation key to its last turn."""

    def __init__(
        self,
        max_size: int = MAX_CONVERSATIONS,
        ttl: float = FORGET_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._turns: OrderedDict[tuple[str, str], tuple[float, Query]] = OrderedDict()
        self._max, self._ttl, self._clock = max_size, ttl, clock
        self._lock = threading.Lock()

    def last(self, key: tuple[str, str]) -> Query | None:
        """The previous turn of a conversation, if it is recent."""
        with self._lock:
            found = self._turns.get(key)
            if found is None:
                return None
            when, query = found
            if self._clock() - when > self._ttl:
                del self._turns[key]
                return None
            return query

    def remember(self, key: tuple[str, str], query: Query) -> None:
        """Keep a turn as the conversation's latest; the oldest conversation goes when full."""
        with self._lock:
            self._turns[key] = (self._clock(), query)
            self._turns.move_to_end(key)
            while len(self._turns) > self._max:
                self._turns.popitem(last=False)

    def forget(self, key: tuple[str, str]) -> None:
        """Start a conversation afresh (for /start)."""
        with self._lock:
            self._turns.pop(key, None)
