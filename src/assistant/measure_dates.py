"""The dates of a foreign measure that an exporter acts on, and which one comes next.

A measure has several dates that mean different things: the WTO notification, the last day
for comments, adoption, legal entry into force, and the day its obligations apply (for some
acts, a different day per group of operators). Answers, `/deadlines` and reminders all ask
this module which date matters next, so they never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.knowledge.models import Measure

# what each kind of date means, in both languages
KINDS: dict[str, tuple[str, str]] = {
    "notified_on": ("Ngày thông báo WTO", "Notified to the WTO"),
    "comment_deadline": ("Hạn góp ý", "Comment deadline"),
    "adopted_on": ("Ngày thông qua", "Adopted"),
    "entry_into_force": ("Ngày có hiệu lực", "Entry into force"),
    "applies_from": ("Bắt đầu áp dụng", "Obligations apply from"),
}
# the dates an exporter must act before; notification and adoption are history
ACTIONABLE = ("comment_deadline", "entry_into_force", "applies_from")


@dataclass(frozen=True)
class KeyDate:
    """One dated step of one measure."""

    measure_id: str
    kind: str
    on: dt.date
    who_vi: str | None = None
    who_en: str | None = None

    def what(self, lang: str) -> str:
        """'Bắt đầu áp dụng (doanh nghiệp lớn và vừa)': the kind, and the group if any."""
        vi, en = KINDS[self.kind]
        who = self.who_en if lang == "en" else self.who_vi
        return f"{en if lang == 'en' else vi}{f' ({who})' if who else ''}"


def key_dates(measure: Measure) -> list[KeyDate]:
    """Every dated step of a measure, in date order."""
    out = [
        KeyDate(measure.id, kind, getattr(measure, kind))
        for kind in ("notified_on", "comment_deadline", "adopted_on", "entry_into_force")
        if getattr(measure, kind) is not None
    ]
    out += [
        KeyDate(measure.id, "applies_from", a.date, a.who_vi, a.who_en)
        for a in measure.applies_from
    ]
    return sorted(out, key=lambda k: k.on)


def actionable_dates(measure: Measure) -> list[KeyDate]:
    """The dates an exporter acts before, in date order; none for a withdrawn measure (its
    dates will not come)."""
    if measure.status == "withdrawn":
        return []
    return [k for k in key_dates(measure) if k.kind in ACTIONABLE]


def next_date(measure: Measure, today: dt.date) -> KeyDate | None:
    """The first date still to come that an exporter acts on, or None when all have passed.

    A withdrawn measure has none: its dates will not come.
    """
    coming = [k for k in actionable_dates(measure) if k.on >= today]
    return coming[0] if coming else None


def upcoming(measures: Iterable[Measure], today: dt.date, within_days: int) -> list[KeyDate]:
    """Every actionable date of these measures from today to `within_days` ahead, by date."""
    end = today + dt.timedelta(days=within_days)
    found = {k for m in measures for k in actionable_dates(m) if today <= k.on <= end}
    return sorted(found, key=lambda k: (k.on, k.measure_id, k.who_vi or ""))


def short_name(measure: Measure) -> str:
    """How a list names a measure: its WTO symbol, an acronym alias (EUDR), or its title."""
    acronym = next((a for a in measure.aliases if a.isupper() and " " not in a), None)
    return measure.symbol or acronym or measure.title


def left_text(on: dt.date, today: dt.date, lang: str) -> str:
    """'còn 28 ngày' / 'in 28 days', 'hôm nay' / 'today', or how long ago."""
    days = (on - today).days
    if days == 0:
        return "today" if lang == "en" else "hôm nay"
    if days > 0:
        unit = "day" if days == 1 else "days"
        return f"in {days} {unit}" if lang == "en" else f"còn {days} ngày"
    unit = "day" if days == -1 else "days"
    return f"{-days} {unit} ago" if lang == "en" else f"đã qua {-days} ngày"
