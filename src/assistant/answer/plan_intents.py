"""Answers about the plan itself and its money: funding, documents, metadata, contact, amounts."""

from __future__ import annotations

import datetime as dt

from assistant.answer import records
from assistant.answer.draft import Draft
from assistant.answer.labels import day_text
from assistant.answer.search_intents import SearchIntents
from assistant.nlu.entities import doc_key
from assistant.nlu.query import Query


class PlanIntents(SearchIntents):
    """The intents of Composer answered from plan.yaml, funding.yaml and agencies.yaml."""

    def _on_funding(self, q: Query, d: Draft, today: dt.date) -> bool:
        if q.role == "lead" or "agency" in q.asks:
            # "who arranges the money" asks for an agency, not the sources
            owner = self._duty_owner(q)
            if owner is not None:
                records.agency_card(d, self.kb, owner, None)
                return True
        en = q.lang == "en"
        shown = self.kb.funding.sources + self.kb.funding.rules
        own = frozenset(f"plan:{x.section}" for x in shown) | {"plan:IV"}
        passage = self._passage_over_records(q, ("funding",), own)
        if passage is not None:  # a paragraph that says it better than the list of sources
            self._passages(q, d, [passage], force=True)
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

    def _on_document(self, q: Query, d: Draft, today: dt.date) -> bool | None:
        """A cited document: its legal-basis card, the passages citing it, or the legal bases."""
        numbers = q.entities.documents
        if not numbers:
            if not self._relevant(q, self._search(q, 8)):
                return None  # nothing in the question points at the plan's documents
            passage = self._passage_over_records(q, ("legal", "meta"))
            if passage is not None:  # "which laws govern the budget estimates" (IV.e)
                return self._passages(q, d, [passage], force=True)
            return self._legal_bases(q, d, best_only=True)
        number = numbers[0]
        en = q.lang == "en"
        for lb in self.kb.plan.legal_bases:
            if lb.number and doc_key(lb.number) == number:
                d.title(lb.text_vi)
                d.item(f"{'Number' if en else 'Số hiệu'}: {lb.number}")
                issuer = (lb.issuer_en or lb.issuer_vi) if en else lb.issuer_vi
                if issuer:
                    d.item(f"{'Issued by' if en else 'Cơ quan ban hành'}: {issuer}")
                if lb.date:
                    d.item(f"{'Date' if en else 'Ngày'}: {day_text(lb.date)}")
                d.item(
                    f"{'Subject' if en else 'Về việc'}: {lb.subject_en if en else lb.subject_vi}"
                )
                d.source(f"legal:{lb.id}", lb.text_vi, "knowledge/plan.yaml")
                return True
        citing = [c for c in self.searcher.chunks if number in doc_key(c.text)]
        for chunk in citing[:2]:
            d.title(chunk.title(q.lang))
            d.quote(chunk.quote_vi)
            d.source(chunk.id, chunk.title_vi, chunk.file)
        return True if citing else None

    def _on_meta(self, q: Query, d: Draft, today: dt.date) -> bool:
        plan = self.kb.plan
        en = q.lang == "en"
        legal = not q.asks_signer
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
        if "recipients" in q.asks and plan.recipients:
            d.item(f"{'Recipients' if en else 'Nơi nhận'}: {'; '.join(plan.recipients)}")
        if "number_date" in q.asks and (plan.number is None or plan.day is None):
            return False  # the exact number and day are blank in the copy we hold: say so
        if not legal:
            return True
        self._legal_bases(q, d)
        d.source("meta:plan", plan.title_vi, "knowledge/plan.yaml")
        return True

    def _legal_bases(self, q: Query, d: Draft, best_only: bool = False) -> bool:
        """The plan's legal bases, the one the question fits best first (or alone)."""
        en = q.lang == "en"
        ranked = self._ranked(q, "legal")
        bases = sorted(self.kb.plan.legal_bases, key=lambda b: ranked.get(f"legal:{b.id}", 99))
        if best_only and not q.wants_list and bases:
            lb = bases[0]
            d.title(lb.text_vi)
            if lb.number:
                d.item(f"{'Number' if en else 'Số hiệu'}: {lb.number}")
            if lb.date:
                d.item(f"{'Date' if en else 'Ngày'}: {day_text(lb.date)}")
            issuer = (lb.issuer_en or lb.issuer_vi) if en else lb.issuer_vi
            if issuer:
                d.item(f"{'Issued by' if en else 'Cơ quan ban hành'}: {issuer}")
            d.item(f"{'Subject' if en else 'Về việc'}: {lb.subject_en if en else lb.subject_vi}")
            d.source(f"legal:{lb.id}", lb.text_vi, "knowledge/plan.yaml")
            bases = bases[1:]
        d.text("Legal bases:" if en else "Căn cứ pháp lý:")
        for lb in bases:
            number = f" ({lb.number})" if lb.number and lb.number not in lb.text_vi else ""
            issuer = f" — {lb.issuer_vi}" if lb.issuer_vi and lb.issuer_vi not in lb.text_vi else ""
            d.item(lb.text_vi + number + issuer)
            d.source(f"legal:{lb.id}", lb.text_vi, "knowledge/plan.yaml")
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
        if not found and "person" in q.asks:
            d.text(
                "The plan names no office holders other than its signer; the assistant does "
                "not hold who heads an agency now."
                if q.lang == "en"
                else "Kế hoạch không nêu tên người đứng đầu các cơ quan (ngoài người ký Kế hoạch); "
                "Trợ lý không có thông tin ai đang giữ chức vụ."
            )
        elif not found:
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
