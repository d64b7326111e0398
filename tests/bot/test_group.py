"""Group chats: the bot answers only when mentioned or replied to; commands always work."""

from __future__ import annotations

import sqlite3
from typing import Any

from tests.auxil.bot_harness import ADMIN_ID, BotHarness, text_of
from tests.auxil.fake_bot_api import BOT_ID, BOT_USERNAME

GROUP = -100777
MEMBER = 3001
OTHER = 3002


def user_message_ids(bot: BotHarness, user_id: int) -> list[int]:
    return [m["message_id"] for m in bot.api.messages(GROUP) if m["from"]["id"] == user_id]


async def test_group_answers_only_when_addressed(bot: BotHarness) -> None:
    group: dict[str, Any] = {"chat_id": GROUP, "chat_type": "supergroup", "title": "Sở KH&CN"}

    assert await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=MEMBER, **group) == []
    assert await bot.send("@other_bot ai chủ trì nhiệm vụ 3.2?", user_id=MEMBER, **group) == []
    assert bot.api.calls("sendChatAction") == 0  # not even a typing hint

    [answer] = await bot.send(f"@{BOT_USERNAME} ai chủ trì nhiệm vụ 3.2?", user_id=MEMBER, **group)
    asked = user_message_ids(bot, MEMBER)[-1]
    assert answer["reply_parameters"]["message_id"] == asked
    assert text_of(answer).startswith("Nhiệm vụ 3.2: ")
    assert "• Cơ quan chủ trì: Sở Khoa học và Công nghệ\n" in text_of(answer)
    stored = bot.api.message(GROUP, answer["message_id"])
    assert stored is not None and stored["reply_to_message"]["message_id"] == asked

    # someone else replies to the bot's answer, without mentioning it
    [follow_up] = await bot.send(
        "Còn ai chủ trì nhiệm vụ 4?",
        user_id=OTHER,
        reply_to_message_id=answer["message_id"],
        **group,
    )
    assert follow_up["reply_parameters"]["message_id"] == user_message_ids(bot, OTHER)[-1]
    assert text_of(follow_up).startswith("Nhiệm vụ 4: ")

    # a reply to a person, not to the bot, is not for the bot
    chat_between_people = await bot.send(
        "ai chu tri nhiem vu 3.3",
        user_id=OTHER,
        reply_to_message_id=user_message_ids(bot, MEMBER)[0],
        **group,
    )
    assert chat_between_people == []

    db = sqlite3.connect(bot.settings.data_dir / "assistant.db")
    try:
        logged = db.execute(
            "SELECT chat_id, user_id, question FROM questions ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    assert logged == [
        (GROUP, MEMBER, "ai chủ trì nhiệm vụ 3.2?"),  # the mention is not part of the question
        (GROUP, OTHER, "Còn ai chủ trì nhiệm vụ 4?"),
    ]
    assert all(m["chat_id"] == GROUP for m in bot.api.sent())


async def test_commands_work_in_groups(bot: BotHarness) -> None:
    group: dict[str, Any] = {"chat_id": GROUP, "chat_type": "group"}

    [card] = await bot.send("/task 3.2", user_id=MEMBER, **group)
    assert text_of(card).startswith("Nhiệm vụ 3.2: ")
    [card] = await bot.send(f"/task@{BOT_USERNAME} 3.1", user_id=MEMBER, **group)
    assert text_of(card).startswith("Nhiệm vụ 3.1: ")
    assert "• Cơ quan chủ trì: Các sở, ban, ngành\n" in text_of(card)
    assert await bot.send("/task@other_bot 3.1", user_id=MEMBER, **group) == []
    [help_text] = await bot.send(f"/help@{BOT_USERNAME}", user_id=MEMBER, **group)
    assert text_of(help_text).startswith("Các lệnh\n/task 3.2")
    assert "Trong nhóm, hãy nhắc tên tôi" in text_of(help_text)
    [refused] = await bot.send("/stats", user_id=MEMBER, **group)
    assert text_of(refused) == "Lệnh này chỉ dành cho cán bộ quản trị."
    [stats] = await bot.send("/stats", user_id=ADMIN_ID, **group)
    assert text_of(stats).startswith("Câu hỏi theo ngày")


async def test_documents_shared_in_a_group_are_not_answered(bot: BotHarness) -> None:
    """Files shared in a group get no reply and never replace knowledge, even from an admin."""
    group: dict[str, Any] = {"chat_id": GROUP, "chat_type": "supergroup"}
    tasks_file = bot.settings.knowledge_dir / "tasks.yaml"
    before = tasks_file.read_bytes()
    draft = before.replace("  - truy xuất nguồn gốc\n".encode(), b"  - draft\n", 1)
    assert draft != before
    assert await bot.upload(b"%PDF-1.4 minutes", "bien-ban-hop.pdf", user_id=MEMBER, **group) == []
    assert await bot.upload(draft, "tasks.yaml", user_id=ADMIN_ID, **group) == []
    assert bot.api.calls("getFile") == 0
    assert BOT_ID not in [m["from"]["id"] for m in bot.api.messages(GROUP)]
    assert tasks_file.read_bytes() == before
    assert not (bot.settings.data_dir / "backups").exists()
