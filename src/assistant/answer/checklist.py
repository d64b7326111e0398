"""What an exporter must meet for a product and a market, as a checklist to act on.

One entry per measure that concerns the product there: its status, the next date that matters
(with the days left), what to do, and its source. Measures that concern every product (packaging,
wooden pallets, forced labour) follow in a short list of their own, so they do not bury the ones
made for this product. The checklist ends with who to ask: the plan's lead agency for TBT
enquiries (task 5.3), the local TBT body and the national enquiry point.
"""

from __future__ import annotations

import datetime as dt

from assistant import measure_dates
from assistant.answer.draft import Draft
from assistant.answer.labels import day_text
from assistant.answer.records import measure_source, status_item
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Measure
from assistant.text import fold_plain

TBT_TASK = "5.3"  # the plan's task for TBT notification and enquiry
ENQUIRY_FAQ = "faq-who-to-ask-vietnam"  # who the Vietnamese enquiry points are
MAX_SPECIFIC = 8


def checklist(
    d: Draft,
    kb: KnowledgeBase,
    scope: str,
    specific: list[Measure],
    horizontal: list[Measure],
    today: dt.date,
) -> None:
    """The checklist for one scope ('cà phê — Liên minh châu Âu (EU)')."""
    en = d.lang == "en"
    total = len(specific) + len(horizontal)
    d.text(
        f"Exporting {scope}: {total} measure(s) in our database to meet."
        if en
        else f"Xuất khẩu {scope}: {total} biện pháp trong cơ sở dữ liệu cần đáp ứng."
    )
    for number, m in enumerate(specific[:MAX_SPECIFIC], start=1):
        _entry(d, kb, m, today, number)
    if len(specific) > MAX_SPECIFIC:
        rest = ", ".join(short_title(m, d.lang) for m in specific[MAX_SPECIFIC:])
        d.note(f"{'Also' if en else 'Ngoài ra'}: {rest}")
    if horizontal:
        d.title("For every product" if en else "Áp dụng cho mọi hàng hóa")
        for m in horizontal:
            first = (m.actions_en if en else m.actions_vi)[:1]
            coming = measure_dates.next_date(m, today)
            when = f"; {_next_text(coming, today, d.lang)}" if coming else ""
            todo = f" — {first[0]}" if first else ""
            d.item(f"{kb.market_name(m.market, d.lang)}: {short_title(m, d.lang)}{todo}{when}")
            measure_source(d, kb, m)
    who_to_ask(d, kb)


def short_title(m: Measure, lang: str) -> str:
    """A name short enough for a list: the curated short name, else a common name and the
    head of the title."""
    short = m.short_en if lang == "en" else m.short_vi
    if short:
        return short
    acronym = next((a for a in m.aliases if a.isupper() and a.isalpha() and len(a) > 2), None)
    named = next((a for a in m.aliases if " " in a and len(a) <= 60 and _in_lang(a, lang)), None)
    head = m.title.split(": ")[0] if len(m.title.split(": ")[0]) > 20 else m.title
    head = head if len(head) <= 90 else head[:87].rsplit(" ", 1)[0] + "…"
    name = acronym or (named[:1].upper() + named[1:] if named else None)
    return f"{name} — {head}" if name and name.lower() not in head.lower() else head


def _in_lang(alias: str, lang: str) -> bool:
    marked = fold_plain(alias) != alias.lower()
    return marked if lang == "vi" else alias.isascii() and alias[:1].isupper()


def _next_text(coming: measure_dates.KeyDate, today: dt.date, lang: str) -> str:
    label = "next date" if lang == "en" else "mốc tiếp theo"
    left = measure_dates.left_text(coming.on, today, lang)
    return f"{label}: {day_text(coming.on)} ({coming.what(lang)}, {left})"


def _entry(d: Draft, kb: KnowledgeBase, m: Measure, today: dt.date, number: int) -> None:
    en = d.lang == "en"
    d.title(f"{number}. {kb.market_name(m.market, d.lang)}: {short_title(m, d.lang)}")
    status_item(d, m)
    coming = measure_dates.next_date(m, today)
    if coming is not None:
        line = _next_text(coming, today, d.lang)
        d.item(line[:1].upper() + line[1:])
    else:
        past = [k for k in measure_dates.key_dates(m) if k.on <= today]
        if past:
            since = "Applies since" if en else "Áp dụng từ"
            d.item(f"{since} {day_text(past[-1].on)} ({past[-1].what(d.lang)})")
    actions = m.actions_en if en else m.actions_vi
    todo = "To do" if en else "Cần làm"
    for action in actions:
        d.item(f"{todo}: {action}")
    if not actions and m.comment_deadline and m.comment_deadline >= today:
        d.item(
            f"{todo}: read the notification and send comments before {day_text(m.comment_deadline)}"
            if en
            else f"{todo}: đọc thông báo và góp ý trước {day_text(m.comment_deadline)}"
        )
    elif not actions:
        d.item(
            f"{todo}: read the measure (summary below the source) and ask the enquiry point"
            if en
            else f"{todo}: đọc văn bản (theo nguồn) và hỏi điểm hỏi đáp TBT"
        )
    d.note(f"{'Source' if en else 'Nguồn'}: {m.source_url}")
    measure_source(d, kb, m)


def who_to_ask(d: Draft, kb: KnowledgeBase) -> None:
    """The plan's TBT lead, the local TBT body and the national enquiry point."""
    en = d.lang == "en"
    task = kb.tasks.get(TBT_TASK)
    faq = kb.guidance.get(ENQUIRY_FAQ)
    if task is None and faq is None:
        return
    d.title("Who to ask" if en else "Hỏi ai")
    lead = kb.agencies.get(task.lead) if task is not None else None
    if task is not None and lead is not None:
        name = lead.name_en if en else lead.name_vi
        role = (
            f"leads task {task.id} of the plan (TBT notification and enquiry)"
            if en
            else f"chủ trì nhiệm vụ {task.id} của Kế hoạch (thông báo, hỏi đáp TBT)"
        )
        d.item(f"{name}: {role}{_contact(lead.contact)}")
        d.source(f"task:{task.id}", task.title_vi, "knowledge/tasks.yaml")
    if faq is not None:
        d.item(
            "The Sub-department of Standards, Metrology and Quality does TBT work locally; the "
            "TBT Office of Vietnam is the national enquiry point (Decision 46/2017/QĐ-TTg)"
            if en
            else "Chi cục Tiêu chuẩn Đo lường Chất lượng thực hiện hoạt động TBT ở địa phương; "
            "Văn phòng TBT Việt Nam là điểm hỏi đáp quốc gia (Quyết định 46/2017/QĐ-TTg)"
        )
        rel = kb.record_files.get(f"guidance:{faq.id}", "tbt/faq.yaml")
        d.source(f"tbt:{faq.id}", faq.title_vi, f"knowledge/{rel}")


def _contact(contact: object) -> str:
    parts = [getattr(contact, k, None) for k in ("phone", "email", "website")]
    shown = [p for p in parts if p]
    return f" — {', '.join(shown)}" if shown else ""
