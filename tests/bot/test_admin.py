"""Staff tools: knowledge uploads, /reload, /stats and /unanswered; refusals for others."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.uploads import KNOWN
from bot.i18n import TEXTS
from tests.auxil.bot_harness import ADMIN_ID, BotHarness, at, buttons, text_of

USER = 1001
NOT_ADMIN = TEXTS["not_admin"][0]
FINANCE_DUTY = (
    "Trên cơ sở đề xuất của Sở Khoa học và Công nghệ và các cơ quan, đơn vị liên quan, Sở Tài chính"
)
REPORT = re.compile(r"Đã nạp lại: (\d+) đoạn được tính lại, (\d+) thêm, (\d+) sửa, (\d+) xóa\.")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def with_finance_alias(knowledge: Path) -> bytes:
    """agencies.yaml with "Sở Tài chánh" (a common misspelling) as an alias of Sở Tài chính."""
    text = (knowledge / "agencies.yaml").read_text(encoding="utf-8")
    old = "aliases: [Sở TC, STC, Sở Tài Chính,"
    assert text.count(old) == 1
    return text.replace(old, old + " Sở Tài chánh,").encode()


def report_numbers(text: str) -> tuple[int, ...]:
    match = REPORT.search(text)
    assert match is not None, text
    return tuple(int(n) for n in match.groups())


async def test_broken_upload_is_rejected_with_file_and_line(bot: BotHarness) -> None:
    knowledge = bot.settings.knowledge_dir
    before = snapshot(knowledge)
    text = (knowledge / "tasks.yaml").read_text(encoding="utf-8")
    bad = text.replace("  lead: so-khcn\n", "  lead: so-khong-ton-tai\n", 1)
    line = bad.splitlines().index("  lead: so-khong-ton-tai") + 1

    [reply] = await bot.upload(bad.encode(), "tasks.yaml", user_id=ADMIN_ID)
    assert text_of(reply) == (
        "Tệp tasks.yaml bị từ chối, tệp cũ được giữ nguyên:\n"
        f"tasks.yaml:{line}: tasks[1].lead: unknown agency 'so-khong-ton-tai'"
    )
    assert "<code>" in reply["text"]

    [reply] = await bot.upload(b"tasks: [\n  - id: '1'\n", "tasks.yaml", user_id=ADMIN_ID)
    assert re.fullmatch(
        r"Tệp tasks\.yaml bị từ chối, tệp cũ được giữ nguyên:\ntasks\.yaml:\d+: yaml: .+",
        text_of(reply),
        re.S,
    )
    assert snapshot(knowledge) == before
    assert not (bot.settings.data_dir / "backups").exists()
    [answer] = await bot.send("Ai chủ trì nhiệm vụ 2.1?", user_id=USER)
    assert "• Cơ quan chủ trì: Sở Khoa học và Công nghệ\n" in text_of(answer)


async def test_good_upload_is_applied_with_a_backup(bot: BotHarness) -> None:
    knowledge = bot.settings.knowledge_dir
    old = (knowledge / "agencies.yaml").read_bytes()
    [unknown] = await bot.send("Sở Tài chánh làm gì?", user_id=USER)
    assert text_of(unknown).startswith("Tôi không tìm thấy nội dung này")

    new = with_finance_alias(knowledge)
    [reply] = await bot.upload(new, "agencies.yaml", user_id=ADMIN_ID)
    match = re.fullmatch(
        r"Đã thay agencies\.yaml \(bản cũ lưu tại (\d{8}-\d{6}-agencies\.yaml)\)\. (.+)",
        text_of(reply),
    )
    assert match is not None, text_of(reply)
    embedded, added, changed, removed = report_numbers(match.group(2))
    assert (added, removed) == (0, 0) and changed >= 1 and embedded == changed
    backups = list((bot.settings.data_dir / "backups").iterdir())
    assert [b.name for b in backups] == [match.group(1)]
    assert backups[0].read_bytes() == old
    assert (knowledge / "agencies.yaml").read_bytes() == new

    [answer] = await bot.send("Sở Tài chánh làm gì?", user_id=USER)
    text = text_of(answer)
    assert text.startswith("Sở Tài chính\n")
    assert FINANCE_DUTY in text
    assert "agency:so-tai-chinh" in text


async def test_upload_names_outside_the_knowledge_are_refused(bot: BotHarness) -> None:
    knowledge = bot.settings.knowledge_dir
    before = snapshot(knowledge)
    valid = ", ".join(sorted(KNOWN))
    for name in ("../x.yaml", "evil.sh", "tbt/measures.yaml", ".tasks.yaml", "..\\tasks.yaml"):
        [reply] = await bot.upload(b"agencies: []\n", name, user_id=ADMIN_ID)
        assert text_of(reply) == (
            f"Tên tệp «{name}» không phải tệp tri thức. Tên hợp lệ: {valid}; hoặc gửi tệp "
            ".csv/.xlsx để nhập biện pháp hay thông báo WTO."
        )
    assert snapshot(knowledge) == before
    assert not (knowledge.parent / "x.yaml").exists()
    assert not (bot.settings.data_dir / "backups").exists()


async def test_too_large_upload_is_refused_before_download(bot: BotHarness) -> None:
    [reply] = await bot.upload(b"#" * (512 * 1024 + 1), "tasks.yaml", user_id=ADMIN_ID)
    assert text_of(reply) == "Tệp quá lớn (tối đa 512 KB)."
    assert bot.api.calls("getFile") == 0


async def test_a_file_that_lies_about_its_size_is_stopped_while_downloading(
    bot: BotHarness,
) -> None:
    knowledge = bot.settings.knowledge_dir
    before = snapshot(knowledge)
    big = b"#" * (3 * 1024 * 1024)
    [reply] = await bot.upload(big, "tasks.yaml", user_id=ADMIN_ID, declared_size=1024)
    assert text_of(reply) == "Tệp quá lớn (tối đa 512 KB)."  # the real cause, not the name
    assert bot.api.calls("getFile") == 1
    [reply] = await bot.upload(
        b"#" * (21 * 1024 * 1024), "eping.csv", user_id=ADMIN_ID, declared_size=100
    )
    assert text_of(reply) == "Tệp quá lớn (tối đa 20480 KB)."
    assert snapshot(knowledge) == before


async def test_a_wrong_name_is_refused_before_any_download(bot: BotHarness) -> None:
    [reply] = await bot.upload(b"#" * (3 * 1024 * 1024), "evil.yaml", user_id=ADMIN_ID)
    assert text_of(reply).startswith("Tên tệp «evil.yaml» không phải tệp tri thức.")
    assert bot.api.calls("getFile") == 0


async def test_non_admins_cannot_upload_reload_or_see_stats(bot: BotHarness) -> None:
    knowledge = bot.settings.knowledge_dir
    before = snapshot(knowledge)
    [reply] = await bot.upload(with_finance_alias(knowledge), "agencies.yaml", user_id=USER)
    assert text_of(reply) == NOT_ADMIN
    assert bot.api.calls("getFile") == 0  # not even downloaded
    for command in ("/reload", "/stats", "/unanswered"):
        assert [text_of(r) for r in await bot.send(command, user_id=USER)] == [NOT_ADMIN]
    [reply] = await bot.send("/reload", user_id=USER + 1, language_code="en")
    assert text_of(reply) == TEXTS["not_admin"][1]
    assert snapshot(knowledge) == before
    [still] = await bot.send("Sở Tài chánh làm gì?", user_id=USER)
    assert text_of(still).startswith("Tôi không tìm thấy nội dung này")


async def test_reload_reports_and_applies_edits(bot: BotHarness) -> None:
    bot.set_clock(at(2026, 10, 1))
    replies = await bot.send("/reload", user_id=ADMIN_ID)
    assert [text_of(r) for r in replies] == [
        "Đang kiểm tra và nạp lại dữ liệu…",
        "Đã nạp lại: 0 đoạn được tính lại, 0 thêm, 0 sửa, 0 xóa.",
    ]

    deadlines = bot.settings.knowledge_dir / "deadlines.yaml"
    text = deadlines.read_text(encoding="utf-8")
    assert text.count("  day: 30\n") == 1
    deadlines.write_text(text.replace("  day: 30\n", "  day: 15\n"), encoding="utf-8")
    before_reload = await bot.send("/deadlines", user_id=USER)
    assert "Lần tới: 30/11/2026 (còn 60 ngày)" in text_of(before_reload[0])  # not reloaded yet
    replies = await bot.send("/reload", user_id=ADMIN_ID)
    assert text_of(replies[0]) == "Đang kiểm tra và nạp lại dữ liệu…"
    report_numbers(text_of(replies[1]))  # the index did not change: dates are not embedded
    after_reload = await bot.send("/deadlines", user_id=USER)
    assert len(after_reload) == len(before_reload)
    assert "Lần tới: 15/11/2026 (còn 45 ngày)" in text_of(after_reload[0])

    (bot.settings.knowledge_dir / "tasks.yaml").write_text("tasks: [\n", encoding="utf-8")
    replies = await bot.send("/reload", user_id=ADMIN_ID)
    assert len(replies) == 2
    assert re.fullmatch(
        r"Dữ liệu có lỗi, vẫn dùng bản cũ:\ntasks\.yaml:\d+: .+", text_of(replies[1]), re.S
    )
    [answer] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)  # the old data serves
    assert text_of(answer).startswith("Nhiệm vụ 3.2: ")


async def test_stats_and_unanswered(bot: BotHarness) -> None:
    [reply] = await bot.send("/unanswered", user_id=ADMIN_ID)
    assert text_of(reply) == "Chưa có câu hỏi nào bị bỏ ngỏ."
    [reply] = await bot.send("/stats", user_id=ADMIN_ID)
    assert (
        text_of(reply) == "Câu hỏi theo ngày\n👍 0  👎 0\n📨 Câu hỏi chuyển tới cán bộ đang chờ: 0"
    )

    [unknown] = await bot.send("Sở Tài chánh làm gì?", user_id=USER)
    [answer] = await bot.send("Ai chủ trì nhiệm vụ 3.2?", user_id=USER)
    [other] = await bot.send("Who leads task 4?", user_id=USER + 1)
    await bot.send("/start", user_id=USER)  # commands are not questions
    up = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.press(up, user_id=USER, message_id=answer["message_id"])
    up = other["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.press(up, user_id=USER + 1, message_id=other["message_id"])
    down = unknown["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    await bot.press(down, user_id=USER, message_id=unknown["message_id"])

    [reply] = await bot.send("/unanswered", user_id=ADMIN_ID)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d — Sở Tài chánh làm gì\?", text_of(reply))
    [reply] = await bot.send("/stats", user_id=ADMIN_ID)
    assert re.fullmatch(
        r"Câu hỏi theo ngày\n\d{4}-\d\d-\d\d: 3 \(33% chưa trả lời được\)\n👍 2  👎 1"
        r"\n📨 Câu hỏi chuyển tới cán bộ đang chờ: 0",
        text_of(reply),
    )
    [reply] = await bot.send("/stats", user_id=ADMIN_ID, language_code="en")
    assert re.fullmatch(
        r"Questions per day\n\d{4}-\d\d-\d\d: 3 \(33% unanswered\)\n👍 2  👎 1"
        r"\n📨 Forwarded questions waiting for staff: 0",
        text_of(reply),
    )


async def test_an_export_of_notifications_is_imported_with_a_report(bot: BotHarness) -> None:
    data = (Path(__file__).parent.parent / "data" / "eping_sample.csv").read_bytes()
    [reply] = await bot.upload(data, "eping.csv", user_id=USER)
    assert text_of(reply) == NOT_ADMIN
    [reply] = await bot.upload(data, "eping.csv", user_id=ADMIN_ID)
    text = text_of(reply)
    assert text.startswith(
        "Nhập thông báo WTO từ eping.csv: 6 dòng — thêm 6, cập nhật 0, không đổi 0, "
        "bị từ chối 0.\nĐã nạp lại: "
    )
    assert buttons(reply) == []
    [answer] = await bot.send("G/TBT/N/KOR/1290 là gì?", user_id=USER)
    assert text_of(answer).startswith(
        "Hàn Quốc: Partial amendment of the Standards and Specifications for Wood Products\n"
    )
    assert "Chưa có tóm tắt tiếng Việt; nội dung thông báo (tiếng Anh): Revises" in text_of(answer)
    [again] = await bot.upload(data, "eping.csv", user_id=ADMIN_ID)
    assert "thêm 0, cập nhật 0, không đổi 6, bị từ chối 0." in text_of(again)


async def test_rejected_rows_are_listed_and_the_good_ones_imported_on_request(
    bot: BotHarness,
) -> None:
    rows = (
        "Document Symbol,Notifying Member,Title,Distribution date\n"
        "G/TBT/N/EU/3001,European Union,Coffee labelling,2026-11-02\n"
        "G/TBT/N/EU/3002,European Union,Bad date,2026-11-31\n"
    )
    store = bot.settings.knowledge_dir / "tbt/notifications.jsonl"
    [reply] = await bot.upload(rows.encode(), "new.csv", user_id=ADMIN_ID)
    assert text_of(reply) == (
        "Nhập thông báo WTO từ new.csv: 2 dòng — thêm 0, cập nhật 0, không đổi 0, bị từ chối 1.\n"
        "Các dòng bị từ chối:\n"
        "row 3: distributed_on: not a date: '2026-11-31' (write it as 2026-12-31 or 31/12/2026)\n"
        "Chưa ghi gì vào cơ sở dữ liệu. Sửa các dòng trên rồi gửi lại tệp, hoặc bấm nút dưới "
        "đây để chỉ nhập các dòng hợp lệ."
    )
    [(label, data)] = buttons(reply)
    assert label == "Nhập các dòng hợp lệ" and re.fullmatch(r"im:[0-9a-f]{12}", data)
    assert not store.exists()
    refused = await bot.press(data, user_id=USER, chat_id=ADMIN_ID, message_id=reply["message_id"])
    assert [text_of(m) for m in refused.sent] == [NOT_ADMIN] and not store.exists()
    press = await bot.press(data, user_id=ADMIN_ID, message_id=reply["message_id"])
    [done] = press.sent
    assert text_of(done).startswith(
        "Nhập thông báo WTO từ : 2 dòng — thêm 1, cập nhật 0, không đổi 0, bị từ chối 1."
    )
    assert "G/TBT/N/EU/3001" in store.read_text(encoding="utf-8")
    gone = await bot.press("im:000000000000", user_id=ADMIN_ID)
    assert text_of(gone.sent[0]).startswith("Không nhập được tệp: no uploaded table")
