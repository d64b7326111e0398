"""The knowledge files against the plan text: every row, lead, partner, timeframe and figure."""

from __future__ import annotations

import re

import pytest

from assistant.knowledge.base import KnowledgeBase
from tests.auxil import plan_source

# Written from the printed table, independently of the knowledge files.
EXPECTED_ROWS = {
    "1": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "bao-ptth", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "2.1": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "2.2": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong"],
        "Hàng năm",
    ),
    "2.3": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "3.1": (
        "Các sở, ban, ngành",
        ["cac-so-nganh"],
        ["ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "3.2": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Giai đoạn 2026-2030",
    ),
    "3.3": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Giai đoạn 2026-2030",
    ),
    "3.4": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Giai đoạn 2026-2030",
    ),
    "4": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "5.1": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["co-so-dao-tao", "cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "5.2": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
    "5.3": (
        "Sở Khoa học và Công nghệ",
        ["so-khcn"],
        ["cac-so-nganh", "ubnd-xa-phuong", "to-chuc-doanh-nghiep"],
        "Hàng năm",
    ),
}

# Target figures of section II.2 and the task that carries each.
EXPECTED_TARGETS = [
    (30, "enterprises", "3.2", "hệ thống quản lý tiên tiến"),
    (40, "enterprises", "3.2", "truy xuất nguồn gốc"),
    (10, "enterprises", "3.2", "mô hình"),
    (30, "enterprises", "3.3", "công cụ cải tiến năng suất"),
    (40, "standards", "3.4", "tiêu chuẩn cơ sở"),
    (100, "percent", "3.1", "rủi ro cao"),
    (100, "percent", "1", "tuyên truyền"),
    (100, "percent", "4", "đào tạo"),
    (100, "percent", "5.3", "TBT"),
]


def test_all_twelve_rows_in_table_order(kb: KnowledgeBase) -> None:
    assert list(kb.tasks) == list(EXPECTED_ROWS)
    assert [r.number for r in plan_source.appendix_rows()] == list(EXPECTED_ROWS)


@pytest.mark.parametrize("task_id", list(EXPECTED_ROWS))
def test_row_lead_partners_timeframe(kb: KnowledgeBase, task_id: str) -> None:
    lead_text, lead, partners, timeframe = EXPECTED_ROWS[task_id]
    task = kb.tasks[task_id]
    assert (task.lead_text, [task.lead], task.partners, task.timeframe) == (
        lead_text,
        lead,
        partners,
        timeframe,
    )


@pytest.mark.parametrize("row", plan_source.appendix_rows(), ids=lambda r: r.number)
def test_row_matches_printed_table(kb: KnowledgeBase, row: plan_source.Row) -> None:
    task = kb.tasks[row.number]
    assert task.lead_text == row.lead
    assert task.partners_text == row.partners
    assert task.timeframe == row.time
    printed = plan_source.flat(row.content)
    for paragraph in task.content_vi:
        assert plan_source.flat(paragraph) in printed
    total = sum(len(plan_source.flat(p)) for p in task.content_vi)
    assert total >= len(printed.replace("- ", "")) * 0.95, "content is incomplete"


def test_partner_ids_name_the_printed_partners(kb: KnowledgeBase) -> None:
    for task in kb.tasks.values():
        for agency_id in task.partners:
            name = kb.agencies[agency_id].name_vi
            assert name.lower() in task.partners_text.lower(), (task.id, name)


def test_group_titles(kb: KnowledgeBase) -> None:
    source = plan_source.text()
    for group in kb.groups.values():
        assert f"{group.id}\t{group.title_vi}\t" in source


@pytest.mark.parametrize(("value", "unit", "task_id", "phrase"), EXPECTED_TARGETS)
def test_target_figures(
    kb: KnowledgeBase, value: int, unit: str, task_id: str, phrase: str
) -> None:
    matches = [
        t
        for t in kb.targets.values()
        if t.value == value
        and t.unit == unit
        and task_id in t.tasks
        and phrase.lower() in t.text_vi.lower()
    ]
    assert len(matches) == 1
    target = matches[0]
    assert target.id in kb.tasks[task_id].targets
    assert plan_source.flat(target.text_vi) in plan_source.flat(plan_source.text())
    if value != 100:
        assert target.at_least and f"Ít nhất {value}".lower() in target.text_vi.lower()


def test_every_figure_in_section_ii2_is_a_target(kb: KnowledgeBase) -> None:
    source = plan_source.text()
    section = source[source.index("2. Mục tiêu cụ thể") : source.index("3. Định hướng")]
    printed = [int(n) for n in re.findall(r"[Íí]t nhất (\d+)", section)]
    printed = sorted(printed + [100] * section.count("100%"))
    held = sorted(t.value for t in kb.targets.values() if t.value is not None)
    assert held == printed


def test_body_paragraphs_are_verbatim(kb: KnowledgeBase) -> None:
    source = plan_source.flat(plan_source.text())
    for paragraph in kb.body.paragraphs:
        assert plan_source.flat(paragraph.text) in source, paragraph.id


def test_body_covers_sections_one_to_five(kb: KnowledgeBase) -> None:
    source = plan_source.text()
    body = source[source.index("I. MỤC ĐÍCH") : source.index("Nơi nhận")]
    lines = [re.sub(r"^[-+] ", "", plan_source.flat(p)) for p in body.split("\n") if p.strip()]
    held = " ".join(plan_source.flat(p.text) for p in kb.body.paragraphs)
    headings = {s.title for s in kb.body.sections}
    missing = [
        line
        for line in lines
        if line[:40] not in held
        and not any(line.endswith(h) for h in headings)
        and not line.startswith(
            ("năng lực", "chuẩn kỹ thuật", "năng kết nối", "cân đối", "nâng cao giá trị")
        )
    ]
    assert missing == []
    assert {"I", "II", "III", "IV", "V", "III.5", "V.3"} <= kb.body.ids()


def test_annual_report_deadline(kb: KnowledgeBase) -> None:
    deadline = kb.deadlines["d-bao-cao-hang-nam"]
    assert (deadline.month, deadline.day, deadline.before) == (11, 30, True)
    assert deadline.who == ["cac-so-nganh", "ubnd-xa-phuong"] and deadline.to == ["so-khcn"]
    assert "trước ngày 30 tháng 11" in kb.section_text(deadline.section)


def test_plan_metadata(kb: KnowledgeBase) -> None:
    source = plan_source.text()
    assert kb.plan.signer.name in source and kb.plan.number_text in source
    assert kb.plan.date_text in source
    for basis in kb.plan.legal_bases:
        assert f"Căn cứ {basis.text_vi}" in source, basis.id
        if basis.number and basis.source is None:
            assert basis.number in basis.text_vi, "a number not in the plan needs a source"


def test_contacts_are_not_invented(kb: KnowledgeBase) -> None:
    for agency_id in ("so-khcn", "chi-cuc-tdc"):
        contact = kb.agencies[agency_id].contact
        assert contact is not None


def test_repo_copy_of_source_is_current() -> None:
    if not plan_source.SHARED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert plan_source.SHARED.read_text(encoding="utf-8") == plan_source.text()
