"""Our own knowledge text (not the plan's words) writes dates the way answers print them."""

from __future__ import annotations

import re

from assistant.knowledge.base import KnowledgeBase

# "05/9/2017" or "10/01/2018": a zero the answers' own dates (labels.day) never print
_PADDED = re.compile(r"\b(?:0\d/\d{1,2}|\d{1,2}/0\d)/\d{4}\b")
# "31 Dec 2020", "29 June 2023": another form beside the d/m/yyyy of the record's own fields
_WORDY = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}\b")


def _texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    texts = [(f"measure:{m.id}", f"{m.summary_vi}\n{m.summary_en}") for m in kb.measures.values()]
    texts += [(f"tbt:{g.id}", f"{g.text_vi}\n{g.text_en}") for g in kb.guidance.values()]
    return texts


def test_dates_in_our_text_are_day_month_year(kb: KnowledgeBase) -> None:
    texts = _texts(kb)
    assert len(texts) > 20
    bad = [
        (ref, m.group(0))
        for ref, text in texts
        for pattern in (_PADDED, _WORDY)
        for m in pattern.finditer(text)
    ]
    assert bad == []


def test_the_check_finds_both_forms() -> None:
    assert _PADDED.search("hiệu lực từ 10/01/2018") and _PADDED.search("ngày 05/9/2017")
    assert _WORDY.search("after 31 Dec 2020") and _WORDY.search("on 29 June 2023")
    assert not _PADDED.search("30/11/2026") and not _WORDY.search("in June 2023")
