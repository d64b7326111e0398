"""Which reminders are due today: the plan's deadlines for a subscriber, and the dates of the
foreign measures a watcher follows. Sending is the adapter's job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from assistant import measure_dates
from assistant.answer.records import next_due
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Measure

# days before a measure's comment deadline, entry into force or application date
MEASURE_REMIND_DAYS = (30, 7, 1)


@dataclass(frozen=True)
class Reminder:
    """One reminder point: a deadline, its due date and how many days before it this is."""

    key: str
    title_vi: str
    title_en: str
    due: dt.date
    days_before: int
    earlier: tuple[int, ...] = ()


def due_reminders(kb: KnowledgeBase, agency_id: str, today: dt.date) -> list[Reminder]:
    """Reminders whose point has come (the latest one only; earlier missed points are skipped)."""
    out = []
    # an agency also meets the deadlines of the group it belongs to (Sở Tài chính is one of
    # "các sở, ban, ngành", which report every year)
    agency = kb.agencies.get(agency_id)
    scope = {agency_id} | ({agency.member_of} if agency and agency.member_of else set())
    for deadline in kb.deadlines.values():
        if agency_id and not scope & {*deadline.who, *deadline.to}:
            continue
        due = next_due(deadline, today)
        if due is None or not deadline.remind_days:
            continue
        left = (due - today).days
        passed = sorted(d for d in deadline.remind_days if d >= left)
        if not passed:
            continue
        out.append(
            Reminder(
                key=f"deadline:{deadline.id}",
                title_vi=deadline.title_vi,
                title_en=deadline.title_en,
                due=due,
                days_before=passed[0],
                earlier=tuple(passed[1:]),
            )
        )
    return out


def due_measure_reminders(measures: Iterable[Measure], today: dt.date) -> list[Reminder]:
    """Reminders of the measures' coming dates whose point has come (the latest one only)."""
    out = []
    for m in measures:
        for k in measure_dates.actionable_dates(m):
            left = (k.on - today).days
            passed = sorted(d for d in MEASURE_REMIND_DAYS if d >= left)
            if left < 0 or not passed:
                continue
            name = measure_dates.short_name(m)
            out.append(
                Reminder(
                    key=f"measure:{m.id}:{k.kind}:{k.on.isoformat()}",
                    title_vi=f"{name} — {k.what('vi')}",
                    title_en=f"{name} — {k.what('en')}",
                    due=k.on,
                    days_before=passed[0],
                    earlier=tuple(passed[1:]),
                )
            )
    return out
