"""Updates are kept until handled: what a dead process left is answered at the next start, once."""

from __future__ import annotations

import datetime as dt
import json

from telegram import Update

from assistant.inbox import Inbox
from assistant.settings import Settings
from bot.i18n import TEXTS
from bot.ordering import CHANNEL, PerChatOrder
from tests.auxil.bot_harness import running_bot, text_of
from tests.auxil.fake_bot_api import FakeBotApi

USER = 1001
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def _message_update(update_id: int, text: str) -> dict[str, object]:
    person = {"id": USER, "is_bot": False, "first_name": "User"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 900 + update_id % 100,
            "date": int(NOW.timestamp()),
            "chat": {"id": USER, "type": "private", "first_name": "User"},
            "from": person,
            "text": text,
        },
    }


async def test_an_update_a_dead_process_left_is_answered_once_and_late(
    api: FakeBotApi, bot_settings: Settings
) -> None:
    async with running_bot(api, bot_settings) as first:
        [answer] = await first.send("Ai chủ trì nhiệm vụ 2.1?", user_id=USER)
    inbox = Inbox(bot_settings.db_path)
    assert inbox.pending(CHANNEL, NOW) == []  # handled, so marked done
    # as if the process had been killed while handling the next question
    update = _message_update(10**6, "Ai chủ trì nhiệm vụ 3.2?")
    assert inbox.keep(CHANNEL, 10**6, json.dumps(update), NOW)

    async with running_bot(api, bot_settings) as second:
        await second.settle()
    replies = [text_of(m) for m in api.sent(USER)]
    assert len(replies) == 2, [r[:60] for r in replies]
    assert replies[1].startswith(TEXTS["late_answer"][0] + "\n")
    assert "Nhiệm vụ 3.2:" in replies[1]
    assert inbox.pending(CHANNEL, NOW) == []

    async with running_bot(api, bot_settings) as third:  # nothing left over: no second answer
        await third.settle()
    assert len(api.sent(USER)) == 2


async def test_an_update_delivered_twice_is_handled_once(bot_settings: Settings) -> None:
    processor = PerChatOrder()
    processor.attach(Inbox(bot_settings.db_path), lambda: NOW)
    update = Update.de_json(_message_update(77, "hạn báo cáo"), None)
    assert update is not None
    runs: list[int] = []

    async def handle() -> None:
        runs.append(update.update_id)

    for _ in range(3):
        await processor.do_process_update(update, handle())
    assert runs == [77]
    # a new run (the same inbox) that is handed the update again does not handle it either
    again = PerChatOrder()
    again.attach(Inbox(bot_settings.db_path), lambda: NOW)
    await again.do_process_update(update, handle())
    assert runs == [77]
