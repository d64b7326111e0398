"""Commands and their buttons: /start, /help, /task(s), /agency, /deadlines, /tbt, /lang."""

from __future__ import annotations

from typing import Any

from assistant.answer.labels import EXAMPLES
from bot.app import COMMANDS
from bot.i18n import TEXTS
from tests.auxil.bot_harness import BotHarness, at, buttons, text_of
from tests.auxil.fake_bot_api import BOT_USERNAME

USER = 1001
TASK_IDS = ["1", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "4", "5.1", "5.2", "5.3"]
TASK_BUTTONS = [(i, f"t:{i}") for i in TASK_IDS]


def joined(messages: list[dict[str, Any]]) -> str:
    return "\n".join(text_of(m) for m in messages)


async def test_commands_menu_is_registered(bot: BotHarness) -> None:
    api, app = bot
    assert app.bot.username == BOT_USERNAME
    assert api.commands == [{"command": c, "description": d} for c, d in COMMANDS]
    assert api.calls("setMyCommands") == 1


async def test_start_help_and_example_buttons(bot: BotHarness) -> None:
    [intro] = await bot.send("/start", user_id=USER)
    assert text_of(intro).startswith("Xin chào! Tôi là Trợ lý Tiêu chuẩn Gia Lai.")
    assert buttons(intro) == [(q, f"ex:{i}") for i, q in enumerate(EXAMPLES["vi"])]
    press = await bot.press("ex:0", user_id=USER, message_id=intro["message_id"])
    assert len(press.answers) == 1
    [answer] = press.sent
    assert text_of(answer).startswith("Nhiệm vụ 3.2: ")
    assert [label for label, _ in buttons(answer)] == ["👍", "👎"]
    assert (await bot.press("ex:99", user_id=USER, message_id=intro["message_id"])).sent == []

    [help_text] = await bot.send("/help", user_id=USER)
    assert help_text["parse_mode"] == "HTML" and help_text["text"] == TEXTS["help"][0]


async def test_task_cards_and_buttons(bot: BotHarness) -> None:
    [card] = await bot.send("/task 3.2", user_id=USER)
    text = text_of(card)
    assert text.startswith("Nhiệm vụ 3.2: Tăng tỷ lệ doanh nghiệp áp dụng tiêu chuẩn")
    assert "• Cơ quan chủ trì: Sở Khoa học và Công nghệ\n" in text
    assert "• Thời gian: Giai đoạn 2026-2030\n" in text
    assert text.endswith("Nguồn: task:3.2")
    assert buttons(card) == []
    [card] = await bot.send("/task 3,2", user_id=USER)  # a comma is read as a dot
    assert text_of(card).startswith("Nhiệm vụ 3.2: ")

    [missing] = await bot.send("/task 9.7", user_id=USER)
    assert text_of(missing) == "Không có nhiệm vụ 9.7. Chọn một nhiệm vụ:"
    assert buttons(missing) == TASK_BUTTONS
    [missing] = await bot.send("/task <b>9</b>", user_id=USER)
    assert text_of(missing) == "Không có nhiệm vụ <b>9</b>. Chọn một nhiệm vụ:"

    listing = await bot.send("/tasks", user_id=USER)
    text = joined(listing)
    assert text.startswith("Các nhiệm vụ của Kế hoạch (12)\n")
    for task_id in TASK_IDS:
        assert f"\n• {task_id}. " in text
    assert buttons(listing[-1]) == TASK_BUTTONS
    assert [len(r) for r in listing[-1]["reply_markup"]["inline_keyboard"]] == [4, 4, 4]

    press = await bot.press("t:3.1", user_id=USER, message_id=listing[-1]["message_id"])
    assert len(press.answers) == 1 and press.edits == []
    [card] = press.sent
    assert text_of(card).startswith("Nhiệm vụ 3.1: ")
    assert "• Cơ quan chủ trì: Các sở, ban, ngành\n" in text_of(card)
    press = await bot.press("t:9.9", user_id=USER, message_id=listing[-1]["message_id"])
    assert [text_of(m) for m in press.sent] == ["Không có nhiệm vụ 9.9. Chọn một nhiệm vụ:"]

    [again] = await bot.send("/task", user_id=USER)  # no number: the list
    assert text_of(again).startswith("Các nhiệm vụ của Kế hoạch (12)\n")


async def test_agency_command_and_buttons(bot: BotHarness) -> None:
    [card] = await bot.send("/agency Sở Tài chính", user_id=USER)
    text = text_of(card)
    assert text.startswith("Sở Tài chính\n• Chủ trì: không có\n• Phối hợp: không có\n")
    assert "Trách nhiệm theo Kế hoạch:\n• Trên cơ sở đề xuất của Sở Khoa học và Công nghệ" in text
    assert text.endswith("Nguồn: agency:so-tai-chinh, plan:V.2")
    [card] = await bot.send("/agency so tai chinh", user_id=USER)
    assert text_of(card).startswith("Sở Tài chính\n")

    [menu] = await bot.send("/agency", user_id=USER)
    assert text_of(menu) == "Chọn một cơ quan:"
    assert ("Sở Khoa học và Công nghệ", "ag:so-khcn") in buttons(menu)
    assert ("Sở Tài chính", "ag:so-tai-chinh") in buttons(menu)
    [unknown] = await bot.send("/agency Sở Du lịch", user_id=USER)
    assert text_of(unknown) == "Không tìm thấy cơ quan «Sở Du lịch». Chọn:"
    assert buttons(unknown) == buttons(menu)

    press = await bot.press("ag:so-khcn", user_id=USER, message_id=menu["message_id"])
    [card] = press.sent
    assert text_of(card).startswith(
        "Sở Khoa học và Công nghệ\n• Chủ trì: nhiệm vụ 1, nhiệm vụ 2.1, nhiệm vụ 2.2"
    )
    press = await bot.press("ag:no-such-agency", user_id=USER, message_id=menu["message_id"])
    assert len(press.answers) == 1 and press.sent == []


async def test_deadlines_show_days_left(bot: BotHarness) -> None:
    bot.set_clock(at(2026, 10, 1))
    text = joined(await bot.send("/deadlines", user_id=USER))
    assert text.startswith(
        "Báo cáo kết quả thực hiện Kế hoạch hằng năm gửi Sở Khoa học và Công nghệ\n"
        "• Thời gian: Hằng năm, trước ngày 30 tháng 11\n"
        "• Lần tới: 30/11/2026 (còn 60 ngày)\n"
    )
    bot.set_clock(at(2026, 12, 1))
    text = joined(await bot.send("/deadlines", user_id=USER))
    assert "• Lần tới: 30/11/2027 (còn 364 ngày)\n" in text


async def test_deadlines_of_foreign_measures(bot: BotHarness) -> None:
    bot.set_clock(at(2026, 12, 2))
    text = joined(await bot.send("/deadlines cà phê EU", user_id=USER))
    assert text.startswith(
        "Các mốc sắp tới của biện pháp nước ngoài cho cà phê — Liên minh châu Âu (EU) "
        "(12 tháng tới)\n"
        "• 30/12/2026 (còn 28 ngày) — Liên minh châu Âu (EU): EUDR — Bắt đầu áp dụng (nhà vận "
        "hành và thương nhân lớn, vừa)\n"
        "• 30/6/2027 (còn 210 ngày) — Liên minh châu Âu (EU): EUDR — Bắt đầu áp dụng (doanh "
        "nghiệp siêu nhỏ và nhỏ thành lập chậm nhất 31/12/2024)\n"
    )
    assert "/deadlines tbt" in text and "Trung Quốc" not in text
    # every measure; then the watched ones by default; the plan's deadlines on request
    assert "Trung Quốc: G/TBT/N/CHN/1827 — Ngày có hiệu lực" in joined(
        await bot.send("/deadlines tbt", user_id=USER)
    )
    await bot.send("/watch sầu riêng Trung Quốc", user_id=USER)
    text = joined(await bot.send("/deadlines", user_id=USER))
    assert text.startswith("Các mốc sắp tới của biện pháp nước ngoài cho sầu riêng — Trung Quốc")
    assert "EUDR" not in text
    text = joined(await bot.send("/deadlines kế hoạch", user_id=USER))
    assert text.startswith("Báo cáo kết quả thực hiện Kế hoạch hằng năm")
    bot.set_clock(at(2028, 1, 1))  # every date has passed
    text = joined(await bot.send("/deadlines coffee EU", user_id=USER))
    assert "Không có hạn góp ý, ngày có hiệu lực hay ngày áp dụng nào" in text


async def test_tbt_menu_topic_and_search(bot: BotHarness) -> None:
    [menu] = await bot.send("/tbt", user_id=USER)
    assert text_of(menu) == (
        "Hàng rào kỹ thuật trong thương mại (TBT)\nChọn chủ đề, hoặc tìm biện pháp theo sản "
        "phẩm và thị trường: /tbt cà phê EU"
    )
    topics = buttons(menu)
    assert topics[0] == ("Hàng rào kỹ thuật trong thương mại (TBT) là gì?", "tb:0")
    assert [data for _, data in topics] == [f"tb:{i}" for i in range(len(topics))]
    assert all(len(label) <= 60 for label, _ in topics)

    press = await bot.press("tb:0", user_id=USER, message_id=menu["message_id"])
    assert len(press.answers) == 1
    text = joined(press.sent)
    assert text.startswith("Hàng rào kỹ thuật trong thương mại (TBT) là gì?\nTheo Hiệp định")
    assert text.endswith("Nguồn: tbt:tbt-what-is")
    press = await bot.press(f"tb:{len(topics)}", user_id=USER, message_id=menu["message_id"])
    assert len(press.answers) == 1 and press.sent == []

    found = joined(await bot.send("/tbt cà phê EU", user_id=USER))
    assert found.startswith("Xuất khẩu cà phê — Liên minh châu Âu (EU): ")
    assert "Quy định chống phá rừng của EU (EUDR, 2023/1115)" in found and "\nHỏi ai\n" in found


async def test_lang_switches_command_answers(bot: BotHarness) -> None:
    [reply] = await bot.send("/lang fr", user_id=USER)
    assert reply["text"] == "Dùng: /lang vi hoặc /lang en"
    [reply] = await bot.send("/lang en", user_id=USER)
    assert reply["text"] == "Switched to English."
    [card] = await bot.send("/task 3.2", user_id=USER)
    text = text_of(card)
    assert text.startswith("Task 3.2: Raising the share of enterprises")
    assert (
        "• Lead agency: Department of Science and Technology (Sở Khoa học và Công nghệ)\n" in text
    )
    assert text.endswith("Sources: task:3.2")
    [missing] = await bot.send("/task 9.7", user_id=USER)
    assert text_of(missing) == "There is no task 9.7. Pick one:"
    [help_text] = await bot.send("/help", user_id=USER)
    assert help_text["text"] == TEXTS["help"][1]
    [menu] = await bot.send("/agency", user_id=USER)
    assert ("Department of Finance", "ag:so-tai-chinh") in buttons(menu)
    bot.set_clock(at(2026, 10, 1))
    text = joined(await bot.send("/deadlines", user_id=USER))
    assert "• Next due: 30/11/2026 (60 days left)\n" in text
    [menu] = await bot.send("/tbt", user_id=USER)
    assert text_of(menu).startswith("Technical barriers to trade (TBT)\n")

    [reply] = await bot.send("/lang vi", user_id=USER)
    assert reply["text"] == "Đã chuyển sang tiếng Việt."
    [card] = await bot.send("/task 3.2", user_id=USER)
    assert text_of(card).startswith("Nhiệm vụ 3.2: ")
