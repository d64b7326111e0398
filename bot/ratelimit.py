"""A per-user token bucket, so one user cannot flood the assistant."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Allows bursts of `capacity` messages, refilled at `rate` per second, per user."""

    def __init__(
        self,
        capacity: float = 8.0,
        rate: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}

    def allow(self, user_id: int) -> bool:
        """Take one token for the user; False when they must slow down."""
        now = self._clock()
        tokens, last = self._buckets.get(user_id, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[user_id] = (tokens, now)
            return False
        self._buckets[user_id] = (tokens - 1.0, now)
        return True
