"""Declined questions go to staff: 📨, the staff message, /reply and reply-to, FAQ, /stats."""

from __future__ import annotations

import re

import yaml

from bot.i18n import TEXTS
from tests.auxil.bot_harness import ADMIN_ID, BotHarness, buttons, text_of

USER = 1201
OTHER = 1202
# in the domain (support for enterprises), but the plan sets no application deadline
UNKNOWN = "Hạn chót nộp hồ sơ xin hỗ trợ xây dựng mô hình điểm năm 2027 là ngày nào?"
FORWARD_LABEL = TEXTS["forward_button"][0]


def forward_button(reply: dict[str, object]) -> str:
    found = [data for label, data in buttons(reply) if label == FORWARD_LABEL]
    assert found, buttons(reply)
    return found[0]


async def test_a_declined_question_goes_to_staff_and_the_reply_comes_back(
    bot: BotHarness,
) -> None:
    await bot.send("/start", user_id=ADMIN_ID)
    [declined] = await bot.send(UNKNOWN, user_id=USER)
    assert text_of(declined).startswith(("Tôi không tìm thấy", "Kế hoạch không đặt thời hạn"))
    data = forward_button(declined)
    assert re.fullmatch(r"fw:\d+", data)

    # somebody else cannot forward (or learn anything about) this user's question
    await bot.send("Ai chủ trì nhiệm vụ 1?", user_id=OTHER)
    press = await bot.press(data, user_id=OTHER)
    assert press.sent == [] and len(bot.api.sent(ADMIN_ID)) == 1  # only the /start reply
    assert [a.get("text") for a in press.answers] == [TEXTS["forward_not_yours"][0]]

    press = await bot.press(data, user_id=USER)
    [told] = press.sent
    forward_id = int(re.search(r"#(\d+)", text_of(told)).group(1))  # type: ignore[union-attr]
    assert text_of(told).startswith("Đã chuyển câu hỏi của bạn")
    [_, to_staff] = bot.api.sent(ADMIN_ID)
    staff_text = text_of(to_staff)
    assert f"#{forward_id}" in staff_text and UNKNOWN in staff_text
    assert "intent:" in staff_text and "closest" in staff_text  # what was searched

    # pressing again does not notify staff twice
    again = await bot.press(data, user_id=USER)
    assert "đã được chuyển" in text_of(again.sent[0])
    assert len(bot.api.sent(ADMIN_ID)) == 2

    # /stats shows it waiting
    [stats] = await bot.send("/stats", user_id=ADMIN_ID)
    assert "đang chờ: 1" in text_of(stats) and f"#{forward_id}" in text_of(stats)

    # the staff member replies to the forwarded message; the user gets it from the Department
    before = len(bot.api.sent(USER))
    reply_text = "Kế hoạch không đặt hạn này; Sở sẽ thông báo khi mở đợt hỗ trợ năm 2027."
    confirm = await bot.send(
        reply_text, user_id=ADMIN_ID, reply_to_message_id=int(str(to_staff["message_id"]))
    )
    [delivered] = bot.api.sent(USER)[before:]
    assert text_of(delivered).startswith(
        f"📬 Sở Khoa học và Công nghệ trả lời câu hỏi #{forward_id}"
    )
    assert reply_text in text_of(delivered)
    [saved_offer] = confirm
    [(_, save)] = buttons(saved_offer)
    assert save == f"fq:{forward_id}"

    [stats] = await bot.send("/stats", user_id=ADMIN_ID)
    assert "đang chờ: 0" in text_of(stats)

    # saved as an FAQ entry: validated, indexed, and the question is answered from now on
    press = await bot.press(save, user_id=ADMIN_ID)
    assert "Đã lưu thành mục faq-staff-" in text_of(press.sent[0])
    faq = yaml.safe_load((bot.settings.knowledge_dir / "tbt/faq.yaml").read_text("utf-8"))
    entry = faq["entries"][-1]
    assert entry["title_vi"] == UNKNOWN and entry["text_vi"] == reply_text
    assert entry["sources"][0]["ref"].startswith(f"#{forward_id}")
    [answered] = await bot.send(UNKNOWN, user_id=OTHER)
    assert reply_text in text_of(answered)
    assert FORWARD_LABEL not in [label for label, _ in buttons(answered)]


async def test_reply_command_and_refusals(bot: BotHarness) -> None:
    await bot.send("/start", user_id=ADMIN_ID)
    [declined] = await bot.send(UNKNOWN, user_id=USER)
    await bot.press(forward_button(declined), user_id=USER)
    to_staff = bot.api.sent(ADMIN_ID)[-1]
    forward_id = int(re.search(r"#(\d+)", text_of(to_staff)).group(1))  # type: ignore[union-attr]

    [refused] = await bot.send(f"/reply {forward_id} xin chào", user_id=OTHER)
    assert text_of(refused) == TEXTS["not_admin"][0]
    [usage] = await bot.send("/reply", user_id=ADMIN_ID)
    assert "/reply" in text_of(usage)
    [unknown] = await bot.send("/reply 999 trả lời", user_id=ADMIN_ID)
    assert "#999" in text_of(unknown)

    before = len(bot.api.sent(USER))
    await bot.send(f"/reply {forward_id} Xem mục III.3 của Kế hoạch.", user_id=ADMIN_ID)
    [delivered] = bot.api.sent(USER)[before:]
    assert "Xem mục III.3 của Kế hoạch." in text_of(delivered)

    # a user's reply to one of the bot's answers is still just a question
    [answer] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    [again] = await bot.send(
        "ai phối hợp?", user_id=USER, reply_to_message_id=int(str(answer["message_id"]))
    )
    assert "Cơ quan phối hợp" in text_of(again)
