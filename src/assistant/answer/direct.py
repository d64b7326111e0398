"""Answers for the bot's commands and buttons, built straight from records (no question)."""

from __future__ import annotations

import datetime as dt

from assistant import measure_dates
from assistant.answer import records
from assistant.answer.draft import Draft
from assistant.answer.labels import day_text
from assistant.answer.models import Answer
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Measure

DEADLINE_HORIZON = 365  # days ahead that /deadlines lists a measure's dates


def _done(d: Draft, intent: str, title: str, confident: bool = True) -> Answer:
    return d.answer(title, intent, confident)


def task(kb: KnowledgeBase, task_id: str, lang: str) -> Answer | None:
    """The card of one task, or None if there is no such task."""
    found = kb.tasks.get(task_id)
    if found is None:
        return None
    d = Draft(lang=lang)
    records.task_card(d, kb, found)
    return _done(d, "task", f"/task {task_id}")


def tasks(kb: KnowledgeBase, lang: str) -> Answer:
    """Every task, one line each."""
    d = Draft(lang=lang)
    head = "The plan's tasks" if lang == "en" else "Các nhiệm vụ của Kế hoạch"
    records.task_list(d, kb, list(kb.tasks.values()), f"{head} ({len(kb.tasks)})")
    return _done(d, "task_list", "/tasks")


def agency(kb: KnowledgeBase, agency_id: str, lang: str) -> Answer:
    """What an agency leads, coordinates and must do."""
    d = Draft(lang=lang)
    records.agency_card(d, kb, agency_id, None)
    return _done(d, "agency", f"/agency {agency_id}")


def upcoming(kb: KnowledgeBase, today: dt.date) -> list[tuple[str, dt.date, int]]:
    """Dated deadlines as (deadline id, next due date, days left), soonest first."""
    out = []
    for deadline in kb.deadlines.values():
        due = records.next_due(deadline, today)
        if due is not None and due >= today:
            out.append((deadline.id, due, (due - today).days))
    return sorted(out, key=lambda x: x[1])


def deadlines(kb: KnowledgeBase, lang: str, today: dt.date) -> Answer:
    """Every deadline of the plan, dated ones first with the days left."""
    d = Draft(lang=lang)
    dated = [kb.deadlines[i] for i, _, _ in upcoming(kb, today)]
    rest = [x for x in kb.deadlines.values() if x not in dated]
    for deadline in dated + rest:
        records.deadline_card(d, kb, deadline, today)
    return _done(d, "deadline", "/deadlines")


def eligibility(kb: KnowledgeBase, tags: set[str], lang: str) -> Answer:
    """The support programmes that fit an enterprise's answers."""
    d = Draft(lang=lang)
    fitting = [p for p in kb.programmes.values() if tags & set(p.for_tags)]
    general = [p for p in kb.programmes.values() if "any" in p.for_tags and p not in fitting]
    if fitting:
        d.text(
            "Support that fits your answers:"
            if lang == "en"
            else "Các hình thức hỗ trợ phù hợp với doanh nghiệp của bạn:"
        )
    for p in fitting:
        records.programme_card(d, kb, p)
    if general:
        d.text(
            "Open to any enterprise:" if lang == "en" else "Mọi doanh nghiệp đều có thể quan tâm:"
        )
        for p in general:
            d.item(p.title_en if lang == "en" else p.title_vi)
            d.source(f"support:{p.id}", p.title_vi, "knowledge/support.yaml")
    records.next_steps(d, kb)
    return _done(d, "support", "/eligibility", confident=bool(fitting or general))


def guidance(kb: KnowledgeBase, entry_id: str, lang: str) -> Answer | None:
    """One TBT guidance or FAQ entry, with its sources."""
    entry = kb.guidance.get(entry_id)
    if entry is None:
        return None
    d = Draft(lang=lang)
    records.guidance_card(d, kb, entry)
    return _done(d, "tbt", f"/tbt {entry_id}")


def measure(kb: KnowledgeBase, measure_id: str, lang: str, today: dt.date) -> Answer:
    """One foreign measure's full card, with the date that comes next."""
    found = kb.measures[measure_id]
    d = Draft(lang=lang)
    records.measure_card(d, kb, found, today, full=True)
    return _done(d, "measure", f"measure {measure_id}")


def measure_deadlines(
    kb: KnowledgeBase,
    measures: list[Measure],
    scope: str,
    lang: str,
    today: dt.date,
    within_days: int = DEADLINE_HORIZON,
) -> Answer:
    """The coming dates of these measures (comments, entry into force, application), by date."""
    en = lang == "en"
    d = Draft(lang=lang)
    coming = measure_dates.upcoming(measures, today, within_days)
    months = within_days // 30
    d.title(
        f"Coming dates of foreign measures for {scope} (next {months} months)"
        if en
        else f"Các mốc sắp tới của biện pháp nước ngoài cho {scope} ({months} tháng tới)"
    )
    if not coming:
        d.text(
            "No comment deadline, entry into force or application date in that time."
            if en
            else "Không có hạn góp ý, ngày có hiệu lực hay ngày áp dụng nào trong thời gian này."
        )
    for key in coming:
        m = kb.measures[key.measure_id]
        short = measure_dates.short_name(m)
        d.item(
            f"{day_text(key.on)} ({measure_dates.left_text(key.on, today, lang)}) — "
            f"{kb.market_name(m.market, lang)}: {short} — {key.what(lang)}"
        )
        records.measure_source(d, kb, m)
    return _done(d, "measure", "/deadlines tbt", confident=bool(coming))
