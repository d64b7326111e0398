"""Turn an understood question into an Answer: exact records first, passages otherwise."""

from __future__ import annotations

import datetime as dt
import re

from assistant.answer import records
from assistant.answer.draft import Draft
from assistant.answer.models import Answer
from assistant.answer.search_intents import SearchIntents
from assistant.knowledge.base import KnowledgeBase
from assistant.retrieve import Searcher
from assistant.text import fold_plain
from assistant.understand import (
    DOC_NUMBER,
    LEGAL,
    NEGATION,
    ORIENTATION,
    REPORT,
    SIGNER,
    Query,
)

TAG_CUES = {
    "high_risk": r"rui ro cao|high.risk",
    "ocop": r"ocop",
    "key_product": r"chu luc|dac trung|key product|signature|flagship",
    "management_system": r"he thong quan ly|management system|iso",
    "traceability": r"truy xuat|traceab",
    "gap": r"\bgap\b|vietgap|globalgap|nong nghiep tot|good agricultural",
    "organic": r"huu co|organic",
    "green": r"chuyen doi xanh|\bxanh\b|green",
    "digital": r"chuyen doi so|digital",
    "productivity": r"nang suat|productivity|cai tien|lean|kaizen|5s",
    "pilot_model": r"mo hinh diem|pilot|showcase|demonstration model|model enterprise",
    "training": r"dao tao|tap huan|training|course",
    "export": r"xuat khau|export",
}


class Composer(SearchIntents):
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
        if q.has(NEGATION) and q.role == "lead":
            agency_id = q.agencies[0]
            others = [t for t in self.kb.tasks.values() if t.lead != agency_id]
            name = self.kb.agency_names([agency_id], q.lang)[0]
            head = (
                f"Tasks not led by {name} ({len(others)})"
                if q.lang == "en"
                else f"Nhiệm vụ không do {name} chủ trì ({len(others)})"
            )
            records.task_list(d, self.kb, others, head)
            return True
        for agency_id in q.agencies[:2]:
            name = self.kb.agency_names([agency_id], q.lang)[0]
            listings = (
                (
                    "lead",
                    self.kb.tasks_led_by(agency_id),
                    "Tasks led by {name} ({n})",
                    "Nhiệm vụ do {name} chủ trì ({n})",
                ),
                (
                    "partner",
                    self.kb.tasks_partnered_by(agency_id),
                    "Tasks {name} coordinates ({n})",
                    "Nhiệm vụ {name} phối hợp ({n})",
                ),
            )
            for role, found, en, vi in listings:
                if q.role in ("lead", "partner") and q.role != role:
                    continue  # "who leads" lists only what it leads, and so on
                head = (en if q.lang == "en" else vi).format(name=name, n=len(found))
                records.task_list(d, self.kb, found, head)
            agency = self.kb.agencies[agency_id]
            if agency.member_of and not (
                self.kb.tasks_led_by(agency_id) or self.kb.tasks_partnered_by(agency_id)
            ):
                records.agency_card(d, self.kb, agency_id, q.role)
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
        if not (q.agencies or q.has(REPORT) or re.search(r"\b30\b", q.plain)):
            # a deadline the plan does not set (applications, other years): say which it sets
            d.text(
                "The plan sets no such deadline. The deadlines it does set:"
                if q.lang == "en"
                else "Kế hoạch không đặt thời hạn này. Các thời hạn Kế hoạch có nêu:"
            )
            for x in self.kb.deadlines.values():
                d.item(x.title_en if q.lang == "en" else x.title_vi)
            return False
        chosen = [
            x
            for x in self.kb.deadlines.values()
            if q.agencies and any(a in x.who or a in x.to for a in q.agencies)
        ]
        # an agency that sends a report comes before one that only receives it
        chosen.sort(key=lambda x: not any(a in x.who for a in q.agencies))
        if not chosen:
            chosen = [x for x in self.kb.deadlines.values() if x.month and x.day]
        for deadline in chosen[:2]:
            records.deadline_card(d, self.kb, deadline, today)
        return bool(chosen)

    def _on_targets(self, q: Query, d: Draft, today: dt.date) -> bool:
        if q.has(ORIENTATION):
            return self._quote_section(d, "II.3")
        if re.search(r"muc tieu chung|general (objective|goal)|overall (objective|goal)", q.plain):
            return self._quote_section(d, "II.1")
        targets = self._best_targets(q)
        d.title(
            "Specific targets by 2030 (section II.2)"
            if q.lang == "en"
            else "Mục tiêu cụ thể đến năm 2030 (mục II.2)"
        )
        records.targets_block(d, self.kb, targets)
        return True

    def _on_support(self, q: Query, d: Draft, today: dt.date) -> bool:
        tags = {tag for tag, cue in TAG_CUES.items() if re.search(cue, q.plain)}
        ranked = self._ranked(q, "support")
        programmes = [p for p in self.kb.programmes.values() if tags & set(p.for_tags)]
        programmes.sort(key=lambda p: ranked.get(f"support:{p.id}", 99))
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
        if q.role == "lead":  # "who arranges the money" asks for an agency, not the sources
            kind, ref = self._subject_from_hits(self.searcher.search(q.text, q.lang, k=8))
            if kind == "agency":
                records.agency_card(d, self.kb, ref, None)
                return True
        en = q.lang == "en"
        d.title("Funding sources (section IV)" if en else "Nguồn kinh phí thực hiện (mục IV)")
        for src in self.kb.funding.sources:
            d.item(src.title_en if en else self.kb.section_text(src.section))
            d.source(f"funding:{src.id}", src.title_vi, "knowledge/funding.yaml")
        for rule in self.kb.funding.rules:
            d.note(rule.title_en if en else self.kb.section_text(rule.section))
            d.source(
                f"plan:{rule.section}", f"Kế hoạch, mục {rule.section}", "knowledge/plan/body.md"
            )
        d.source("plan:IV", "Kế hoạch, mục IV", "knowledge/plan/body.md")
        return True

    def _on_document(self, q: Query, d: Draft, today: dt.date) -> bool:
        """A question about a cited document number: the legal basis, or the passages citing it."""
        match = DOC_NUMBER.search(q.plain)
        number = re.sub(r"\s+", "", match.group(1)) if match else ""
        en = q.lang == "en"
        for lb in self.kb.plan.legal_bases:
            if lb.number and fold_plain(lb.number) == number:
                d.title(lb.text_vi)
                issuer = (lb.issuer_en or lb.issuer_vi) if en else lb.issuer_vi
                if issuer:
                    d.item(f"{'Issued by' if en else 'Cơ quan ban hành'}: {issuer}")
                if lb.date:
                    d.item(f"{'Date' if en else 'Ngày'}: {lb.date.strftime('%d/%m/%Y')}")
                d.item(
                    f"{'Subject' if en else 'Về việc'}: {lb.subject_en if en else lb.subject_vi}"
                )
                d.source(f"legal:{lb.id}", lb.text_vi, "knowledge/plan.yaml")
                return True
        citing = [
            c
            for c in self.searcher.chunks
            if c.kind in ("plan", "task") and number in fold_plain(c.text).replace(" ", "")
        ]
        for chunk in citing[:2]:
            d.title(chunk.title(q.lang))
            d.quote(chunk.quote_vi)
            d.source(chunk.id, chunk.title_vi, chunk.file)
        return bool(citing) or self._on_free(q, d, today)

    def _on_meta(self, q: Query, d: Draft, today: dt.date) -> bool:
        plan = self.kb.plan
        en = q.lang == "en"
        legal = q.has(LEGAL) or not q.has(SIGNER)
        if not legal:
            d.source("meta:plan", plan.title_vi, "knowledge/plan.yaml")
        d.title(plan.title_en if en else plan.title_vi)
        d.item(
            f"{'Issued by' if en else 'Cơ quan ban hành'}: "
            f"{self.kb.agency_names([plan.issuer], q.lang)[0]}"
        )
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
        if not legal:
            return True
        d.text("Legal bases:" if en else "Căn cứ pháp lý:")
        ranked = self._ranked(q, "legal")
        for lb in sorted(plan.legal_bases, key=lambda b: ranked.get(f"legal:{b.id}", 99)):
            number = f" ({lb.number})" if lb.number and lb.number not in lb.text_vi else ""
            issuer = f" — {lb.issuer_vi}" if lb.issuer_vi and lb.issuer_vi not in lb.text_vi else ""
            d.item(lb.text_vi + number + issuer)
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

    def _on_task_list(self, q: Query, d: Draft, today: dt.date) -> bool:
        tasks = list(self.kb.tasks.values())
        head = "The plan's tasks" if q.lang == "en" else "Các nhiệm vụ của Kế hoạch"
        records.task_list(d, self.kb, tasks, f"{head} ({len(tasks)})")
        return True

    def _on_group(self, q: Query, d: Draft, today: dt.date) -> bool:
        group = self.kb.groups[q.group or ""]
        tasks = [t for t in self.kb.tasks.values() if t.group == group.id]
        title = group.title_en if q.lang == "en" else group.title_vi
        head = f"{'Group' if q.lang == 'en' else 'Nhóm'} {group.id}. {title} ({len(tasks)})"
        records.task_list(d, self.kb, tasks, head)
        section = tasks[0].section if tasks else None
        if section:
            d.source(f"plan:{section}", f"Kế hoạch, mục {section}", "knowledge/plan/body.md")
        return True

    def _on_section(self, q: Query, d: Draft, today: dt.date) -> bool:
        if q.group and not q.section:
            return self._on_group(q, d, today)
        return self._quote_section(d, q.section or "")

    def _on_agency_list(self, q: Query, d: Draft, today: dt.date) -> bool:
        en = q.lang == "en"
        d.title("Responsibilities under section V" if en else "Trách nhiệm theo mục V")
        d.source("plan:V", "Kế hoạch, mục V", "knowledge/plan/body.md")
        for agency in self.kb.agencies.values():
            if not agency.duties:
                continue
            name = f"{agency.name_en} ({agency.name_vi})" if en else agency.name_vi
            sections = ", ".join(x.section for x in agency.duties)
            d.item(f"{name}: " + (agency.duties[0].summary_en if en else sections))
            d.source(f"agency:{agency.id}", agency.name_vi, "knowledge/agencies.yaml")
        return True

    # --- helpers ------------------------------------------------------------------------


def finish(q: Query, d: Draft, confident: bool) -> Answer:
    """Wrap a draft into the Answer to a question."""
    return d.answer(q.text, q.intent.value, confident)
