"""One chat's messages are answered in the order sent; other chats do not wait for it."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from assistant.answer.models import Answer
from bot.ordering import PerChatOrder
from tests.auxil.bot_harness import BotHarness, text_of

USER, OTHER = 1001, 2002
SLOW = "Ai chủ trì nhiệm vụ 3.2?"


async def test_a_slow_first_message_is_still_answered_first(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = bot.services.assistant
    real = assistant.converse

    def converse(key: tuple[str, str], question: str, today: dt.date | None = None) -> Answer:
        if question == SLOW:
            time.sleep(0.8)  # understanding that takes long, in the answer thread
        return real(key, question, today)

    monkeypatch.setattr(assistant, "converse", converse)
    assert isinstance(bot.app.update_processor, PerChatOrder)
    bot.api.push_message(SLOW, user_id=USER)
    bot.api.push_message("Ai chủ trì nhiệm vụ 2.1?", user_id=USER)
    bot.api.push_message("Ai chủ trì nhiệm vụ 2.1?", user_id=OTHER)
    await bot.settle()
    mine = [text_of(m).split(":")[0] for m in bot.api.sent(USER)]
    assert mine == ["Nhiệm vụ 3.2", "Nhiệm vụ 2.1"]  # in the order sent
    everyone = [(m["chat_id"], text_of(m).split(":")[0]) for m in bot.api.sent()]
    # the other chat did not wait behind the slow question
    assert everyone.index((OTHER, "Nhiệm vụ 2.1")) < everyone.index((USER, "Nhiệm vụ 3.2"))
    assert bot.app.update_processor.waiting_chats == 0  # nothing kept once answered
