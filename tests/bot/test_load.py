"""Many users at once: every answer reaches the chat that asked, none is lost or crossed."""

from __future__ import annotations

import functools
import re
import sqlite3
import time

import pytest
from telegram.ext import AIORateLimiter

from assistant.settings import Settings
from tests.auxil.bot_harness import TASK_IDS, buttons, running_bot, text_of
from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.conftest import check_clean

USERS = 100
FIRST_USER = 10_000
PHRASES = [
    "Ai chủ trì nhiệm vụ {t}?",
    "ai chu tri nhiem vu {t}",
    "Who leads task {t}?",
    "Nhiệm vụ {t} do ai phối hợp?",
    "Thời gian thực hiện nhiệm vụ {t}?",
]


def task_of(user: int) -> str:
    return TASK_IDS[(user - FIRST_USER) % len(TASK_IDS)]


async def test_hundred_users_five_questions_each(
    api: FakeBotApi,
    bot_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The bot paces its calls with AIORateLimiter at Telegram's 30 requests/s, which would make
    # these 1,000 calls (answer + typing hint) take over 30 s. The fake server has no such
    # limit: pace at 500/s in bursts of 2 (small bursts keep httpx's connection pool small).
    monkeypatch.setattr(
        "bot.app.AIORateLimiter",
        functools.partial(AIORateLimiter, overall_max_rate=2, overall_time_period=0.004),
    )
    users = range(FIRST_USER, FIRST_USER + USERS)
    async with running_bot(api, bot_settings) as bot:
        started = time.monotonic()
        for phrase in PHRASES:  # interleaved: every user's first question, then the second...
            for user in users:
                api.push_message(phrase.format(t=task_of(user)), user_id=user)
        await bot.settle(timeout=30)
        elapsed = time.monotonic() - started
    check_clean(bot, caplog)
    assert elapsed < 30

    question_ids: dict[int, int] = {}  # question id -> the chat whose answer carries it
    for user in users:
        task = task_of(user)
        replies = api.sent(user)
        assert len(replies) == len(PHRASES), user
        heads = sorted(text_of(r).split(":", 1)[0] for r in replies)
        assert heads == sorted([f"Nhiệm vụ {task}"] * 4 + [f"Task {task}"]), user
        for reply in replies:
            [(_, up), (_, down)] = buttons(reply)
            assert down == up[:-1] + "0"
            question_ids[int(up.split(":")[1])] = user
    assert len(question_ids) == USERS * len(PHRASES)
    assert len(api.sent()) == USERS * len(PHRASES)

    db = sqlite3.connect(bot_settings.data_dir / "assistant.db")
    try:
        rows = db.execute("SELECT id, user_id, chat_id, question FROM questions").fetchall()
    finally:
        db.close()
    assert {r[0] for r in rows} == set(question_ids)
    for qid, user, chat, question in rows:
        assert user == chat == question_ids[qid]
        number = re.search(r"\d(\.\d)?", question)
        assert number is not None and number.group(0) == task_of(user)
