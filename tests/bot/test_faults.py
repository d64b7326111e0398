"""Flood limits (429) and server errors (5xx) from the Bot API are survived."""

from __future__ import annotations

import logging
import time

import pytest

from bot.i18n import TEXTS
from tests.auxil.bot_harness import BotHarness, at, buttons, text_of

USER = 1001
# PTB itself warns when it builds a RetryAfter from an int (deprecated since v22.2)
pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2:telegram.warnings.PTBDeprecationWarning"
)


async def test_flood_limit_and_server_errors_on_answers(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.strict = False  # refused calls are the point of this test
    bot.api.inject("sendMessage", 429, retry_after=1)
    bot.api.inject("sendMessage", 500, times=2)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        [answer] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    assert time.monotonic() - started >= 1.0  # retry_after was honoured
    assert text_of(answer).startswith("Nhiệm vụ 3.2: ")
    assert [label for label, _ in buttons(answer)] == ["👍", "👎"]
    assert bot.api.calls("sendMessage") == 4  # 429, 500, 500, then delivered once
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.sending"]
    assert retries == [
        "NetworkError: Internal Server Error; retrying (attempt 1)",
        "NetworkError: Internal Server Error; retrying (attempt 2)",
    ]

    bot.api.inject("sendMessage", 502)
    [answer] = await bot.send("Who leads task 4?", user_id=USER)
    assert text_of(answer).startswith("Task 4: ")
    assert bot.api.calls("sendMessage") == 6
    assert len(bot.api.sent(USER)) == 2


async def test_faults_on_buttons_edits_and_reminders(bot: BotHarness) -> None:
    """A 5xx on answering a button press or editing a message is retried, not an apology."""
    bot.strict = False
    [question] = await bot.send("/eligibility", user_id=USER)
    bot.api.inject("editMessageText", 500)
    bot.api.inject("answerCallbackQuery", 502)
    press = await bot.press("el:k:dn", user_id=USER, message_id=question["message_id"])
    assert [a["callback_query_id"] for a in press.answers] == [press.callback_id]
    assert press.sent == []  # no apology
    [edit] = press.edits
    assert text_of(edit).startswith("Bước 2/3.")
    assert (bot.api.calls("editMessageText"), bot.api.calls("answerCallbackQuery")) == (2, 2)

    [answer] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    vote = buttons(answer)[0][1]
    expected = {
        vote: None,
        "t:3.1": "Nhiệm vụ 3.1: ",
        "ag:so-khcn": "Sở Khoa học và Công nghệ\n",
        "tb:0": "Hàng rào kỹ thuật trong thương mại (TBT) là gì?\n",
        "ex:0": "Nhiệm vụ 3.2: ",
        "el:r": "Bước 1/3. ",
    }
    for data, start in expected.items():
        bot.api.inject("answerCallbackQuery", 500)
        press = await bot.press(data, user_id=USER, message_id=answer["message_id"])
        assert [a["callback_query_id"] for a in press.answers] == [press.callback_id], data
        if start is None:
            assert press.sent == [] and press.answers[0]["text"] == TEXTS["thanks"][0]
        else:
            assert text_of(press.sent[0]).startswith(start), data
    assert bot.services.store.stats()[1:] == (1, 0)

    await bot.send("/subscribe", user_id=USER)
    bot.set_clock(at(2026, 10, 31))
    bot.api.inject("sendMessage", 503, times=2)
    [reminder] = await bot.run_reminders()
    assert text_of(reminder).startswith("⏰ Nhắc hạn: ")
    assert await bot.run_reminders() == []


async def test_a_blocked_chat_does_not_stop_other_reminders(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.strict, bot.expect_errors = False, True
    for chat in (USER, USER + 1):
        await bot.send("/subscribe", user_id=chat)
    bot.set_clock(at(2026, 10, 31))
    bot.api.inject("sendMessage", 403)  # the first chat (lowest id) has blocked the bot
    with caplog.at_level(logging.ERROR):
        sent = await bot.run_reminders()
    assert [m["chat_id"] for m in sent] == [USER + 1]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        f"could not send a reminder to chat {USER}"
    ]
    # not marked as sent: the next check (the chat unblocked the bot) delivers it, once
    sent = await bot.run_reminders()
    assert [(m["chat_id"], text_of(m)[:11]) for m in sent] == [(USER, "⏰ Nhắc hạn:")]
    assert await bot.run_reminders() == []
