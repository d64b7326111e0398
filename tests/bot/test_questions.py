"""Free-text questions in private chats: answers, 👍/👎 feedback, odd input, failures."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest

from bot.i18n import TEXTS
from bot.ratelimit import RateLimiter
from tests.auxil.bot_harness import BotHarness, buttons, text_of

USER = 1001
LEAD_VI = "Cơ quan chủ trì: Sở Khoa học và Công nghệ"
LEAD_EN = "Lead agency: Department of Science and Technology"


def question_id_of(sent: dict[str, Any]) -> int:
    """The question id carried by the 👍/👎 buttons of an answer."""
    [(up, up_data), (down, down_data)] = buttons(sent)
    assert (up, down) == ("👍", "👎")
    qid = int(up_data.split(":")[1])
    assert (up_data, down_data) == (f"fb:{qid}:1", f"fb:{qid}:0")
    return qid


@pytest.mark.parametrize(
    ("question", "lead", "title"),
    [
        ("Ai chủ trì nhiệm vụ 3.2?", LEAD_VI, "Nhiệm vụ 3.2: "),
        ("ai chu tri nhiem vu 3.2", LEAD_VI, "Nhiệm vụ 3.2: "),
        ("Who leads task 3.2?", LEAD_EN + " (Sở Khoa học và Công nghệ)", "Task 3.2: "),
    ],
    ids=["vietnamese", "no-diacritics", "english"],
)
async def test_question_is_answered_with_feedback_buttons(
    bot: BotHarness, question: str, lead: str, title: str
) -> None:
    [answer] = await bot.send(question, user_id=USER)
    assert answer["parse_mode"] == "HTML"
    text = text_of(answer)
    assert text.startswith(title)
    assert f"• {lead}\n" in text
    if title.startswith("Task"):  # the English card names no Vietnamese-only label
        assert "Cơ quan chủ trì" not in text and "Nguồn:" not in text
        assert text.rstrip().endswith("Sources: task:3.2")
    else:
        assert text.rstrip().endswith("Nguồn: task:3.2")
    question_id_of(answer)
    assert "reply_parameters" not in answer  # private chats get plain answers, not replies
    assert bot.api.calls("sendChatAction") == 1


async def test_thumbs_up_is_stored_and_the_button_is_answered(bot: BotHarness) -> None:
    [first] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    [second] = await bot.send("Who leads task 3.2?", user_id=USER)
    first_id, second_id = question_id_of(first), question_id_of(second)
    assert second_id == first_id + 1

    press = await bot.press(f"fb:{first_id}:1", user_id=USER, message_id=first["message_id"])
    assert press.answers == [{"callback_query_id": press.callback_id, "text": TEXTS["thanks"][0]}]
    assert press.sent == [] and press.edits == []
    press = await bot.press(f"fb:{second_id}:0", user_id=USER, message_id=second["message_id"])
    assert press.answers[0]["callback_query_id"] == press.callback_id
    # a change of mind replaces the vote rather than adding one
    await bot.press(f"fb:{second_id}:1", user_id=USER, message_id=second["message_id"])

    db = sqlite3.connect(bot.settings.data_dir / "assistant.db")
    try:
        votes = db.execute(
            "SELECT question_id, user_id, vote FROM feedback ORDER BY question_id"
        ).fetchall()
        questions = db.execute(
            "SELECT id, user_id, chat_id, lang, question, intent, confident FROM questions"
            " ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    assert votes == [(first_id, USER, 1), (second_id, USER, 1)]
    assert questions == [
        (first_id, USER, USER, "vi", "Ai chủ trì nhiệm vụ 3.2?", "task", 1),
        (second_id, USER, USER, "en", "Who leads task 3.2?", "task", 1),
    ]
    assert bot.services.store.stats()[1:] == (2, 0)


CARD_3_2 = "Nhiệm vụ 3.2: Tăng tỷ lệ doanh nghiệp áp dụng tiêu chuẩn quốc gia"
# noise has no language; either "not found" answer is right
NOT_FOUND = ("Tôi không tìm thấy nội dung này", "I can't answer that from the Gia Lai")
ODD_INPUTS: dict[str, tuple[str, str | tuple[str, ...]]] = {
    "long-question": (("Ai chủ trì nhiệm vụ 3.2? " * 200)[:5000], CARD_3_2),
    "long-noise": ("x" * 5000, NOT_FOUND),
    "html": (
        "<b>Ai</b> chủ trì <i>nhiệm vụ</i> 3.2? <script>alert('x')</script> &amp; &nbsp; R&D 1 < 2",
        CARD_3_2,
    ),
    "broken-html": ("</blockquote><b><a href='javascript:alert(1)'>", NOT_FOUND),
    "markdown": ("**Ai chủ trì** _nhiệm vụ_ `3.2`? [link](http://x) ```code```", CARD_3_2),
    "sql": ("'; DROP TABLE questions; -- Ai chủ trì nhiệm vụ 3.2?", CARD_3_2),
    "emoji": ("🤔🔥 Ai chủ trì nhiệm vụ 3.2? 👍🏽👨‍👩‍👧 𝕏", CARD_3_2),
    "entities": ("&lt;b&gt; &#0; &#xD800; &bogus; \x00", NOT_FOUND),
}


async def test_long_and_markup_laden_input_gets_valid_replies(bot: BotHarness) -> None:
    """Each odd input gets one valid HTML answer (the fake server rejects bad HTML)."""
    for n, (name, (question, expected)) in enumerate(ODD_INPUTS.items()):
        user = 2000 + n
        replies = await bot.send(question, user_id=user)
        assert len(replies) == 1, name
        [reply] = replies
        text = text_of(reply)  # raises if the HTML is not valid Telegram HTML
        assert text.startswith(expected), (name, text[:80])
        assert TEXTS["error"][0] not in text
        question_id_of(reply)
        for raw in ("<script", "<a href", "</blockquote><b>", "&nbsp;", "&bogus;"):
            assert raw not in reply["text"], (name, raw)
    assert bot.failed_calls() == {}
    db = sqlite3.connect(bot.settings.data_dir / "assistant.db")
    try:
        logged = [q for (q,) in db.execute("SELECT question FROM questions ORDER BY id")]
    finally:
        db.close()
    assert logged == [q[:2000] for q, _ in ODD_INPUTS.values()]


async def test_a_failing_handler_apologises_and_logs_the_error(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot.expect_errors = True

    def broken(key: object, question: str, today: object = None) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(bot.services.assistant, "converse", broken)
    with caplog.at_level(logging.ERROR):
        [reply] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
        [reply_en] = await bot.send("Who leads task 3.2?", user_id=USER, language_code="en")
    assert reply == {
        "chat_id": USER,
        "text": TEXTS["error"][0],
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "message_id": reply["message_id"],
    }
    assert text_of(reply_en) == TEXTS["error"][1]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, r.getMessage()) for r in errors] == [
        ("bot.handlers.errors", "handler failed: index exploded"),
    ] * 2
    assert all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in errors)

    monkeypatch.undo()
    [answer] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    assert text_of(answer).startswith(CARD_3_2)


async def test_a_flooding_user_is_asked_to_slow_down(bot: BotHarness) -> None:
    now = [0.0]
    bot.services.limiter = RateLimiter(clock=lambda: now[0])
    for i in range(9):
        bot.api.push_message(f"Ai chủ trì nhiệm vụ 3.{1 + i % 4}?", user_id=USER)
    await bot.settle()
    replies = bot.api.sent(USER)
    assert len(replies) == 9
    slow = [r for r in replies if r["text"] == TEXTS["slow_down"][0]]
    assert len(slow) == 1 and "reply_markup" not in slow[0]
    assert sum(1 for r in replies if buttons(r)) == 8
    now[0] += 2.0  # one token back after two seconds
    [answer] = await bot.send("Ai chủ trì nhiệm vụ 4?", user_id=USER)
    assert text_of(answer).startswith("Nhiệm vụ 4: ")
    [refused] = await bot.send("Ai chủ trì nhiệm vụ 4?", user_id=USER)
    assert refused["text"] == TEXTS["slow_down"][0]
    other = await bot.send("Ai chủ trì nhiệm vụ 4?", user_id=USER + 1)
    assert len(other) == 1 and buttons(other[0])  # the limit is per user
