"""Deadline reminders on a clock the test controls: on time, once, across restarts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assistant.settings import Settings
from bot.app import REMINDER_TIME
from tests.auxil.bot_harness import TZ, BotHarness, at, running_bot, text_of
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import check_clean

CHAT = 1001
OTHER = 1002
GROUP = -100555
TITLE = "Báo cáo kết quả thực hiện Kế hoạch hằng năm gửi Sở Khoa học và Công nghệ"


def reminder(days: int, due: str = "30/11/2026") -> str:
    return f"⏰ Nhắc hạn: {TITLE} — hạn {due} (còn {days} ngày)."


def seen(sent: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(m["chat_id"], text_of(m)) for m in sent]


async def test_reminders_fire_once_per_point(bot: BotHarness) -> None:
    [reply] = await bot.send("/subscribe", user_id=CHAT)
    assert text_of(reply) == (
        "Đã đăng ký nhắc hạn. Bạn sẽ được nhắc trước các thời hạn 30, 7, 1 ngày."
    )
    [reply] = await bot.send("/subscribe", user_id=CHAT)
    assert text_of(reply) == "Bạn đã đăng ký nhắc hạn rồi."

    bot.set_clock(at(2026, 10, 30))  # 31 days before: nothing yet
    assert await bot.run_reminders() == []
    bot.set_clock(at(2026, 10, 31))  # 30 days before 30 November
    assert seen(await bot.run_reminders()) == [(CHAT, reminder(30))]
    assert await bot.run_reminders() == []  # the same day again: no duplicate
    bot.set_clock(at(2026, 11, 1))
    assert await bot.run_reminders() == []  # between points: nothing
    bot.set_clock(at(2026, 11, 23))  # 7 days before
    [sent] = await bot.run_reminders()
    assert seen([sent]) == [(CHAT, reminder(7))]
    assert sent["parse_mode"] == "HTML" and "<b>Nhắc hạn</b>" in sent["text"]
    assert await bot.run_reminders() == []
    assert bot.reminder_runs == [dt.date(2026, 10, d) for d in (30, 31, 31)] + [
        dt.date(2026, 11, d) for d in (1, 23, 23)
    ]


async def test_missed_points_are_not_sent_late(bot: BotHarness) -> None:
    """A bot that was down at the 30- and 7-day points sends only the 1-day reminder."""
    await bot.send("/subscribe", user_id=CHAT, language_code="en")
    bot.set_clock(at(2026, 11, 29, 9, 30))
    [sent] = await bot.run_reminders()
    assert text_of(sent) == (
        "⏰ Reminder: Annual report on the plan's results to the Department of Science and "
        "Technology — due 30/11/2026 (1 day left)."
    )
    bot.set_clock(at(2026, 11, 30))
    assert await bot.run_reminders() == []  # the 1-day point covered the deadline
    bot.set_clock(at(2027, 10, 31))  # next year's cycle starts again
    assert seen(await bot.run_reminders()) == [
        (
            CHAT,
            "⏰ Reminder: Annual report on the plan's results to the Department of Science and "
            "Technology — due 30/11/2027 (30 days left).",
        )
    ]


async def test_agency_subscription_gets_only_its_deadlines(bot: BotHarness) -> None:
    [reply] = await bot.send("/subscribe Sở Tài chính", user_id=CHAT)
    assert text_of(reply) == (
        "Đã đăng ký nhắc hạn (Sở Tài chính). Bạn sẽ được nhắc trước các thời hạn 30, 7, 1 ngày."
    )
    [reply] = await bot.send("/subscribe Báo Gia Lai", user_id=OTHER)
    assert text_of(reply).startswith("Đã đăng ký nhắc hạn (Báo và Phát thanh, Truyền hình Gia Lai)")
    bot.set_clock(at(2026, 10, 31))
    # the annual report is due from "các sở, ban, ngành" (Sở Tài chính is one); not from the press
    assert seen(await bot.run_reminders()) == [(CHAT, reminder(30))]


async def test_reminders_survive_a_restart(
    api: FakeBotApi, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(api, bot_settings) as bot:
        await bot.send("/subscribe", user_id=CHAT)
        await bot.send("/subscribe", user_id=GROUP, chat_id=GROUP, chat_type="group")
        bot.set_clock(at(2026, 11, 23))
        assert sorted(seen(await bot.run_reminders())) == [
            (GROUP, reminder(7)),
            (CHAT, reminder(7)),
        ]
    check_clean(bot, caplog)
    sent_before = len(api.sent())

    # restart on the same data folder; the check at start-up runs with the same clock
    async with running_bot(
        api, bot_settings, clock=at(2026, 11, 23, 8, 5), reminder_jobs=True
    ) as bot:
        assert bot.app.job_queue is not None
        jobs = {job.name: job for job in bot.app.job_queue.jobs()}
        assert set(jobs) == {"reminders", "reminders-at-start", "replies"}
        daily = jobs["reminders"].next_t
        assert daily is not None
        assert daily.astimezone(TZ).time() == REMINDER_TIME
        await api.wait_for(lambda: bot.job_finished("reminders-at-start"), timeout=6)
        await bot.settle()
        assert len(api.sent()) == sent_before  # the start-up check sent no duplicate
        assert await bot.run_reminders() == []

        [reply] = await bot.send("/unsubscribe", user_id=CHAT)
        assert text_of(reply) == "Đã hủy 1 đăng ký nhắc hạn."
        [reply] = await bot.send("/unsubscribe", user_id=CHAT)
        assert text_of(reply) == "Đã hủy 0 đăng ký nhắc hạn."
        bot.set_clock(at(2026, 11, 29))
        assert seen(await bot.run_reminders()) == [(GROUP, reminder(1))]
    check_clean(bot, caplog)


async def test_start_up_check_sends_what_is_due(
    api: FakeBotApi, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """After downtime, the check 2 s after start sends the reminder that is due now."""
    async with running_bot(api, bot_settings) as bot:
        await bot.send("/subscribe", user_id=CHAT)
    async with running_bot(
        api, bot_settings, clock=at(2026, 10, 31, 14, 0), reminder_jobs=True
    ) as bot:
        await api.wait_for(lambda: bot.job_finished("reminders-at-start"), timeout=6)
        await bot.settle()
        assert text_of(api.sent(CHAT)[-1]) == reminder(30)
        assert len(api.sent(CHAT)) == 2  # the /subscribe answer and the reminder
    check_clean(bot, caplog)
