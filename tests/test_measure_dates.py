"""The dates of a measure: which one comes next, per group, and how far away it is."""

from __future__ import annotations

import datetime as dt

from assistant import measure_dates
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Measure
from assistant.reminders import due_measure_reminders

D = dt.date


def _measure(**fields: object) -> Measure:
    base: dict[str, object] = {
        "id": "test",
        "market": "EU",
        "title": "Test regulation",
        "products": "coffee",
        "measure_type": "technical_regulation",
        "status": "in_force",
        "summary_vi": "Thử.",
        "summary_en": "Test.",
        "source_url": "https://example.org/test",
        "reviewed_on": D(2026, 12, 1),
    }
    return Measure.model_validate({**base, **fields})


def test_eudr_next_date_is_the_application_not_the_entry_into_force(kb: KnowledgeBase) -> None:
    eudr = kb.measures["eu-eudr"]
    assert eudr.entry_into_force == D(2023, 6, 29)
    first = measure_dates.next_date(eudr, D(2026, 12, 2))
    assert first is not None and first.on == D(2026, 12, 30)
    assert first.what("en") == "Obligations apply from (large and medium operators and traders)"
    later = measure_dates.next_date(eudr, D(2026, 12, 31))
    assert (
        later is not None and later.on == D(2027, 6, 30) and "micro and small" in later.what("en")
    )
    assert measure_dates.next_date(eudr, D(2027, 7, 1)) is None


def test_dates_in_order_and_the_kinds_that_count() -> None:
    m = _measure(
        notified_on="2026-11-20",
        comment_deadline="2027-01-19",
        entry_into_force="2027-06-01",
        applies_from=[{"date": "2028-01-01", "who_en": "large", "who_vi": "lớn"}],
    )
    kinds = [k.kind for k in measure_dates.key_dates(m)]
    assert kinds == ["notified_on", "comment_deadline", "entry_into_force", "applies_from"]
    # the notification is history, not a date to act on
    assert measure_dates.next_date(m, D(2026, 11, 1)).kind == "comment_deadline"  # type: ignore[union-attr]
    assert measure_dates.next_date(m, D(2027, 1, 20)).kind == "entry_into_force"  # type: ignore[union-attr]
    coming = measure_dates.upcoming([m], D(2026, 12, 1), within_days=200)
    assert [k.kind for k in coming] == ["comment_deadline", "entry_into_force"]
    assert (
        measure_dates.next_date(m.model_copy(update={"status": "withdrawn"}), D(2026, 12, 1))
        is None
    )


def test_left_text_in_both_languages() -> None:
    today = D(2026, 12, 2)
    assert measure_dates.left_text(D(2026, 12, 30), today, "vi") == "còn 28 ngày"
    assert measure_dates.left_text(D(2026, 12, 3), today, "en") == "in 1 day"
    assert measure_dates.left_text(today, today, "en") == "today"
    assert measure_dates.left_text(D(2026, 11, 30), today, "vi") == "đã qua 2 ngày"


def test_measure_reminders_at_30_7_and_1_days() -> None:
    m = _measure(symbol="G/TBT/N/EU/1", comment_deadline="2027-01-19")
    assert due_measure_reminders([m], D(2026, 12, 19)) == []  # 31 days before
    [first] = due_measure_reminders([m], D(2026, 12, 20))
    assert (first.days_before, first.earlier, first.title_en) == (
        30,
        (),
        "G/TBT/N/EU/1 — Comment deadline",
    )
    [late] = due_measure_reminders([m], D(2027, 1, 18))  # missed points are closed with it
    assert (late.days_before, late.earlier) == (1, (7, 30))
    assert due_measure_reminders([m], D(2027, 1, 20)) == []
