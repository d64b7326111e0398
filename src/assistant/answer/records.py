"""Exact answers composed from knowledge records: tasks, agencies, deadlines, targets, support."""

from __future__ import annotations

import datetime as dt

from assistant import measure_dates
from assistant.answer.draft import Draft
from assistant.answer.labels import day_text, label, timeframe_text
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import (
    Deadline,
    GuidanceEntry,
    Measure,
    SupportProgramme,
    Target,
    Task,
)

UNITS = {
    "enterprises": ("doanh nghiệp", "enterprises"),
    "standards": ("tiêu chuẩn cơ sở", "in-house standards"),
}


def task_card(d: Draft, kb: KnowledgeBase, task: Task, full: bool = True) -> None:
    """A task with its lead, partners, timeframe and targets, exactly as the table says."""
    en = d.lang == "en"
    d.title(f"{label('task', d.lang)} {task.id}: {task.title_en if en else task.title_vi}")
    lead = kb.agencies[task.lead]
    lead_name = f"{lead.name_en} ({task.lead_text})" if en else task.lead_text
    d.item(f"{label('lead', d.lang)}: {lead_name}")
    partners = "; ".join(kb.agency_names(task.partners, "en")) if en else task.partners_text
    d.item(f"{label('partners', d.lang)}: {partners}")
    d.item(f"{label('timeframe', d.lang)}: {timeframe_text(task.timeframe, d.lang)}")
    for target in kb.targets_of(task):
        d.item(f"{label('targets', d.lang)}: {target_line(target, d.lang)}")
    if full:
        if en:
            d.item(f"{label('summary', d.lang)}: {task.summary_en}")
        d.quote(" ".join(task.content_vi))
    d.task_ref(kb, task)
    d.source(f"task:{task.id}", f"Phụ lục, nhiệm vụ {task.id}", "knowledge/tasks.yaml")


def target_line(target: Target, lang: str) -> str:
    """A target in one line, with its figure first."""
    if lang == "en":
        return target.text_en
    return target.text_vi


def task_line(kb: KnowledgeBase, task: Task, lang: str) -> str:
    """One line per task for lists: number, title, lead and timeframe."""
    title = task.title_en if lang == "en" else task.title_vi
    lead = kb.agency_names([task.lead], lang)[0]
    return (
        f"{task.id}. {title} — {label('lead', lang)}: {lead}; "
        f"{timeframe_text(task.timeframe, lang)}"
    )


def task_list(d: Draft, kb: KnowledgeBase, tasks: list[Task], heading: str) -> None:
    """A titled list of tasks with the facts of each row."""
    d.title(heading)
    for task in tasks:
        d.item(task_line(kb, task, d.lang))
        d.task_ref(kb, task)
        d.source(f"task:{task.id}", f"Phụ lục, nhiệm vụ {task.id}", "knowledge/tasks.yaml")


def agency_card(d: Draft, kb: KnowledgeBase, agency_id: str, role: str | None) -> None:
    """What an agency leads, coordinates and must do under section V."""
    agency = kb.agencies[agency_id]
    en = d.lang == "en"
    d.source(f"agency:{agency.id}", agency.name_vi, "knowledge/agencies.yaml")
    d.title(f"{agency.name_en} ({agency.name_vi})" if en else agency.name_vi)
    led = kb.tasks_led_by(agency_id)
    partnered = kb.tasks_partnered_by(agency_id)
    none = label("none", d.lang)
    if role != "partner":
        d.item(
            f"{label('leads', d.lang)}: "
            + (", ".join(f"{label('task', d.lang).lower()} {t.id}" for t in led) or none)
        )
    if role != "lead":
        d.item(
            f"{label('coordinates', d.lang)}: "
            + (", ".join(f"{label('task', d.lang).lower()} {t.id}" for t in partnered) or none)
        )
    if agency.member_of and not (led or partnered):
        group = kb.agencies[agency.member_of]
        g_led = [t.id for t in kb.tasks_led_by(group.id)]
        g_co = [t.id for t in kb.tasks_partnered_by(group.id)]
        if en:
            d.note(
                f"The appendix names no task for it by name; as one of the "
                f"{group.name_en.lower()}, it shares their tasks: leads "
                f"{', '.join(g_led) or 'none'}; coordinates {', '.join(g_co) or 'none'}."
            )
        else:
            d.note(
                f"Phụ lục không giao đích danh nhiệm vụ nào; là một trong "
                f"{group.name_vi.lower()}, cơ quan này cùng thực hiện nhiệm vụ của nhóm: chủ "
                f"trì {', '.join(g_led) or 'không có'}; phối hợp {', '.join(g_co) or 'không có'}."
            )
    if agency.parent:
        parent = kb.agencies[agency.parent]
        d.item(("Part of: " + parent.name_en) if en else ("Trực thuộc: " + parent.name_vi))
    # an agency with no duty of its own, like the Ministry, is in the plan as a recipient
    received = [] if agency.duties else [x for x in kb.deadlines.values() if agency_id in x.to]
    for deadline in received:
        d.item(f"{label('receives', d.lang)}: {deadline.title_en if en else deadline.title_vi}")
        d.source(
            f"plan:{deadline.section}",
            f"Kế hoạch, mục {deadline.section}",
            "knowledge/plan/body.md",
        )
    if agency.duties:
        d.text(label("duties", d.lang) + ":")
        for duty in agency.duties:
            if en:
                d.item(f"{duty.summary_en} (section {duty.section})")
            else:
                d.item(f"{kb.section_text(duty.section)} (mục {duty.section})")
            d.source(
                f"plan:{duty.section}", f"Kế hoạch, mục {duty.section}", "knowledge/plan/body.md"
            )
    d.source(f"agency:{agency.id}", agency.name_vi, "knowledge/agencies.yaml")
    for task in led + partnered:
        d.task_ref(kb, task)


def next_due(deadline: Deadline, today: dt.date) -> dt.date | None:
    """The next date a deadline falls on, counting today."""
    if deadline.month is None or deadline.day is None:
        return None
    if deadline.recurrence == "once":
        return dt.date(deadline.year or today.year, deadline.month, deadline.day)
    this_year = dt.date(today.year, deadline.month, deadline.day)
    return (
        this_year if this_year >= today else dt.date(today.year + 1, deadline.month, deadline.day)
    )


def deadline_card(d: Draft, kb: KnowledgeBase, deadline: Deadline, today: dt.date) -> None:
    """A deadline with who reports to whom, the plan's words and the days left."""
    en = d.lang == "en"
    d.title(deadline.title_en if en else deadline.title_vi)
    if deadline.month and deadline.day:
        when = (
            f"Every year before {deadline.day} November"
            if en and deadline.month == 11
            else f"{'Before' if en else 'Trước ngày'} {deadline.day}/{deadline.month}"
        )
        if not en:
            when = f"Hằng năm, trước ngày {deadline.day} tháng {deadline.month}"
        d.item(f"{label('timeframe', d.lang)}: {when}")
        due = next_due(deadline, today)
        if due is not None:
            left = (due - today).days
            d.item(
                f"{label('next_due', d.lang)}: {day_text(due)} ("
                + (
                    label("today", d.lang)
                    if left == 0
                    else label("day_left" if left == 1 else "days_left", d.lang).format(n=left)
                )
                + ")"
            )
    elif deadline.recurrence == "once" and deadline.year:
        d.item(f"{label('timeframe', d.lang)}: {'by' if en else 'đến năm'} {deadline.year}")
    d.item(f"{label('who', d.lang)}: {'; '.join(kb.agency_names(deadline.who, d.lang))}")
    if deadline.to:
        d.item(f"{label('to', d.lang)}: {'; '.join(kb.agency_names(deadline.to, d.lang))}")
    if en and deadline.note_en:
        d.text(deadline.note_en)
    d.quote(kb.section_text(deadline.section))
    d.source(f"deadline:{deadline.id}", deadline.title_vi, "knowledge/deadlines.yaml")
    d.source(
        f"plan:{deadline.section}", f"Kế hoạch, mục {deadline.section}", "knowledge/plan/body.md"
    )


def targets_block(d: Draft, kb: KnowledgeBase, targets: list[Target]) -> None:
    """Targets with their figures and the tasks that carry them."""
    for target in targets:
        tasks = ", ".join(target.tasks)
        suffix = f" ({'task' if d.lang == 'en' else 'nhiệm vụ'} {tasks}; "
        suffix += f"{'section' if d.lang == 'en' else 'mục'} {target.section})"
        d.item(target_line(target, d.lang) + suffix)
        d.source(f"target:{target.id}", f"Mục tiêu {target.section}", "knowledge/targets.yaml")
        for task_id in target.tasks:
            d.task_ref(kb, kb.tasks[task_id])


def programme_card(
    d: Draft, kb: KnowledgeBase, p: SupportProgramme, partners: bool = False
) -> None:
    """A support programme: what, for whom, target, task, lead (and, when asked, partners)."""
    en = d.lang == "en"
    d.title(p.title_en if en else p.title_vi)
    d.item(f"{label('for_whom', d.lang)}: {p.for_en if en else p.for_vi}")
    if en:
        d.text(p.what_en)
    else:
        d.quote(kb.section_text(p.section))
    parts = []
    if p.target:
        parts.append(target_line(kb.targets[p.target], d.lang))
    if p.task:
        parts.append(f"{label('task', d.lang).lower()} {p.task}")
    if parts:
        d.item(f"{label('target_task', d.lang)}: " + "; ".join(parts))
    d.item(f"{label('lead', d.lang)}: {kb.agency_names([p.lead], d.lang)[0]}")
    if partners and p.task and kb.tasks[p.task].partners:
        names = kb.agency_names(kb.tasks[p.task].partners, d.lang)
        d.item(f"{label('partners', d.lang)}: {'; '.join(names)}")
    d.source(f"support:{p.id}", p.title_vi, "knowledge/support.yaml")
    if p.target:
        d.source(f"target:{p.target}", f"Mục tiêu {p.section}", "knowledge/targets.yaml")
    if p.task:
        d.task_ref(kb, kb.tasks[p.task])


def next_steps(d: Draft, kb: KnowledgeBase) -> None:
    """What an enterprise can do next, from section V.1 (the Department is the focal point)."""
    dost, tdc = kb.agencies.get("so-khcn"), kb.agencies.get("chi-cuc-tdc")
    if dost is None or tdc is None:
        return
    if d.lang == "en":
        d.note(
            f"{label('next_steps', d.lang)}: contact the {dost.name_en}, the plan's focal "
            f"point (section V.1), or its {tdc.name_en}, and say which programme you mean."
        )
    else:
        d.note(
            f"{label('next_steps', d.lang)}: liên hệ {dost.name_vi} — cơ quan đầu mối của "
            f"Kế hoạch (mục V.1) — hoặc {tdc.name_vi}, nêu rõ hình thức hỗ trợ quan tâm."
        )


STATUS = {
    "draft": ("dự thảo", "draft"),
    "adopted": ("đã thông qua", "adopted"),
    "in_force": ("đang có hiệu lực", "in force"),
    "withdrawn": ("đã rút", "withdrawn"),
}


def measure_card(
    d: Draft, kb: KnowledgeBase, measure: Measure, today: dt.date, full: bool = False
) -> None:
    """A foreign measure: market, symbol, status, its dates and the next one, summary, source.

    `full` (one measure asked by name) adds the events its dates do not tell (postponements).
    """
    en = d.lang == "en"
    d.title(f"{kb.market_name(measure.market, d.lang)}: {measure.title}")
    status_item(d, measure)
    for key in measure_dates.key_dates(measure):
        d.item(f"{key.what(d.lang)}: {day_text(key.on)}")
    coming = measure_dates.next_date(measure, today)
    if coming is not None:
        d.item(
            f"{'Next date' if en else 'Mốc tiếp theo'}: {day_text(coming.on)} — "
            f"{coming.what(d.lang)}, {measure_dates.left_text(coming.on, today, d.lang)}"
        )
    if full:
        for change in measure.history:
            d.item(f"{day_text(change.date)}: {change.note_en if en else change.note_vi}")
    if en or measure.summary_vi:
        d.text((measure.summary_en if en else measure.summary_vi) or "")
    elif measure.summary_en:  # a notification nobody has summarised in Vietnamese yet
        d.text(f"Chưa có tóm tắt tiếng Việt; nội dung thông báo (tiếng Anh): {measure.summary_en}")
    if measure.id in kb.notified_only:
        d.note(
            f"{'Source' if en else 'Nguồn'}: {measure.source_url} "
            f"({'imported' if en else 'nhập từ thông báo WTO ngày'} "
            f"{day_text(measure.reviewed_on)})"
        )
    else:
        d.note(
            f"{'Source' if en else 'Nguồn'}: {measure.source_url} "
            f"({'reviewed' if en else 'rà soát'} {day_text(measure.reviewed_on)})"
        )
    dated = [a.source for a in measure.applies_from]
    dated += [c.source for c in measure.history] if full else []
    for url in dict.fromkeys(u for u in dated if u and u != measure.source_url):
        d.note(f"{'Source of the dates' if en else 'Nguồn các mốc ngày'}: {url}")
    measure_source(d, kb, measure)


def status_item(d: Draft, measure: Measure) -> None:
    """'G/TBT/N/CHN/1827; tình trạng: đã thông qua': the symbol if any, and the status."""
    en = d.lang == "en"
    symbol = f"{measure.symbol}; " if measure.symbol else ""
    d.item(f"{symbol}{'status' if en else 'tình trạng'}: {STATUS[measure.status][1 if en else 0]}")


def measure_source(d: Draft, kb: KnowledgeBase, measure: Measure) -> None:
    """Cite a measure from the file it comes from (curated, or an imported notification)."""
    d.source(f"measure:{measure.id}", measure.title, f"knowledge/{kb.measure_file(measure.id)}")


def guidance_card(d: Draft, kb: KnowledgeBase, entry: GuidanceEntry) -> None:
    """A TBT guidance or FAQ entry, with every source it rests on."""
    en = d.lang == "en"
    d.title(entry.title_en if en else entry.title_vi)
    d.text(entry.text_en if en else entry.text_vi)
    for source in entry.sources:
        ref = f", {source.ref}" if source.ref else ""
        url = f" — {source.url}" if source.url else ""
        d.note(f"{label('source', d.lang)}: {source.title}{ref}{url}")
    rel = kb.record_files.get(f"guidance:{entry.id}", "tbt/guidance.yaml")
    d.source(f"tbt:{entry.id}", entry.title_vi, f"knowledge/{rel}")
