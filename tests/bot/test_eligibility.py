"""/eligibility clicked through to the end, as a user does it."""

from __future__ import annotations

from typing import Any

from bot.handlers.eligibility import INTERESTS, PRODUCTS
from tests.auxil.bot_harness import BotHarness, buttons, text_of

USER = 1001
OCOP = "Hỗ trợ xây dựng và áp dụng tiêu chuẩn cơ sở cho sản phẩm OCOP, sản phẩm chủ lực, đặc trưng"
TRACEABILITY = (
    "Hỗ trợ áp dụng, chứng nhận tiêu chuẩn về truy xuất nguồn gốc, thực hành nông nghiệp tốt, "
    "hữu cơ, chuyển đổi xanh, chuyển đổi số"
)
HIGH_RISK = (
    "Hỗ trợ, hướng dẫn áp dụng tiêu chuẩn, quy chuẩn kỹ thuật về chất lượng và truy xuất nguồn "
    "gốc cho hàng hoá rủi ro cao"
)
EXPORT = "Thông tin về hàng rào kỹ thuật trong thương mại (TBT) cho doanh nghiệp xuất khẩu"
NEXT_STEP = (
    "Làm gì tiếp: liên hệ Sở Khoa học và Công nghệ — cơ quan đầu mối của Kế hoạch (mục V.1) — "
    "hoặc Chi cục Tiêu chuẩn Đo lường Chất lượng, nêu rõ hình thức hỗ trợ quan tâm."
)


def toggles(
    options: dict[str, tuple[str, str]], prefix: str, chosen: set[str], done: str
) -> list[tuple[str, str]]:
    rows = [
        (("✅ " if key in chosen else "▫️ ") + vi, f"el:{prefix}:{key}")
        for key, (vi, _) in options.items()
    ]
    return [*rows, (done, f"el:{prefix}n")]


async def test_eligibility_flow_to_the_results(bot: BotHarness) -> None:
    [question] = await bot.send("/eligibility", user_id=USER)
    assert text_of(question) == "Bước 1/3. Bạn là loại hình nào?"
    assert buttons(question) == [
        ("Doanh nghiệp", "el:k:dn"),
        ("Hợp tác xã", "el:k:htx"),
        ("Hộ kinh doanh", "el:k:hkd"),
        ("Tổ chức khác", "el:k:org"),
    ]
    mid = question["message_id"]

    async def press(data: str) -> dict[str, Any]:
        done = await bot.press(data, user_id=USER, message_id=mid)
        assert [a["callback_query_id"] for a in done.answers] == [done.callback_id]
        assert done.sent == []
        [edit] = done.edits
        assert edit["message_id"] == mid
        return edit

    edit = await press("el:k:htx")
    assert text_of(edit) == "Bước 2/3. Sản phẩm của bạn (chọn nhiều, rồi bấm Tiếp):"
    assert buttons(edit) == toggles(PRODUCTS, "p", set(), "Tiếp ›")
    edit = await press("el:p:ocop")
    assert "text" not in edit  # only the keyboard changes
    assert buttons(edit) == toggles(PRODUCTS, "p", {"ocop"}, "Tiếp ›")
    await press("el:p:export")
    edit = await press("el:p:export")  # pressed again: unticked
    assert buttons(edit) == toggles(PRODUCTS, "p", {"ocop"}, "Tiếp ›")
    edit = await press("el:pn")
    assert text_of(edit) == ("Bước 3/3. Bạn quan tâm điều gì (chọn nhiều, rồi bấm Xem kết quả):")
    assert buttons(edit) == toggles(INTERESTS, "i", {"ocop"}, "Xem kết quả ✓")
    edit = await press("el:i:traceability")
    assert buttons(edit) == toggles(INTERESTS, "i", {"ocop", "traceability"}, "Xem kết quả ✓")

    results = await bot.press("el:in", user_id=USER, message_id=mid)
    assert len(results.answers) == 1 and results.edits == []
    assert results.sent
    text = "\n".join(text_of(m) for m in results.sent)
    assert text.startswith("Các hình thức hỗ trợ phù hợp với doanh nghiệp của bạn:\n")
    for title in (HIGH_RISK, TRACEABILITY, OCOP):
        assert f"\n{title}\n" in text
    ocop_card = text[text.index(OCOP) :]
    assert "tiêu chuẩn cơ sở" in ocop_card
    assert "• Cơ quan chủ trì: Sở Khoa học và Công nghệ" in ocop_card
    assert EXPORT not in text  # unticked
    assert "Mọi doanh nghiệp đều có thể quan tâm:\n" in text
    assert NEXT_STEP in text
    assert buttons(results.sent[-1]) == [("Làm lại", "el:r")]
    assert all(not buttons(m) for m in results.sent[:-1])

    # start over: the earlier choices are forgotten
    again = await bot.press("el:r", user_id=USER, message_id=results.sent[-1]["message_id"])
    [restart] = again.sent
    assert text_of(restart) == "Bước 1/3. Bạn là loại hình nào?"
    mid = restart["message_id"]
    edit = await press("el:k:dn")
    assert buttons(edit) == toggles(PRODUCTS, "p", set(), "Tiếp ›")
    await press("el:pn")
    final = await bot.press("el:in", user_id=USER, message_id=mid)
    text = "\n".join(text_of(m) for m in final.sent)
    assert text.startswith("Mọi doanh nghiệp đều có thể quan tâm:\n")
    assert OCOP not in text and NEXT_STEP in text


async def test_eligibility_in_english(bot: BotHarness) -> None:
    # (the fake server's button presses carry no language_code, so choose English with /lang)
    [switched] = await bot.send("/lang en", user_id=USER)
    assert switched["text"] == "Switched to English."
    [question] = await bot.send("/eligibility", user_id=USER)
    assert text_of(question) == "Step 1/3. What kind of business are you?"
    mid = question["message_id"]
    for data in ("el:k:dn", "el:p:export", "el:pn"):
        await bot.press(data, user_id=USER, message_id=mid)
    interests = bot.api.message(USER, mid)
    assert interests is not None
    assert interests["text"].startswith("Step 3/3. What are you interested in")
    final = await bot.press("el:in", user_id=USER, message_id=mid)
    text = "\n".join(text_of(m) for m in final.sent)
    assert text.startswith("Support that fits your answers:\n")
    assert "Technical barriers to trade (TBT) information for exporters" in text
    assert buttons(final.sent[-1]) == [("Start over", "el:r")]
