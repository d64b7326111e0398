"""Turn an understood question into an Answer: exact records first, passages otherwise."""

from __future__ import annotations

import datetime as dt
import re

from assistant.answer import records
from assistant.answer.draft import Draft
from assistant.answer.labels import label
from assistant.answer.models import Answer
from assistant.answer.render import render_text
from assistant.knowledge.base import KnowledgeBase
from assistant.retrieve import Hit, Searcher
from assistant.text import fold_plain
from assistant.understand import PERIOD, Intent, Query

# A free question is answered only when the best passage is this close to it (cosine, e5),
# or when BM25 finds it on a good share of the question's words. Calibrated on questions
# outside the gold set (docs/PERFORMANCE.md explains how).
MIN_DENSE = 0.84
MIN_DENSE_WITH_WORDS = 0.80
MIN_WORD_SHARE = 0.5

TAG_CUES = {
    "high_risk": r"rui ro cao|high.risk",
    "ocop": r"ocop",
    "key_product": r"chu luc|dac trung|key product|signature",
    "management_system": r"he thong quan ly|management system|iso",
    "traceability": r"truy xuat|traceab",
    "gap": r"\bgap\b|vietgap|globalgap|nong nghiep tot|good agricultural",
    "organic": r"huu co|organic",
    "green": r"chuyen doi xanh|\bxanh\b|green",
    "digital": r"chuyen doi so|digital",
    "productivity": r"nang suat|productivity|cai tien|lean|kaizen|5s",
    "pilot_model": r"mo hinh diem|pilot",
    "training": r"dao tao|tap huan|training|course",
    "export": r"xuat khau|export",
}


class Composer:
    """Builds answers from the knowledge base and the searcher."""

    def __init__(self, kb: KnowledgeBase, searcher: Searcher) -> None:
        self.kb = kb
        self.searcher = searcher

    def compose(self, q: Query, today: dt.date) -> Answer:
        """The answer for an understood question."""
        d = Draft(lang=q.lang)
        handler = getattr(self, f"_on_{q.intent.value}", self._on_free)
        confident = handler(q, d, today)
        return finish(q, d, confident)

    # --- structured intents -------------------------------------------------------------
    def _on_task(self, q: Query, d: Draft, today: dt.date) -> bool:
        for tid in q.task_ids:
            records.task_card(d, self.kb, self.kb.tasks[tid], full=len(q.task_ids) == 1)
        return True

    def _on_task_unknown(self, q: Query, d: Draft, today: dt.date) -> bool:
        ids = ", ".join(q.unknown_tasks)
        d.text(
            f"There is no task {ids} in the plan. Its tasks are:"
            if q.lang == "en"
            else f"Kế hoạch không có nhiệm vụ {ids}. Các nhiệm vụ của Kế hoạch:"
        )
        for task in self.kb.tasks.values():
            d.item(records.task_line(self.kb, task, q.lang))
        return False

    def _on_agency(self, q: Query, d: Draft, today: dt.date) -> bool:
        for agency_id in q.agencies[:2]:
            records.agency_card(d, self.kb, agency_id, None)
        return True

    def _on_agency_tasks(self, q: Query, d: Draft, today: dt.date) -> bool:
        for agency_id in q.agencies[:2]:
            name = self.kb.agency_names([agency_id], q.lang)[0]
            if q.role != "partner":
                led = self.kb.tasks_led_by(agency_id)
                head = (
                    f"Tasks led by {name} ({len(led)})"
                    if q.lang == "en"
                    else f"Nhiệm vụ do {name} chủ trì ({len(led)})"
                )
                records.task_list(d, self.kb, led, head)
            if q.role != "lead":
                co = self.kb.tasks_partnered_by(agency_id)
                head = (
                    f"Tasks {name} coordinates ({len(co)})"
                    if q.lang == "en"
                    else f"Nhiệm vụ {name} phối hợp ({len(co)})"
                )
                records.task_list(d, self.kb, co, head)
            d.source(f"agency:{agency_id}", name, "knowledge/agencies.yaml")
        return True

    def _on_timeframe(self, q: Query, d: Draft, today: dt.date) -> bool:
        annual = q.timeframe == "annual"
        tasks = [t for t in self.kb.tasks.values() if t.annual == annual]
        if q.lang == "en":
            head = "Tasks carried out every year" if annual else "Tasks for the period 2026-2030"
        else:
            head = (
                "Các nhiệm vụ thực hiện hàng năm"
                if annual
                else ("Các nhiệm vụ thực hiện trong giai đoạn 2026-2030")
            )
        records.task_list(d, self.kb, tasks, f"{head} ({len(tasks)})")
        return True

    def _on_deadline(self, q: Query, d: Draft, today: dt.date) -> bool:
        chosen = [
            x
            for x in self.kb.deadlines.values()
            if q.agencies and any(a in x.who for a in q.agencies)
        ]
        if not chosen:
            chosen = [x for x in self.kb.deadlines.values() if x.month and x.day]
        for deadline in chosen[:2]:
            records.deadline_card(d, self.kb, deadline, today)
        return bool(chosen)

    def _on_targets(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = self.searcher.search(q.text, q.lang, k=6)
        picked = [
            self.kb.targets[h.chunk.id.split(":", 1)[1]]
            for h in hits[:3]
            if h.chunk.kind == "target"
        ]
        if "2035" in q.plain or "dinh huong" in q.plain or "orientation" in q.plain:
            return self._quote_section(d, "II.3")
        wants_all = (
            q.wants_list
            or not picked
            or re.search(r"\b2030\b", q.plain)
            and not (re.search(r"\d{2,3}\b(?!\d)", q.plain.replace("2030", "")))
        )
        targets = list(self.kb.targets.values()) if wants_all else picked[:1]
        d.title(
            "Specific targets by 2030 (section II.2)"
            if q.lang == "en"
            else "Mục tiêu cụ thể đến năm 2030 (mục II.2)"
        )
        records.targets_block(d, self.kb, targets)
        return True

    def _on_support(self, q: Query, d: Draft, today: dt.date) -> bool:
        tags = {tag for tag, cue in TAG_CUES.items() if re.search(cue, q.plain)}
        programmes = [p for p in self.kb.programmes.values() if tags & set(p.for_tags)]
        if not programmes:
            programmes = list(self.kb.programmes.values())
            d.text(
                "Support an enterprise can get under the plan:"
                if q.lang == "en"
                else "Các hình thức hỗ trợ doanh nghiệp theo Kế hoạch:"
            )
        for p in programmes:
            records.programme_card(d, self.kb, p)
        records.next_steps(d, self.kb)
        return True

    def _on_funding(self, q: Query, d: Draft, today: dt.date) -> bool:
        en = q.lang == "en"
        d.title("Funding sources (section IV)" if en else "Nguồn kinh phí thực hiện (mục IV)")
        for src in self.kb.funding.sources:
            d.item(src.title_en if en else self.kb.section_text(src.section))
            d.source(f"funding:{src.id}", src.title_vi, "knowledge/funding.yaml")
        for rule in self.kb.funding.rules:
            d.note(rule.title_en if en else self.kb.section_text(rule.section))
        d.source("plan:IV", "Kế hoạch, mục IV", "knowledge/plan/body.md")
        return True

    def _on_meta(self, q: Query, d: Draft, today: dt.date) -> bool:
        plan = self.kb.plan
        en = q.lang == "en"
        d.title(plan.title_en if en else plan.title_vi)
        signer = f"{plan.signer.capacity_vi}, {plan.signer.title_vi} {plan.signer.name}"
        d.item(
            ("Signed by: " + f"{plan.signer.name}, {plan.signer.title_en} ({signer})")
            if en
            else f"Người ký: {signer}"
        )
        d.item(
            f"{'Number and date' if en else 'Số, ngày'}: {plan.number_text}, {plan.date_text}"
            + (" (left blank in the text we hold)" if en else " (bản đang lưu để trống)")
        )
        d.text("Legal bases:" if en else "Căn cứ pháp lý:")
        for lb in plan.legal_bases:
            number = f" ({lb.number})" if lb.number and lb.number not in lb.text_vi else ""
            d.item(lb.text_vi + number)
            d.source(f"legal:{lb.id}", lb.text_vi, "knowledge/plan.yaml")
        d.source("meta:plan", plan.title_vi, "knowledge/plan.yaml")
        return True

    def _on_contact(self, q: Query, d: Draft, today: dt.date) -> bool:
        ids = q.agencies or ["so-khcn"]
        found = False
        for agency_id in ids:
            agency = self.kb.agencies.get(agency_id)
            contact = agency.contact if agency else None
            values = contact.model_dump(exclude_none=True) if contact else {}
            if agency and values:
                found = True
                d.title(agency.name_en if q.lang == "en" else agency.name_vi)
                for key, value in values.items():
                    d.item(f"{key}: {value}")
                d.source(f"agency:{agency.id}", agency.name_vi, "knowledge/agencies.yaml")
        if not found:
            d.text(
                "The plan gives no phone numbers, e-mail or addresses, and the Department "
                "has not added official contact details yet."
                if q.lang == "en"
                else "Kế hoạch không nêu số điện thoại, email hay địa chỉ, và Sở chưa cập nhật "
                "thông tin liên hệ chính thức vào dữ liệu."
            )
        return found

    def _on_amount(self, q: Query, d: Draft, today: dt.date) -> bool:
        d.text(
            "The plan does not set amounts of money per enterprise; it names the kinds of "
            "support, the targets and the funding sources (section IV)."
            if q.lang == "en"
            else "Kế hoạch không quy định mức tiền hỗ trợ cho từng doanh nghiệp; Kế hoạch "
            "chỉ nêu các hình thức hỗ trợ, mục tiêu và nguồn kinh phí (mục IV)."
        )
        d.source("plan:IV", "Kế hoạch, mục IV", "knowledge/plan/body.md")
        return False

    def _on_tbt(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = [
            h
            for h in self.searcher.search(q.text, q.lang, k=8)
            if h.chunk.kind in ("tbt", "task", "plan", "measure", "target")
        ]
        return self._passages(q, d, hits, force=True)

    def _on_measure(self, q: Query, d: Draft, today: dt.date) -> bool:
        return self._on_tbt(q, d, today)

    def _on_free(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = self.searcher.search(q.text, q.lang, k=8)
        if q.role in ("lead", "partner") or q.timeframe:
            task = self._task_from_hits(hits)
            if task is not None and self._relevant(q, hits):
                records.task_card(d, self.kb, self.kb.tasks[task])
                return True
        return self._passages(q, d, hits)

    # --- helpers ------------------------------------------------------------------------
    def _task_from_hits(self, hits: list[Hit]) -> str | None:
        for hit in hits[:3]:
            kind, ref = hit.chunk.id.split(":", 1)
            if kind == "task":
                return ref
            if kind == "target":
                return self.kb.targets[ref].tasks[0]
            if kind == "support" and self.kb.programmes[ref].task:
                return self.kb.programmes[ref].task
        return None

    def _relevant(self, q: Query, hits: list[Hit]) -> bool:
        if not hits:
            return False
        top = hits[0]
        words = self.searcher.bm25.pick(not q.marked).known(q.text)
        asked = [w for w in fold_plain(q.text).split() if len(w) > 1]
        share = len([w for w in words if "_" not in w]) / max(1, len(asked))
        if top.dense >= MIN_DENSE:
            return True
        return top.dense >= MIN_DENSE_WITH_WORDS and share >= MIN_WORD_SHARE

    def _passages(self, q: Query, d: Draft, hits: list[Hit], force: bool = False) -> bool:
        if not hits or not (force or self._relevant(q, hits)):
            return decline(q, d)
        en = q.lang == "en"
        best = hits[0].score
        for hit in [h for h in hits if h.score >= best * 0.6][:3]:
            chunk = hit.chunk
            d.title(chunk.title(q.lang))
            if en and chunk.quote_en:
                d.text(chunk.quote_en)
            else:
                d.quote(chunk.quote_vi, "vi")
            d.note(f"{label('source', q.lang)}: {chunk.cite}")
            d.source(chunk.id, chunk.title_vi, chunk.file, round(hit.score, 4))
            if chunk.kind == "task":
                d.task_ref(self.kb, self.kb.tasks[chunk.id.split(":", 1)[1]])
        return True

    def _quote_section(self, d: Draft, section: str) -> bool:
        heading = self.kb.sections.get(section)
        d.title(
            f"{'Section' if d.lang == 'en' else 'Mục'} {section}. "
            f"{heading.title if heading else ''}"
        )
        for p in self.kb.body.paragraphs:
            if p.section == section:
                d.quote(p.text)
                d.source(f"plan:{p.id}", f"Kế hoạch, mục {p.id}", "knowledge/plan/body.md")
        return True


def decline(q: Query, d: Draft) -> bool:
    """Say plainly that the plan does not cover this, and what the assistant can answer."""
    if q.lang == "en":
        d.text("I can't answer that from the Gia Lai standards plan or the TBT guidance.")
        d.note(
            'I can tell you: who leads or coordinates each task (e.g. "who leads task '
            "3.2\"), an agency's duties, deadlines such as the yearly report, the 2030 "
            "targets, the support enterprises can get, funding sources, and TBT guidance."
        )
    else:
        d.text(
            "Tôi không tìm thấy nội dung này trong Kế hoạch tiêu chuẩn của tỉnh Gia Lai "
            "hay hướng dẫn về TBT."
        )
        d.note(
            'Tôi có thể trả lời: ai chủ trì, phối hợp từng nhiệm vụ (ví dụ "ai chủ trì '
            'nhiệm vụ 3.2"), trách nhiệm của các cơ quan, thời hạn báo cáo hằng năm, mục '
            "tiêu đến 2030, hỗ trợ cho doanh nghiệp, nguồn kinh phí và hàng rào kỹ thuật "
            "trong thương mại (TBT)."
        )
    return False


def finish(q: Query, d: Draft, confident: bool) -> Answer:
    """Wrap a draft into an Answer with its plain-text rendering."""
    answer = Answer(
        question=q.text,
        lang=q.lang,
        intent=q.intent.value,
        confident=confident,
        tasks=d.tasks,
        sources=d.sources,
        blocks=d.blocks,
    )
    answer.answer = render_text(answer)
    return answer


__all__ = ["Composer", "decline", "finish", "PERIOD", "Intent"]
