"""Structured answers on the fake encoder: exact, cited, the same with or without marks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assistant.service import Assistant

TODAY = dt.date(2026, 11, 25)


def _ask(assistant: Assistant, question: str) -> dict[str, Any]:
    return assistant.ask(question, today=TODAY).public()


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("Ai chủ trì nhiệm vụ 3.2?", "ai chu tri nhiem vu 3.2"),
        ("Sở Tài chính làm gì?", "so tai chinh lam gi"),
        ("Hạn báo cáo hằng năm là khi nào?", "han bao cao hang nam la khi nao"),
        (
            "Những nhiệm vụ nào thực hiện giai đoạn 2026-2030?",
            "nhung nhiem vu nao thuc hien giai doan 2026-2030",
        ),
        (
            "UBND xã phường phối hợp những nhiệm vụ nào?",
            "ubnd xa phuong phoi hop nhung nhiem vu nao",
        ),
    ],
)
def test_same_structured_answer_without_diacritics(
    fake_assistant: Assistant, marked: str, plain: str
) -> None:
    a, b = _ask(fake_assistant, marked), _ask(fake_assistant, plain)
    assert a["intent"] == b["intent"] != "free"
    assert a["answer"] == b["answer"]
    assert a["tasks"] == b["tasks"] and a["sources"] == b["sources"]


def test_task_card_is_exact(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "ai chủ trì nhiệm vụ 3.1")
    assert out["intent"] == "task" and out["confident"] is True
    task = out["tasks"][0]
    assert task == {
        "id": "3.1",
        "title": task["title"],
        "lead": "Các sở, ban, ngành",
        "partners": ["UBND các xã, phường", "Tổ chức, doanh nghiệp"],
        "timeframe": "Hàng năm",
    }
    assert out["sources"][0]["id"] == "task:3.1"
    assert "Cơ quan chủ trì: Các sở, ban, ngành" in str(out["answer"])


def test_english_question_gets_english_names(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Who leads task 3.4?")
    assert out["lang"] == "en"
    assert "Lead agency: Department of Science and Technology" in str(out["answer"])
    assert "Plan text (in Vietnamese):" in str(out["answer"])
    assert out["tasks"][0]["timeframe"].startswith("Period 2026-2030")


def test_unknown_task_lists_the_tasks(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "ai chủ trì nhiệm vụ 9.7")
    assert out["confident"] is False and out["intent"] == "task_unknown"
    text = str(out["answer"])
    assert "không có nhiệm vụ 9.7" in text
    for task_id in ("1.", "2.1.", "3.4.", "5.3."):
        assert f"• {task_id}" in text


def test_list_of_tasks_led_by_department(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Which tasks does the Department of Science and Technology lead?")
    ids = [t["id"] for t in out["tasks"]]
    assert ids == ["1", "2.1", "2.2", "2.3", "3.2", "3.3", "3.4", "4", "5.1", "5.2", "5.3"]


def test_period_list(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "tasks for 2026–2030")
    assert [t["id"] for t in out["tasks"]] == ["3.2", "3.3", "3.4"]


def test_deadline_days_left(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "hạn báo cáo hằng năm")
    assert "trước ngày 30 tháng 11" in str(out["answer"])
    assert "30/11/2026 (còn 5 ngày)" in str(out["answer"])
    assert out["sources"][0]["id"] == "deadline:d-bao-cao-hang-nam"


@pytest.mark.parametrize(
    "question",
    [
        "giá cà phê hôm nay bao nhiêu",
        "thời tiết Pleiku ngày mai",
        "who won the world cup",
        "viết cho tôi một bài thơ",
        "gia vang hom nay",
    ],
)
def test_out_of_scope_is_declined(fake_assistant: Assistant, question: str) -> None:
    out = _ask(fake_assistant, question)
    assert out["confident"] is False
    assert out["tasks"] == [] and out["sources"] == []


def test_json_contract_keys(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "ai chủ trì nhiệm vụ 3.2")
    old = ["question", "lang", "intent", "answer", "confident", "tasks", "sources"]
    assert list(out) == [*old, "forwardable", "understanding"]  # fields are only ever added
    assert out["understanding"]["entities"] == {"tasks": ["3.2"]}
    assert set(out["tasks"][0]) == {"id", "title", "lead", "partners", "timeframe"}
    assert set(out["sources"][0]) == {"id", "title", "file", "score"}


def test_missing_contact_is_not_invented(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Số điện thoại của Sở KH&CN là gì?")
    assert out["confident"] is False
    assert not any(ch.isdigit() for ch in str(out["answer"]))


@pytest.mark.parametrize(
    "question",
    [
        "EU có yêu cầu gì với cà phê?",
        "eu co yeu cau gi voi ca phe",
        "requirements for exporting coffee to the EU",
    ],
)
def test_product_and_market_find_measures(fake_assistant: Assistant, question: str) -> None:
    out = _ask(fake_assistant, question)
    assert out["intent"] == "measure" and out["confident"] is True
    ids = [s["id"] for s in out["sources"]]
    assert "measure:eu-eudr" in ids
    assert all(not i.startswith("measure:") or i.startswith("measure:eu-") for i in ids)


@pytest.mark.parametrize(
    "question",
    [
        "tiêu chuẩn cơ sở là gì",
        "cơ chế chính sách về tiêu chuẩn",
        "sản phẩm OCOP được hỗ trợ gì",
        "ca nhan co duoc ho tro khong",
    ],
)
def test_common_syllables_are_not_products(fake_assistant: Assistant, question: str) -> None:
    assert _ask(fake_assistant, question)["intent"] != "measure"


def test_document_number_gives_issuer(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Chỉ thị 38-CT/TW do cơ quan nào ban hành?")
    assert "Ban Bí thư" in str(out["answer"])
    assert out["sources"][0]["id"] == "legal:ct-38-ct-tw"


def test_task_not_led_by_department(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Which task is not led by the Department of Science and Technology?")
    assert [t["id"] for t in out["tasks"]] == ["3.1"]


def test_group_by_number(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "nhóm 3 gồm những nhiệm vụ nào")
    assert [t["id"] for t in out["tasks"]] == ["3.1", "3.2", "3.3", "3.4"]


def test_department_without_named_task_shares_group_tasks(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Sở Tài chính phối hợp nhiệm vụ nào?")
    assert "các sở, ban, ngành" in str(out["answer"])
    assert "chủ trì 3.1" in str(out["answer"])


def test_unset_deadline_is_declined(fake_assistant: Assistant) -> None:
    out = _ask(fake_assistant, "Hạn nộp hồ sơ đăng ký hỗ trợ năm 2027 là ngày nào?")
    assert out["confident"] is False
    assert "không đặt thời hạn này" in str(out["answer"])


def test_a_report_sent_to_an_agency_is_the_one_it_receives(fake_assistant: Assistant) -> None:
    """'gửi Sở KHCN' names the recipient: the yearly report sent to it, not its own report."""
    out = _ask(fake_assistant, "báo cáo hằng năm gửi Sở KHCN trước ngày nào?")
    assert out["sources"][0]["id"] == "deadline:d-bao-cao-hang-nam"
    own = _ask(fake_assistant, "Sở KHCN báo cáo UBND tỉnh khi nào?")
    assert own["sources"][0]["id"] == "deadline:d-so-khcn-bao-cao"


def test_not_the_yearly_report_lists_the_other_deadlines(fake_assistant: Assistant) -> None:
    answer = fake_assistant.ask("không phải báo cáo hằng năm, Kế hoạch còn mốc thời hạn nào?")
    if answer.intent != "deadline":
        pytest.skip(f"the fake encoder's classifier chose {answer.intent}")
    ids = [s.id for s in answer.sources]
    assert "deadline:d-bao-cao-hang-nam" not in ids
    assert "deadline:d-muc-tieu-2030" in ids


def test_an_agency_without_duties_shows_what_it_receives(fake_assistant: Assistant) -> None:
    """The Ministry has no duty in section V; the plan names it as a report's recipient."""
    from assistant.answer import records
    from assistant.answer.draft import Draft

    d = Draft(lang="vi")
    records.agency_card(d, fake_assistant.kb, "bo-khcn", None)
    text = d.answer("Bộ KHCN có vai trò gì?", "agency", True).answer
    assert "Nhận báo cáo" in text
    assert "Sở Khoa học và Công nghệ tổng hợp, báo cáo UBND tỉnh" in text
