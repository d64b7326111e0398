"""Sending with retries on flood limits, time-outs and server errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, retrying RetryAfter, TimedOut and network errors (not bad requests)."""
    delay = 0.2
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = min(_retry_seconds(exc), 30.0)
            log.warning("flood limit; retrying in %.1f s (attempt %d)", wait, attempt)
            if attempt == ATTEMPTS:
                raise
            await asyncio.sleep(wait)
        except BadRequest:
            raise
        except (TimedOut, NetworkError) as exc:
            log.warning("%s: %s; retrying (attempt %d)", type(exc).__name__, exc, attempt)
            if attempt == ATTEMPTS:
                raise
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


async def send_html(
    bot: ExtBot[None],
    chat_id: int,
    messages: list[str],
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> list[Message]:
    """Send HTML messages in order; the keyboard goes on the last one."""
    sent: list[Message] = []
    for i, text in enumerate(messages):
        markup = keyboard if i == len(messages) - 1 else None
        reply = reply_to if i == 0 else None
        params = ReplyParameters(reply, allow_sending_without_reply=True) if reply else None

        async def call(
            text: str = text,
            markup: InlineKeyboardMarkup | None = markup,
            params: ReplyParameters | None = params,
        ) -> Message:
            return await bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                reply_parameters=params,
                link_preview_options=NO_PREVIEW,
            )

        sent.append(await with_retry(call))
    return sent
