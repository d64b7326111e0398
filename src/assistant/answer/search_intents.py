"""Answers that need retrieval: free questions, TBT guidance, measures, and declining."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from assistant.answer import records
from assistant.answer.checklist import checklist, who_to_ask
from assistant.answer.draft import Draft
from assistant.answer.labels import label
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.coverage import ProductCoverage
from assistant.knowledge.models import Measure, Target
from assistant.nlu.query import Query
from assistant.retrieve import Hit, Searcher
from assistant.text import fold_plain

# A free question is answered when it uses the plan's vocabulary (a domain cue, an agency or a
# task) and its best passage is reasonably close; without that vocabulary only a very close
# passage that shares most of the question's words will do. e5 cosines are compressed (an
# unrelated question still scores about 0.8), so the vocabulary test carries most of the weight.
MIN_DENSE_IN_DOMAIN = 0.78
MIN_DENSE = 0.88
MIN_WORD_SHARE = 0.6
PASSAGE_MARGIN = 0.15  # fused-score lead of a plan paragraph over the records a route shows
LEXICAL_LEAD = 1.5  # an in-domain best passage sharing this many times the words of any other
UNRANKED = 10**6  # the rank of a record the ranking did not reach


class SearchIntents:
    """The intents of Composer that rank chunks for the question."""

    kb: KnowledgeBase
    searcher: Searcher
    product_coverage: ProductCoverage

    @cached_property
    def duty_owners(self) -> dict[str, str]:
        """Each section V duty paragraph's chunk id ("plan:V.2") and the agency that owns it."""
        return {f"plan:{x.section}": a.id for a in self.kb.agencies.values() for x in a.duties}

    def _search(self, q: Query, k: int) -> list[Hit]:
        """The top-k chunks for the question, reusing the vector understanding computed.

        Every chunk is ranked once per question and kept on it: a search for k is the first k
        of that ranking (fusion does not depend on k), so handlers that look several times
        (measures, support, targets) pay for one retrieval.
        """
        if q.ranked_hits is None:
            q.ranked_hits = self.searcher.search(
                q.text, q.lang, k=len(self.searcher.chunks), vector=q.vector
            )
        return q.ranked_hits[:k]

    def _on_tbt(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = [
            h
            for h in self._search(q, 8)
            if h.chunk.kind in ("tbt", "task", "plan", "measure", "target")
        ]
        if not q.about_plan:
            # a TBT question that does not ask about the province's plan: guidance first
            hits.sort(key=lambda h: h.chunk.kind != "tbt")
        if q.define and len(q.text.split()) <= 6:
            # "what is TBT" wants the basic definition before any detail, wherever it ranks
            basics = {f"tbt:{e.id}" for e in self.kb.guidance.values() if e.topic == "basics"}
            ranked = self._search(q, len(self.searcher.chunks))
            first = [h for h in ranked if h.chunk.id in basics][:1]
            hits = first + [h for h in hits if h not in first]
        if "agency" in q.asks and not q.agencies:
            task = self._task_before_duties(q, self._search(q, 8))
            if task is not None:  # "whose job is sharing TBT information": the task's lead
                records.task_card(d, self.kb, self.kb.tasks[task])
        # TBT vocabulary makes the best passage worth showing; without it, evidence decides
        shown = self._passages(q, d, hits, force=q.in_domain)
        if "agency" in q.asks and not q.agencies and not q.about_plan:
            who_to_ask(d, self.kb)  # "whom do exporters ask about TBT": the enquiry points
        return shown

    def _on_measure(self, q: Query, d: Draft, today: dt.date) -> bool | None:
        e = q.entities
        named = [self.kb.measures[m] for m in e.measures]
        set_aside = set(e.excluded.get("measures", [])) | set(e.excluded.get("markets", []))
        if not (named or q.products or q.markets or set_aside or e.countries):
            return None  # no product, market or measure named: retrieval decides
        if not (named or q.products or q.in_domain):
            return None  # a market and nothing of trade rules ("visa fee for Japan")
        if not named and (refused := self._outside_database(q)):
            d.text(refused)
            return False
        ranked = self._ranked(q, "measure")
        kept = [
            m
            for m in self.matching_measures(q.products, q.markets)
            if m.id not in set_aside and m.market not in set_aside
        ]
        # a measure for every product (packaging, pallets) never stands in for the product's own
        specific = [m for m in kept if not m.all_products]
        horizontal = [m for m in kept if m.all_products]
        if not specific and q.products and q.markets:
            # no measure names the product: the market's measures closest to the question
            closest = [
                m
                for m in self.matching_measures([], q.markets)
                if m.id not in set_aside
                and not m.all_products
                and ranked.get(f"measure:{m.id}", 99) < 2
            ]
            specific = closest if self._relevant(q, self._search(q, 8)) else []
        specific.sort(key=lambda m: ranked.get(f"measure:{m.id}", 99))
        horizontal.sort(key=lambda m: ranked.get(f"measure:{m.id}", 99))
        measures = named or [*specific, *horizontal]
        en = q.lang == "en"
        products = ", ".join(
            self.kb.products[p].name_en if en else self.kb.products[p].name_vi for p in q.products
        )
        markets = ", ".join(self.kb.market_name(m, q.lang) for m in q.markets)
        scope = " — ".join(x for x in (products, markets) if x)
        for country in e.countries:  # "sang Đức": the EU's measures, and why
            place = self.kb.countries[country]
            if place.market in q.markets and not named:
                market = self.kb.market_name(place.market, q.lang)
                d.text(
                    f"{_capital(place.name('en'))} applies the rules of the {market}."
                    if en
                    else f"{place.name('vi')} áp dụng quy định của {market}."
                )
        if named:
            for m in named:
                records.measure_card(d, self.kb, m, today, True)
            if "agency" in q.asks:  # "whom do I ask about EUDR"
                who_to_ask(d, self.kb)
        elif measures and (q.asks or "timeframe" in q.aspects):
            # a fact about the measures (a date, a code): each one's card, the product's first
            d.text(
                f"Measures in our database for {scope}:"
                if en
                else f"Các biện pháp trong cơ sở dữ liệu cho {scope}:"
            )
            for m in measures[:6]:
                records.measure_card(d, self.kb, m, today)
            if "agency" in q.asks:  # "hỏi ai về quy định sầu riêng sang Trung Quốc"
                who_to_ask(d, self.kb)
        elif measures:  # what an exporter must meet: the checklist
            # "Exporting coffee — Japan", or with no product "Exporting to Japan"
            exporting = scope if products else f"{'to' if en else 'sang'} {markets}"
            checklist(d, self.kb, exporting, specific, horizontal, today)
        else:
            d.text(
                f"Our database has no measure recorded for {scope} yet."
                if en
                else f"Cơ sở dữ liệu chưa có biện pháp nào cho {scope}."
            )
        if "export" in q.support_tags and not named:  # the province's help comes after
            for p in self.kb.programmes.values():
                if "export" in p.for_tags:
                    records.programme_card(d, self.kb, p)
        untracked = self.kb.untracked_countries(e.countries)
        if untracked and q.markets and not named:  # "sang Úc và EU": only the EU is followed
            names = ", ".join(c.name(q.lang) for c in untracked)
            d.note(
                f"Our database does not follow {names} yet."
                if en
                else f"Cơ sở dữ liệu chưa theo dõi thị trường {names}."
            )
        if "symbol" in q.asks and measures and not any(m.symbol for m in measures[:6]):
            d.note(
                "No WTO notification symbol is recorded for this measure."
                if en
                else "Cơ sở dữ liệu chưa ghi ký hiệu thông báo WTO cho biện pháp này."
            )
            return False
        guide = [h for h in self._search(q, 12) if h.chunk.kind == "tbt"]
        if guide:
            hit = guide[0]
            d.title(hit.chunk.title(q.lang))
            d.text(hit.chunk.quote_en if en and hit.chunk.quote_en else hit.chunk.quote_vi)
            d.note(f"{label('source', q.lang)}: {hit.chunk.cite}")
            d.source(hit.chunk.id, hit.chunk.title_vi, hit.chunk.file, round(hit.score, 4))
        return bool(measures)

    def _outside_database(self, q: Query) -> str | None:
        """What the barrier database cannot say: tariffs and prices, or an untracked market."""
        en = q.lang == "en"
        if "trade_terms" in q.asks:
            return (
                "Our database holds technical and sanitary measures, not tariffs, prices, "
                "exchange rates, quotas, trade statistics or lists of buyers."
                if en
                else "Cơ sở dữ liệu chỉ có các biện pháp kỹ thuật và vệ sinh dịch tễ, không có "
                "thuế suất, giá, tỷ giá, hạn ngạch, số liệu thống kê thương mại hay danh sách "
                "đối tác mua hàng."
            )
        if q.entities.countries and not q.markets:
            names = ", ".join(self.kb.market_name(m, q.lang) for m in self.kb.markets)
            asked = ", ".join(self.kb.countries[c].name(q.lang) for c in q.entities.countries)
            return (
                f"Our database does not follow {asked} yet; it follows: {names}."
                if en
                else f"Cơ sở dữ liệu chưa theo dõi thị trường {asked}; hiện có: {names}."
            )
        return None

    def matching_measures(self, products: list[str], markets: list[str]) -> list[Measure]:
        """Measures for any of the products in any of the markets (either may be empty)."""
        pool = (
            [m for market in markets for m in self.measures_by_market.get(market, [])]
            if markets
            else list(self.kb.measures.values())
        )
        if not products:
            return pool
        covered = set().union(*(self.coverage.get(p, set()) for p in products))
        return [m for m in pool if m.all_products or m.id in covered]

    @cached_property
    def measures_by_market(self) -> dict[str, list[Measure]]:
        """The measures of each market, in file order (computed once per knowledge)."""
        out: dict[str, list[Measure]] = {}
        for m in self.kb.measures.values():
            out.setdefault(m.market, []).append(m)
        return out

    @cached_property
    def coverage(self) -> dict[str, set[str]]:
        """Product id -> the measures that concern it (computed once per knowledge)."""
        return self.product_coverage.by_product(self.kb.measures.values())

    def _on_free(self, q: Query, d: Draft, today: dt.date) -> bool:
        hits = self._search(q, 8)
        if (q.role in ("lead", "partner") or q.timeframe or q.agencies) and self._relevant(q, hits):
            kind, ref = self._subject_from_hits(hits)
            if kind == "task":
                records.task_card(d, self.kb, self.kb.tasks[ref])
                return True
            if kind == "agency":
                records.agency_card(d, self.kb, ref, None)
                return True
        return self._passages(q, d, hits)

    def _subject_from_hits(
        self, hits: list[Hit], tasks_only: bool = False
    ) -> tuple[str | None, str]:
        """The task or agency the best hits are about, if they agree on one."""
        task_rank = {h.chunk.id: i for i, h in enumerate(hits) if h.chunk.kind == "task"}
        for hit in hits[:3]:
            kind, ref = hit.chunk.id.split(":", 1)
            if tasks_only and kind == "plan" and (task := self._task_of_paragraph(ref, task_rank)):
                return "task", task
            if tasks_only and kind in ("agency", "plan"):
                continue
            if kind == "task":
                return "task", ref
            if kind == "target":
                return "task", self.kb.targets[ref].tasks[0]
            if kind == "support" and self.kb.programmes[ref].task:
                return "task", self.kb.programmes[ref].task or ""
            if kind == "agency":
                return "agency", ref
            if hit.chunk.id in self.duty_owners:
                return "agency", self.duty_owners[hit.chunk.id]
        return None, ""

    def _task_before_duties(self, q: Query, hits: list[Hit]) -> str | None:
        """The task whose activity fits a "which agency does X" question better than any duty.

        Section V gives agencies duties; section III and the appendix give tasks activities
        with a lead agency. When a task or a paragraph of its section ranks above every duty
        paragraph and agency record, the question names an activity: its task answers it.
        """
        if q.agencies and "agency" not in q.asks:
            return None  # the question names its agency ("what does the DOST lead")

        def is_duty(h: Hit) -> bool:
            return h.chunk.kind == "agency" or h.chunk.id in self.duty_owners

        first_duty = next((i for i, h in enumerate(hits) if is_duty(h)), len(hits))
        kind, ref = self._subject_from_hits(hits[:first_duty], tasks_only=True)
        return ref if kind == "task" else None

    def _duty_owner(self, q: Query) -> str | None:
        """The agency whose section-V duty paragraph is closest to the question, by meaning."""
        if q.vector is None:
            return None
        owners = self.duty_owners
        rows = [i for i, c in enumerate(self.searcher.chunks) if c.id in owners]
        if not rows:
            return None
        # fuse the meaning-only order of the duty paragraphs with the hybrid (words too) order
        dense = self.searcher.stored.vectors[rows] @ q.vector
        by_meaning = {self.searcher.chunks[rows[i]].id: r for r, i in enumerate((-dense).argsort())}
        hybrid = [h.chunk.id for h in self._search(q, len(self.searcher.chunks))]
        by_words = {cid: r for r, cid in enumerate(c for c in hybrid if c in owners)}
        best = min(
            owners, key=lambda c: -(1 / (60 + by_meaning[c]) + 1 / (60 + by_words.get(c, 99)))
        )
        return owners[best]

    def _task_of_paragraph(
        self, paragraph: str, task_rank: dict[str, int] | None = None
    ) -> str | None:
        """The task whose plan section holds a paragraph (III.4.d belongs to the task of III.4).

        Several tasks may share a section (2.1 to 2.3 are all III.2): then the one whose own
        record ranks best for the question (`task_rank`, chunk id to rank) is taken.
        """
        inside = [
            t
            for t in self.kb.tasks.values()
            if paragraph == t.section or paragraph.startswith(t.section + ".")
        ]
        if not inside:
            return None
        deepest = max(len(t.section) for t in inside)
        inside = [t for t in inside if len(t.section) == deepest]
        ranks = task_rank or {}
        return min(inside, key=lambda t: ranks.get(f"task:{t.id}", UNRANKED)).id

    def _ranked(self, q: Query, kind: str) -> dict[str, int]:
        """Rank of each chunk of one kind for the question (0 is best)."""
        hits = self._search(q, len(self.searcher.chunks))
        ids = [h.chunk.id for h in hits if h.chunk.kind == kind]
        return {chunk_id: i for i, chunk_id in enumerate(ids)}

    def _best_targets(self, q: Query) -> list[Target]:
        """The target a question is about, or all of them when it names none in particular."""
        hits = [h for h in self._search(q, len(self.searcher.chunks)) if h.chunk.kind == "target"]
        numbers = set(q.entities.numbers)
        by_number = [t for t in self.kb.targets.values() if t.value in numbers]
        if by_number:
            return by_number
        of_tasks = [t for t in self.kb.targets.values() if set(t.tasks) & set(q.task_ids)]
        if of_tasks:  # "and the target?" of a task: the targets the task serves
            return of_tasks
        if q.wants_list or not hits:
            return list(self.kb.targets.values())
        top = hits[0]
        runner_up = hits[1].lexical if len(hits) > 1 else 0.0
        if top.lexical > 0 and top.lexical >= 1.3 * runner_up:
            return [self.kb.targets[top.chunk.id.split(":", 1)[1]]]
        return list(self.kb.targets.values())

    def _passage_over_records(
        self, q: Query, kinds: tuple[str, ...], own: frozenset[str] = frozenset()
    ) -> Hit | None:
        """The plan paragraph that fits the question clearly better than any record of `kinds`.

        A question routed to records ("what support …") may ask what only a paragraph says
        ("does the plan mention integrating central programmes"): then the best hit is a plan
        paragraph, ahead of the best record by a clear margin of the fused score. `own` are
        paragraphs the records already show (an agency's duties).
        """
        hits = self._search(q, 8)
        if not hits or hits[0].chunk.kind != "plan" or hits[0].chunk.id in own:
            return None
        if not self._relevant(q, hits):
            return None
        best_record = max(
            (h.score for h in hits if h.chunk.kind in kinds or h.chunk.id in own), default=0.0
        )
        return hits[0] if hits[0].score - best_record >= PASSAGE_MARGIN else None

    def _relevant(self, q: Query, hits: list[Hit]) -> bool:
        if not hits:
            return False
        top = hits[0]
        words = self.searcher.bm25.pick(not q.marked).known(q.text)
        asked = [w for w in fold_plain(q.text).split() if len(w) > 1]
        share = len([w for w in words if "_" not in w]) / max(1, len(asked))
        if q.in_domain:
            # close in meaning, or singled out by the question's words: unmarked Vietnamese
            # compresses cosines, and then the words are the evidence
            runner_up = max((h.lexical for h in hits[1:]), default=0.0)
            singled_out = top.lexical > 0 and top.lexical >= LEXICAL_LEAD * runner_up
            return top.dense >= MIN_DENSE_IN_DOMAIN or singled_out
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


def _capital(name: str) -> str:
    """A name at the start of a sentence: "the Netherlands" -> "The Netherlands"."""
    return name[:1].upper() + name[1:]


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
