"""Fixed phrases of answers in Vietnamese and English."""

from __future__ import annotations

import datetime as dt

LABELS: dict[str, tuple[str, str]] = {
    "task": ("Nhiệm vụ", "Task"),
    "lead": ("Cơ quan chủ trì", "Lead agency"),
    "partners": ("Cơ quan phối hợp", "Coordinating agencies"),
    "receives": ("Nhận báo cáo", "Receives the report"),
    "timeframe": ("Thời gian", "Timeframe"),
    "targets": ("Mục tiêu", "Targets"),
    "content": ("Nội dung", "Content"),
    "summary": ("Tóm tắt", "Summary"),
    "source": ("Nguồn", "Source"),
    "leads": ("Chủ trì", "Leads"),
    "coordinates": ("Phối hợp", "Coordinates"),
    "duties": ("Trách nhiệm theo Kế hoạch", "Duties under the plan"),
    "none": ("không có", "none"),
    "plan_text_vi": ("Nguyên văn Kế hoạch", "Plan text (in Vietnamese)"),
    "days_left": ("còn {n} ngày", "{n} days left"),
    "day_left": ("còn {n} ngày", "{n} day left"),
    "today": ("hôm nay", "today"),
    "next_due": ("Lần tới", "Next due"),
    "who": ("Ai làm", "Who"),
    "to": ("Gửi tới", "To"),
    "for_whom": ("Đối tượng", "Who it is for"),
    "target_task": ("Mục tiêu, nhiệm vụ", "Target and task"),
    "next_steps": ("Làm gì tiếp", "What to do next"),
}


EXAMPLES: dict[str, list[str]] = {
    "vi": [
        "Ai chủ trì nhiệm vụ 3.2?",
        "Sở Khoa học và Công nghệ chủ trì những nhiệm vụ nào?",
        "Hạn báo cáo hằng năm là khi nào?",
        "Doanh nghiệp có sản phẩm OCOP được hỗ trợ gì?",
        "Mục tiêu đến năm 2030 là gì?",
        "Xuất khẩu cà phê sang EU cần đáp ứng gì?",
    ],
    "en": [
        "Who leads task 3.2?",
        "Which tasks does the Department of Science and Technology lead?",
        "When is the annual report due?",
        "What support can an OCOP producer get?",
        "What are the 2030 targets?",
        "What does the EU require for coffee exports?",
    ],
}


def label(key: str, lang: str) -> str:
    """A fixed phrase in the answer's language."""
    vi, en = LABELS[key]
    return en if lang == "en" else vi


def timeframe_text(value: str, lang: str) -> str:
    """A task's timeframe; English keeps the plan's wording in brackets."""
    if lang != "en":
        return value
    if value == "Hàng năm":
        return "Every year (Hàng năm)"
    return value.replace("Giai đoạn ", "Period ") + f" ({value})"


def day_text(day: dt.date) -> str:
    """A date as the plan writes it: day/month/year without leading zeros (15/5/2026)."""
    return f"{day.day}/{day.month}/{day.year}"
