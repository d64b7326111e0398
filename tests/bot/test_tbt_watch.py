"""Issue 5: watching TBT measures by product and market, alerts after a reload or upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.tbt_import import COLUMNS, import_measures
from tests.auxil.bot_harness import ADMIN_ID, BotHarness, at, text_of

A, B, C = 1101, 1102, 1103  # coffee in the EU; durian in China; coffee in Japan (English)
TODAY = dt.date(2026, 11, 25)
COFFEE_EU = {
    "market": "EU",
    "symbol": "G/TBT/N/EU/1234",
    "title": "Draft labelling rule for roasted coffee",
    "products": "roasted coffee",
    "hs_codes": "0901; 090121",
    "measure_type": "technical_regulation",
    "status": "draft",
    "notified_on": "2026-11-20",
    "comment_deadline": "2027-01-19",
    "entry_into_force": "",
    "summary_vi": "Dự thảo yêu cầu ghi nhãn nguồn gốc cho cà phê rang.",
    "summary_en": "A draft requiring origin labels on roasted coffee.",
    "source_url": "https://example.org/eu-1234",
}
ALERT_A = "🔔 Biện pháp mới/cập nhật cho cà phê — Liên minh châu Âu (EU):"
NEW_MEASURES = """
  - id: cn-durian-test
    market: CN
    symbol: "G/TBT/N/CHN/2001"
    title: "Draft standard for fresh durian grading"
    products: "fresh durian"
    hs_codes: ["081060"]
    measure_type: standard
    status: draft
    notified_on: 2026-12-01
    comment_deadline: 2027-01-30
    adopted_on: null
    entry_into_force: null
    summary_vi: "Dự thảo tiêu chuẩn phân hạng sầu riêng tươi."
    summary_en: "A draft grading standard for fresh durian."
    source_url: "https://example.org/cn-2001"
    reviewed_on: 2026-12-02
  - id: jp-coffee-test
    market: JP
    symbol: null
    title: "Revised residue limits for coffee beans"
    products: "green coffee beans"
    hs_codes: ["0901"]
    measure_type: technical_regulation
    status: adopted
    notified_on: null
    comment_deadline: null
    adopted_on: 2026-11-30
    entry_into_force: 2027-06-01
    summary_vi: "Giới hạn dư lượng mới cho cà phê nhân."
    summary_en: "New residue limits for green coffee beans."
    source_url: "https://example.org/jp-coffee"
    reviewed_on: 2026-12-02
"""


def sheet(folder: Path, row: dict[str, str]) -> Path:
    path = folder / "measures.csv"
    lines = [",".join(COLUMNS), ",".join(f'"{row.get(c, "")}"' for c in COLUMNS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def split_alert(message: dict[str, object]) -> tuple[str, str]:
    """The alert's heading line and the measure card below it (one message)."""
    head, card = text_of(message).split("\n", 1)
    return head, card


async def watch_three(bot: BotHarness) -> None:
    [reply] = await bot.send("/watch cà phê EU", user_id=A)
    assert text_of(reply) == "Đã theo dõi: cà phê — Liên minh châu Âu (EU)."
    [reply] = await bot.send("/watch sầu riêng Trung Quốc", user_id=B)
    assert text_of(reply) == "Đã theo dõi: sầu riêng — Trung Quốc."
    [reply] = await bot.send("/watch coffee Japan", user_id=C, language_code="en")
    assert text_of(reply) == "Watching: coffee — Japan."


async def test_only_matching_watchers_get_the_alert(bot: BotHarness, tmp_path: Path) -> None:
    bot.set_clock(at(2026, 12, 3))  # the days left in the cards count from here
    await watch_three(bot)
    [reply] = await bot.send("/watch ca phe EU", user_id=A)
    assert text_of(reply) == "Bạn đã theo dõi cà phê — Liên minh châu Âu (EU)."
    [reply] = await bot.send("/watches", user_id=A)
    assert text_of(reply) == "• cà phê — Liên minh châu Âu (EU)"
    [reply] = await bot.send("/watch", user_id=A)
    assert text_of(reply) == "Dùng: /watch <sản phẩm> [thị trường], ví dụ /watch cà phê EU"

    knowledge = bot.settings.knowledge_dir
    result = import_measures(knowledge, sheet(tmp_path, COFFEE_EU), TODAY)
    assert result.added == ["g-tbt-n-eu-1234"] and not result.problems
    before = {chat: len(bot.api.sent(chat)) for chat in (A, B, C)}
    replies = await bot.send("/reload", user_id=ADMIN_ID)
    assert [text_of(r) for r in replies] == [
        "Đang kiểm tra và nạp lại dữ liệu…",
        "Đã nạp lại: 1 đoạn được tính lại, 1 thêm, 0 sửa, 0 xóa.",
    ]
    [alert] = bot.api.sent(A)[before[A] :]
    head, card = split_alert(alert)
    assert head == ALERT_A
    assert card == (
        "Liên minh châu Âu (EU): Draft labelling rule for roasted coffee\n"
        "• G/TBT/N/EU/1234; tình trạng: dự thảo\n"
        "• Ngày thông báo WTO: 20/11/2026\n"
        "• Hạn góp ý: 19/1/2027\n"
        "• Mốc tiếp theo: 19/1/2027 — Hạn góp ý, còn 47 ngày\n"
        "Dự thảo yêu cầu ghi nhãn nguồn gốc cho cà phê rang.\n"
        "Nguồn: https://example.org/eu-1234 (rà soát 25/11/2026)\n"
        "Nguồn: measure:g-tbt-n-eu-1234"
    )
    assert len(bot.api.sent(B)) == before[B] and len(bot.api.sent(C)) == before[C]

    # the measure's search answer now lists it too
    found = await bot.send("/tbt cà phê EU", user_id=A)
    assert "Draft labelling rule for roasted coffee" in "\n".join(text_of(m) for m in found)

    # a reload that brings nothing new alerts nobody
    before[A] = len(bot.api.sent(A))
    replies = await bot.send("/reload", user_id=ADMIN_ID)
    assert text_of(replies[1]) == "Đã nạp lại: 0 đoạn được tính lại, 0 thêm, 0 sửa, 0 xóa."
    assert len(bot.api.sent(A)) == before[A]

    # the measure is adopted: status and dates change, the watcher hears of it
    adopted = {**COFFEE_EU, "status": "adopted", "entry_into_force": "2027-07-01"}
    result = import_measures(knowledge, sheet(tmp_path, adopted), TODAY + dt.timedelta(days=20))
    assert result.updated == ["g-tbt-n-eu-1234"]
    await bot.send("/reload", user_id=ADMIN_ID)
    [alert] = bot.api.sent(A)[before[A] :]
    head, card = split_alert(alert)
    assert head == ALERT_A
    assert "• G/TBT/N/EU/1234; tình trạng: đã thông qua\n" in card
    assert "• Ngày có hiệu lực: 1/7/2027\n" in card
    assert len(bot.api.sent(B)) == before[B] and len(bot.api.sent(C)) == before[C]


async def test_uploaded_measures_alert_in_each_watchers_language(bot: BotHarness) -> None:
    bot.set_clock(at(2026, 12, 3))  # the days left in the cards count from here
    await watch_three(bot)
    path = bot.settings.knowledge_dir / "tbt/measures.yaml"
    data = (path.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_MEASURES).encode()
    before = {chat: len(bot.api.sent(chat)) for chat in (A, B, C)}
    [reply] = await bot.upload(data, "measures.yaml", user_id=ADMIN_ID)
    assert text_of(reply).endswith("Đã nạp lại: 2 đoạn được tính lại, 2 thêm, 0 sửa, 0 xóa.")
    assert len(bot.api.sent(A)) == before[A]
    [alert] = bot.api.sent(B)[before[B] :]
    head, card = split_alert(alert)
    assert head == "🔔 Biện pháp mới/cập nhật cho sầu riêng — Trung Quốc:"
    assert card.startswith("Trung Quốc: Draft standard for fresh durian grading\n")
    assert "Nguồn: https://example.org/cn-2001 (rà soát 2/12/2026)" in card
    [alert] = bot.api.sent(C)[before[C] :]
    head, card = split_alert(alert)
    assert head == "🔔 New or changed measure for coffee — Japan:"
    assert card == (
        "Japan: Revised residue limits for coffee beans\n"
        "• status: adopted\n"
        "• Adopted: 30/11/2026\n"
        "• Entry into force: 1/6/2027\n"
        "• Next date: 1/6/2027 — Entry into force, in 180 days\n"
        "New residue limits for green coffee beans.\n"
        "Source: https://example.org/jp-coffee (reviewed 2/12/2026)\n"
        "Sources: measure:jp-coffee-test"
    )


async def test_comment_deadline_reminder_and_unwatch(bot: BotHarness, tmp_path: Path) -> None:
    await watch_three(bot)
    import_measures(bot.settings.knowledge_dir, sheet(tmp_path, COFFEE_EU), TODAY)
    await bot.send("/reload", user_id=ADMIN_ID)

    bot.set_clock(at(2026, 12, 19))  # 31 days before the comment deadline
    assert all("1234" not in text_of(sent) for sent in await bot.run_reminders())
    bot.set_clock(at(2027, 1, 11))  # 8 days before: the 30-day point has come
    [sent] = await bot.run_reminders()
    assert (sent["chat_id"], text_of(sent)) == (
        A,
        "⏰ G/TBT/N/EU/1234 — Hạn góp ý: 19/1/2027 (còn 8 ngày).",
    )
    assert await bot.run_reminders() == []
    bot.set_clock(at(2027, 1, 12))
    [sent] = await bot.run_reminders()
    assert text_of(sent) == "⏰ G/TBT/N/EU/1234 — Hạn góp ý: 19/1/2027 (còn 7 ngày)."
    bot.set_clock(at(2027, 1, 18))
    [sent] = await bot.run_reminders()
    assert (sent["chat_id"], text_of(sent)) == (
        A,
        "⏰ G/TBT/N/EU/1234 — Hạn góp ý: 19/1/2027 (còn 1 ngày).",
    )
    bot.set_clock(at(2027, 1, 20))  # the deadline has passed
    assert await bot.run_reminders() == []

    [reply] = await bot.send("/unwatch cà phê", user_id=A)
    assert text_of(reply) == "Đã bỏ 1 mục theo dõi."
    [reply] = await bot.send("/watches", user_id=A)
    assert text_of(reply) == (
        "Bạn chưa theo dõi gì. Dùng: /watch <sản phẩm> [thị trường], ví dụ /watch cà phê EU"
    )
    [reply] = await bot.send("/watches", user_id=B)
    assert text_of(reply) == "• sầu riêng — Trung Quốc"
    # a typo names no product: nothing is removed, the usage is shown
    [reply] = await bot.send("/unwatch sau rieg", user_id=B)
    assert text_of(reply).startswith("Dùng: /watch")
    assert len(bot.services.store.watches(B)) == 1
    [reply] = await bot.send("/unwatch", user_id=B)
    assert text_of(reply) == "Đã bỏ 1 mục theo dõi."
    assert bot.services.store.watches() == bot.services.store.watches(C)


async def test_application_date_reminder_once_per_chat(bot: BotHarness) -> None:
    await watch_three(bot)
    await bot.send("/watch cà phê", user_id=A)  # overlaps the coffee-EU watch
    bot.set_clock(at(2026, 12, 23))  # 7 days before the EUDR applies to large operators
    sent = [(s["chat_id"], text_of(s)) for s in await bot.run_reminders()]
    assert (
        sent.count(
            (
                A,
                "⏰ EUDR — Bắt đầu áp dụng (nhà vận hành và thương nhân lớn, vừa): "
                "30/12/2026 (còn 7 ngày).",
            )
        )
        == 1
    )
    assert all(chat != B for chat, _ in sent)  # durian in China: no EUDR
    assert await bot.run_reminders() == []  # the 30-day point is closed with it, never sent late
