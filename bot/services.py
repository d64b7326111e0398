"""Shared services of the bot, created once in post_init and kept in bot_data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from assistant.forwarding import ForwardDesk
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import Store
from bot.ratelimit import RateLimiter


@dataclass
class Services:
    """Everything handlers need; built in post_init so tests can swap parts."""

    settings: Settings
    assistant: Assistant
    store: Store
    limiter: RateLimiter
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="answer")
    )
    clock: Callable[[], dt.datetime] | None = None
    desk: ForwardDesk = field(init=False)

    def __post_init__(self) -> None:
        self.desk = ForwardDesk(self.store, self.assistant)

    def now(self) -> dt.datetime:
        """The current time in the configured zone; tests may replace the clock."""
        if self.clock is not None:
            return self.clock()
        return dt.datetime.now(ZoneInfo(self.settings.timezone))

    def today(self) -> dt.date:
        """Today's date in the configured zone."""
        return self.now().date()

    def is_admin(self, user_id: int | None) -> bool:
        """Whether a Telegram user may use the staff tools."""
        return user_id is not None and user_id in self.settings.admin_ids


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services stored in bot_data."""
    return cast(Services, context.bot_data["services"])


def user_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The user's language: their /lang choice, else Telegram's language code, else vi."""
    user = update.effective_user
    if user is None:
        return "vi"
    chosen = services(context).store.lang(user.id)
    if chosen:
        return chosen
    return "en" if (user.language_code or "").startswith("en") else "vi"


def arg_text(context: ContextTypes.DEFAULT_TYPE) -> str:
    """The words after a command, joined."""
    args: list[Any] = list(context.args or [])
    return " ".join(str(a) for a in args).strip()
