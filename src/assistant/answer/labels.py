"""Fixed phrases of answers in Vietnamese and English."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "task": ("Nhiệm vụ", "Task"),
    "lead": ("Cơ quan chủ trì", "Lead agency"),
    "partners": ("Cơ quan phối hợp", "Coordinating agencies"),
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
