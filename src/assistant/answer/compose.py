"""Turn an understood question into an Answer: exact records first, passages otherwise."""

from __future__ import annotations

import datetime as dt
import re

from assistant.answer import records
from assistant.answer.draft import Draft
from assistant.answer.labels import label
from assistant.answer.models import Answer
from assistant.answer.render import render_text
from assistant.chunks import MARKETS
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Measure, Product, Target
from assistant.retrieve import Hit, Searcher
from assistant.text import fold_plain
from assistant.understand import (
    DEFINE,
    DOC_NUMBER,
    DOMAIN,
    LEGAL,
    NEGATION,
    ORIENTATION,
    PERIOD,
    REPORT,
    SIGNER,
    SUPPORT,
    Intent,
    Query,
)

# A free question is answered when it uses the plan's vocabulary (a domain cue, an agency or a
# task) and its best passage is reasonably close; without that vocabulary only a very close
# passage that shares most of the question's words will do. e5 cosines are compressed (an
# unrelated question still scores about 0.8), so the vocabulary test carries most of the weight.
MIN_DENSE_IN_DOMAIN = 0.78
MIN_DENSE = 0.88
MIN_WORD_SHARE = 0.6

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

    def _on_tbt(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = [
            h
            for h in self.searcher.search(q.text, q.lang, k=8)
            if h.chunk.kind in ("tbt", "task", "plan", "measure", "target")
        ]
        if q.has(DEFINE) and len(q.plain.split()) <= 6:
            # "what is TBT" wants the basic definition before any detail
            basics = {f"tbt:{e.id}" for e in self.kb.guidance.values() if e.topic == "basics"}
            hits.sort(key=lambda h: h.chunk.id not in basics)
        return self._passages(q, d, hits, force=True)

    def _on_measure(self, q: Query, d: Draft, today: dt.date) -> bool:
        measures = self.matching_measures(q.products, q.markets)
        en = q.lang == "en"
        products = ", ".join(
            self.kb.products[p].name_en if en else self.kb.products[p].name_vi for p in q.products
        )
        markets = ", ".join(MARKETS[m][1 if en else 0] for m in q.markets)
        scope = " — ".join(x for x in (products, markets) if x)
        if q.has(SUPPORT):
            for p in self.kb.programmes.values():
                if "export" in p.for_tags:
                    records.programme_card(d, self.kb, p)
        if measures:
            d.text(
                f"Measures in our database for {scope}:"
                if en
                else f"Các biện pháp trong cơ sở dữ liệu cho {scope}:"
            )
            for m in measures[:6]:
                records.measure_card(d, m, MARKETS[m.market][1 if en else 0])
        else:
            d.text(
                f"Our database has no measure recorded for {scope} yet."
                if en
                else f"Cơ sở dữ liệu chưa có biện pháp nào cho {scope}."
            )
        guide = [h for h in self.searcher.search(q.text, q.lang, k=12) if h.chunk.kind == "tbt"]
        if guide:
            hit = guide[0]
            d.title(hit.chunk.title(q.lang))
            d.text(hit.chunk.quote_en if en and hit.chunk.quote_en else hit.chunk.quote_vi)
            d.note(f"{label('source', q.lang)}: {hit.chunk.cite}")
            d.source(hit.chunk.id, hit.chunk.title_vi, hit.chunk.file, round(hit.score, 4))
        return bool(measures)

    def matching_measures(self, products: list[str], markets: list[str]) -> list[Measure]:
        """Measures for any of the products in any of the markets (either may be empty)."""
        out = []
        for m in self.kb.measures.values():
            if markets and m.market not in markets:
                continue
            if products and not any(self._covers(m, self.kb.products[p]) for p in products):
                continue
            out.append(m)
        return out

    @staticmethod
    def _covers(measure: Measure, product: Product) -> bool:
        codes = [(a, b) for a in measure.hs_codes for b in product.hs_codes]
        if any(a.startswith(b) or b.startswith(a) for a, b in codes):
            return True
        text = f" {fold_plain(measure.products + ' ' + measure.title)} "
        names = [product.name_vi, product.name_en, *product.aliases]
        return any(f" {fold_plain(n)} " in text for n in names if len(n) > 2)

    def _on_free(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = self.searcher.search(q.text, q.lang, k=8)
        if (q.role in ("lead", "partner") or q.timeframe or q.agencies) and self._relevant(q, hits):
            kind, ref = self._subject_from_hits(hits)
            if kind == "task":
                records.task_card(d, self.kb, self.kb.tasks[ref])
                return True
            if kind == "agency":
                records.agency_card(d, self.kb, ref, None)
                return True
        return self._passages(q, d, hits)

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
    def _subject_from_hits(self, hits: list[Hit]) -> tuple[str | None, str]:
        """The task or agency the best hits are about, if they agree on one."""
        owners = {d.section: a.id for a in self.kb.agencies.values() for d in a.duties}
        for hit in hits[:3]:
            kind, ref = hit.chunk.id.split(":", 1)
            if kind == "task":
                return "task", ref
            if kind == "target":
                return "task", self.kb.targets[ref].tasks[0]
            if kind == "support" and self.kb.programmes[ref].task:
                return "task", self.kb.programmes[ref].task or ""
            if kind == "agency":
                return "agency", ref
            if kind == "plan" and ref in owners:
                return "agency", owners[ref]
        return None, ""

    def _ranked(self, q: Query, kind: str) -> dict[str, int]:
        """Rank of each chunk of one kind for the question (0 is best)."""
        hits = self.searcher.search(q.text, q.lang, k=len(self.searcher.chunks))
        ids = [h.chunk.id for h in hits if h.chunk.kind == kind]
        return {chunk_id: i for i, chunk_id in enumerate(ids)}

    def _best_targets(self, q: Query) -> list[Target]:
        """The target a question is about, or all of them when it names none in particular."""
        hits = [
            h
            for h in self.searcher.search(q.text, q.lang, k=len(self.searcher.chunks))
            if h.chunk.kind == "target"
        ]
        numbers = {int(n) for n in re.findall(r"(?<![\d.])(\d{1,3})(?![\d.])", q.plain)}
        by_number = [t for t in self.kb.targets.values() if t.value in numbers]
        if by_number:
            return by_number
        if q.wants_list or not hits:
            return list(self.kb.targets.values())
        top = hits[0]
        runner_up = hits[1].lexical if len(hits) > 1 else 0.0
        if top.lexical > 0 and top.lexical >= 1.3 * runner_up:
            return [self.kb.targets[top.chunk.id.split(":", 1)[1]]]
        return list(self.kb.targets.values())

    def _relevant(self, q: Query, hits: list[Hit]) -> bool:
        if not hits:
            return False
        top = hits[0]
        words = self.searcher.bm25.pick(not q.marked).known(q.text)
        asked = [w for w in fold_plain(q.text).split() if len(w) > 1]
        share = len([w for w in words if "_" not in w]) / max(1, len(asked))
        if q.has(DOMAIN) or q.agencies or q.task_ids:
            return top.dense >= MIN_DENSE_IN_DOMAIN
        return top.dense >= MIN_DENSE and share >= MIN_WORD_SHARE

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
        d.source(f"plan:{section}", f"Kế hoạch, mục {section}", "knowledge/plan/body.md")
        children = [s for s in self.kb.body.sections if s.id.startswith(section + ".")]
        for child in children:
            d.item(f"{child.id}. {child.title}")
            d.source(f"plan:{child.id}", f"Kế hoạch, mục {child.id}", "knowledge/plan/body.md")
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
