"""Button data is checked before any handler sees it; votes count only where they were asked."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import TEXTS
from tests.auxil.bot_harness import BotHarness
from tests.bot.test_questions import question_id_of

USER, OTHER = 1001, 2002
STALE_VI = TEXTS["stale_button"][0]


def _votes(bot: BotHarness) -> tuple[int, int]:
    up, down = bot.services.store.stats()[1:]
    return up, down


async def test_a_vote_counts_only_for_a_question_asked_in_that_chat(bot: BotHarness) -> None:
    [mine] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    [theirs] = await bot.send("Ai chủ trì nhiệm vụ 2.1?", user_id=OTHER)
    mine_id, theirs_id = question_id_of(mine), question_id_of(theirs)

    # another user, in their own chat, sends the data of my answer's button
    forged = await bot.press(f"fb:{mine_id}:0", user_id=OTHER, message_id=theirs["message_id"])
    assert forged.answers[0]["text"] == STALE_VI
    # a question that does not exist
    missing = await bot.press(f"fb:{theirs_id + 50}:1", user_id=OTHER)
    assert missing.answers[0]["text"] == STALE_VI
    assert _votes(bot) == (0, 0)

    # the real buttons still count, once per user and question
    for _ in range(3):
        await bot.press(f"fb:{theirs_id}:1", user_id=OTHER, message_id=theirs["message_id"])
    assert _votes(bot) == (1, 0)


@pytest.mark.parametrize(
    "data",
    ["", "fb:" + "9" * 60 + ":1", "fb:1:2", "ex:", "t:" + "x" * 200, "el:", "el:k:evil:x", "zz"],
    ids=[
        "empty",
        "60-digit-id",
        "bad-vote",
        "no-index",
        "long-task",
        "el-empty",
        "el-extra",
        "other",
    ],
)
async def test_data_no_button_makes_is_refused_politely(
    bot: BotHarness, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    sent_before = len(bot.api.sent(USER))
    with caplog.at_level(logging.INFO):
        press = await bot.press(data, user_id=USER)
    assert press.answers == [{"callback_query_id": press.callback_id, "text": STALE_VI}]
    assert press.edits == [] and len(bot.api.sent(USER)) == sent_before  # no apology
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    audited = [r.getMessage() for r in caplog.records if r.name == "assistant.audit"]
    assert any('"event": "refused_button"' in line for line in audited)
    assert _votes(bot) == (0, 0)


async def test_a_choice_the_questionnaire_does_not_offer_changes_nothing(bot: BotHarness) -> None:
    await bot.send("/eligibility", user_id=USER)
    press = await bot.press("el:k:evil", user_id=USER)
    assert press.edits == [] and press.sent == []
    press = await bot.press("el:k:dn", user_id=USER)  # a real choice moves on
    assert len(press.edits) == 1


async def test_staff_actions_and_refusals_leave_audit_lines(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.auxil.bot_harness import ADMIN_ID

    with caplog.at_level(logging.INFO, logger="assistant.audit"):
        await bot.send("/stats", user_id=USER)
        await bot.send("/stats", user_id=ADMIN_ID)
    audited = [r.getMessage() for r in caplog.records if r.name == "assistant.audit"]
    assert (
        f'audit {{"event": "refused_staff_action", "user": {USER}, "chat": {USER}, '
        '"action": "/stats"}' in audited
    )
    assert f'audit {{"event": "staff_action", "user": {ADMIN_ID}, "action": "/stats"}}' in audited
