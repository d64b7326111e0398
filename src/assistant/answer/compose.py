"""Turn an understood question into an Answer: exact records first, passages otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from assistant.answer import records
from assistant.answer.draft import Draft
from assistant.answer.labels import EXAMPLES
from assistant.answer.models import Answer
from assistant.answer.plan_intents import PlanIntents
from assistant.answer.search_intents import decline
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.coverage import ProductCoverage
from assistant.nlu.query import Intent, Query
from assistant.nlu.understand import CONFIDENT
from assistant.retrieve import Searcher

# A handler writes into the draft and says whether it answered (True), declined (False), or
# found nothing for the records it was routed to (None): then retrieval answers instead.
Handler = Callable[["Composer", Query, Draft, dt.date], bool | None]


class Composer(PlanIntents):
    """Builds answers from the knowledge base and the searcher."""

    def __init__(
        self, kb: KnowledgeBase, searcher: Searcher, previous: Composer | None = None
    ) -> None:
        self.kb = kb
        self.searcher = searcher
        # what each measure concerns is matched once, and kept while the products are unchanged
        self.product_coverage = ProductCoverage(
            kb.products.values(), previous.product_coverage if previous else None
        )

    def compose(self, q: Query, today: dt.date) -> Answer:
        """The answer for an understood question, from the handler its intent maps to."""
        d = Draft(lang=q.lang)
        confident = HANDLERS[q.intent](self, q, d, today)
        if confident is None:  # the structured route found nothing: let the evidence decide
            d = Draft(lang=q.lang)
            confident = self._on_free(q, d, today)
        # a question inside the domain that we cannot answer can go to a person
        d.forwardable = not confident and q.in_domain and q.intent not in NOT_FORWARDED
        return finish(q, d, confident)

    def _on_help(self, q: Query, d: Draft, today: dt.date) -> bool:
        en = q.lang == "en"
        d.text(
            "Hello! I answer questions on Gia Lai's plan to implement the National "
            "Standards Strategy 2026-2035 and on technical barriers to trade (TBT)."
            if en
            else "Xin chào! Tôi trả lời câu hỏi về Kế hoạch triển khai Chiến lược tiêu chuẩn "
            "quốc gia 2026-2035 của tỉnh Gia Lai và về hàng rào kỹ thuật trong thương "
            "mại (TBT)."
        )
        for example in EXAMPLES[q.lang if q.lang == "en" else "vi"]:
            d.item(example)
        return q.intent is Intent.HELP

    # --- structured intents -------------------------------------------------------------
    def _on_task(self, q: Query, d: Draft, today: dt.date) -> bool | None:
        if not q.task_ids:  # the task named by its activity: the best evidence decides
            if q.confidence < CONFIDENT and not q.followup:
                return None  # an unsure guess at "task" with no task in sight: passages
            hits = self._search(q, 8)
            kind, ref = self._subject_from_hits(hits, tasks_only=True)
            if kind != "task" or not self._relevant(q, hits):
                return None
            records.task_card(d, self.kb, self.kb.tasks[ref])
            return True
        for tid in q.task_ids:
            records.task_card(d, self.kb, self.kb.tasks[tid], full=len(q.task_ids) == 1)
        return True

    def _on_task_unknown(self, q: Query, d: Draft, today: dt.date) -> bool:
        ids = ", ".join(q.entities.unknown_tasks)
        d.text(
            f"There is no task {ids} in the plan. Its tasks are:"
            if q.lang == "en"
            else f"Kế hoạch không có nhiệm vụ {ids}. Các nhiệm vụ của Kế hoạch:"
        )
        for task in self.kb.tasks.values():
            d.item(records.task_line(self.kb, task, q.lang))
        return False

    def _on_agency(self, q: Query, d: Draft, today: dt.date) -> bool | None:
        if not q.agencies:
            return None
        duties = frozenset(
            f"plan:{x.section}" for a in q.agencies for x in self.kb.agencies[a].duties
        )
        passage = self._passage_over_records(q, ("agency",), duties)
        if passage is not None:  # "the plan's requirement on the role of enterprises" (I.2)
            self._passages(q, d, [passage], force=True)
        for agency_id in q.agencies[:2]:
            records.agency_card(d, self.kb, agency_id, None)
        return True

    def _on_agency_tasks(self, q: Query, d: Draft, today: dt.date) -> bool | None:
        excluded = q.entities.excluded_agencies
        if excluded:  # tasks it does not lead, or (asked of partners) does not coordinate
            agency_id = excluded[0]
            name = self.kb.agency_names([agency_id], q.lang)[0]
            if q.role == "partner":
                others = [t for t in self.kb.tasks.values() if agency_id not in t.partners]
                en, vi = (
                    "Tasks {name} does not coordinate ({n})",
                    "Nhiệm vụ {name} không phối hợp ({n})",
                )
            else:
                others = [t for t in self.kb.tasks.values() if t.lead != agency_id]
                en = "Tasks not led by {name} ({n})"
                vi = "Nhiệm vụ không do {name} chủ trì ({n})"
            head = (en if q.lang == "en" else vi).format(name=name, n=len(others))
            records.task_list(d, self.kb, others, head)
            return True
        if not q.agencies:
            return None
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
        if "penalty" in q.asks:
            d.text(
                "The plan sets no penalty or sanction for a late or missing report."
                if q.lang == "en"
                else "Kế hoạch không quy định hình thức xử lý khi báo cáo chậm hoặc không báo cáo."
            )
            d.source("plan:V", "Kế hoạch, mục V", "knowledge/plan/body.md")
            return False
        if not (q.agencies or "report" in q.aspects or 30 in q.entities.numbers or q.followup):
            # a deadline the plan does not set (applications, other years): say which it sets
            d.text(
                "The plan sets no such deadline. The deadlines it does set:"
                if q.lang == "en"
                else "Kế hoạch không đặt thời hạn này. Các thời hạn Kế hoạch có nêu:"
            )
            for x in self.kb.deadlines.values():
                d.item(x.title_en if q.lang == "en" else x.title_vi)
            return False
        if q.entities.excluded_annual:  # "not the yearly report": the plan's other deadlines
            # what is not yearly, or yearly without a fixed date, like the Department's report
            others = [
                x for x in self.kb.deadlines.values() if x.recurrence != "yearly" or x.month is None
            ]
            for deadline in others:
                records.deadline_card(d, self.kb, deadline, today)
            return bool(others)
        chosen = [
            x
            for x in self.kb.deadlines.values()
            if q.agencies and any(a in x.who or a in x.to for a in q.agencies)
        ]
        # an agency the question sends something to ("gửi Sở KH&CN") is the recipient; else an
        # agency that sends a report comes before one that only receives it
        to = q.entities.recipients
        chosen.sort(
            key=lambda x: (
                not (any(a in x.to for a in to) if to else any(a in x.who for a in q.agencies))
            )
        )
        if not chosen:
            chosen = [x for x in self.kb.deadlines.values() if x.month and x.day]
        for deadline in chosen[:2]:
            records.deadline_card(d, self.kb, deadline, today)
        return bool(chosen)

    def _on_targets(self, q: Query, d: Draft, today: dt.date) -> bool:
        if q.target_scope == "orientation" and 2030 not in q.entities.years:
            return self._quote_section(d, "II.3")
        if q.target_scope == "general":
            return self._quote_section(d, "II.1")
        targets = self._best_targets(q)
        d.title(
            "Specific targets by 2030 (section II.2)"
            if q.lang == "en"
            else "Mục tiêu cụ thể đến năm 2030 (mục II.2)"
        )
        records.targets_block(d, self.kb, targets)
        if q.target_scope == "orientation":  # "by 2030 or 2035?": both horizons
            self._quote_section(d, "II.3")
        return True

    def _on_support(self, q: Query, d: Draft, today: dt.date) -> bool:
        tags = set(q.support_tags)
        ranked = self._ranked(q, "support")
        every = sorted(self.kb.programmes.values(), key=lambda p: ranked.get(f"support:{p.id}", 99))
        programmes = [p for p in every if tags & set(p.for_tags)]
        passage = self._passage_over_records(q, ("support", "target"))
        if passage is not None:
            # "does the plan mention …": a paragraph of the plan says it better than any record
            self._passages(q, d, [passage], force=True)
            programmes = programmes[:1]
        elif not programmes:
            programmes = every
            d.text(
                "Support an enterprise can get under the plan:"
                if q.lang == "en"
                else "Các hình thức hỗ trợ doanh nghiệp theo Kế hoạch:"
            )
        for p in programmes:
            records.programme_card(d, self.kb, p, partners=q.role == "partner")
        records.next_steps(d, self.kb)
        return True

    def _on_task_list(self, q: Query, d: Draft, today: dt.date) -> bool:
        en = q.lang == "en"
        d.text(
            f"The plan's {len(self.kb.tasks)} tasks, in {len(self.kb.groups)} groups:"
            if en
            else f"{len(self.kb.tasks)} nhiệm vụ của Kế hoạch, trong {len(self.kb.groups)} nhóm:"
        )
        for group in self.kb.groups.values():
            tasks = [t for t in self.kb.tasks.values() if t.group == group.id]
            title = group.title_en if en else group.title_vi
            records.task_list(d, self.kb, tasks, f"{'Group' if en else 'Nhóm'} {group.id}. {title}")
        return True

    def _on_agency_by_duty(self, q: Query, d: Draft, today: dt.date) -> bool | None:
        """Which agency has a duty: the agency the best passages belong to."""
        hits = self._search(q, 8)
        if not self._relevant(q, hits):
            return None
        if "report" in q.aspects and not q.agencies:
            return self._on_deadline(q, d, today)  # "who files the yearly report": its card
        task = self._task_before_duties(q, hits)
        if task is not None:  # "who trains officials": an activity of a task, not a duty of V
            records.task_card(d, self.kb, self.kb.tasks[task])
            return True
        owner = self._duty_owner(q)
        # an agency the question names is part of the answer ("whom does the DOST report to"):
        # its duties state the relation; the closest duty's owner follows when it is another one
        shown = [*q.agencies[:1], *([owner] if owner and owner not in q.agencies[:1] else [])]
        for agency_id in shown:
            records.agency_card(d, self.kb, agency_id, None)
        return True if shown else None

    def _on_group(self, q: Query, d: Draft, today: dt.date) -> bool:
        named = q.entities.groups
        if len(named) == 2 and named[0] < named[1]:  # "nhóm 1 đến nhóm 5": the range between
            named = [g for g in self.kb.groups if named[0] <= g <= named[1]]
        for group_id in named:
            group = self.kb.groups[group_id]
            tasks = [t for t in self.kb.tasks.values() if t.group == group.id]
            title = group.title_en if q.lang == "en" else group.title_vi
            head = f"{'Group' if q.lang == 'en' else 'Nhóm'} {group.id}. {title} ({len(tasks)})"
            records.task_list(d, self.kb, tasks, head)
            section = tasks[0].section if tasks else None
            if section:
                d.source(f"plan:{section}", f"Kế hoạch, mục {section}", "knowledge/plan/body.md")
        return True

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

    def _on_faq(self, q: Query, d: Draft, today: dt.date) -> bool:
        """A question the FAQ answers word for word: the entry, with its sources."""
        records.guidance_card(d, self.kb, self.kb.guidance[q.entities.faq[0]])
        return True

    def _on_out_of_scope(self, q: Query, d: Draft, today: dt.date) -> bool:
        return decline(q, d)

    def _on_other_scope(self, q: Query, d: Draft, today: dt.date) -> bool:
        """Another province's plan or another document: say so, and name ours."""
        plan = self.kb.plan
        other = q.scope_note or ""
        if q.lang == "en":
            d.text(
                f"I only hold Gia Lai province's plan ({plan.title_en}); I have nothing on "
                f"{other}, so I will not answer from our plan's facts."
            )
        else:
            d.text(
                f"Tôi chỉ có dữ liệu về {plan.title_vi} của tỉnh Gia Lai; tôi không có thông "
                f"tin về {other}, nên không trả lời bằng dữ kiện của Kế hoạch này."
            )
        d.source("meta:plan", plan.title_vi, "knowledge/plan.yaml")
        return False


def finish(q: Query, d: Draft, confident: bool) -> Answer:
    """Wrap a draft into the Answer to a question."""
    return d.answer(q.text, q.intent.value, confident, q.decisions())


# declines that are answers in themselves: small talk, another province's plan, a task the plan
# lacks (the answer lists the tasks it has)
NOT_FORWARDED = (
    Intent.EMPTY,
    Intent.HELP,
    Intent.OUT_OF_SCOPE,
    Intent.OTHER_SCOPE,
    Intent.TASK_UNKNOWN,
)

HANDLERS: dict[Intent, Handler] = {
    Intent.EMPTY: Composer._on_help,
    Intent.HELP: Composer._on_help,
    Intent.TASK: Composer._on_task,
    Intent.TASK_UNKNOWN: Composer._on_task_unknown,
    Intent.AGENCY: Composer._on_agency,
    Intent.AGENCY_TASKS: Composer._on_agency_tasks,
    Intent.AGENCY_LIST: Composer._on_agency_list,
    Intent.AGENCY_BY_DUTY: Composer._on_agency_by_duty,
    Intent.TASK_LIST: Composer._on_task_list,
    Intent.GROUP: Composer._on_group,
    Intent.TIMEFRAME: Composer._on_timeframe,
    Intent.DEADLINE: Composer._on_deadline,
    Intent.TARGETS: Composer._on_targets,
    Intent.SUPPORT: Composer._on_support,
    Intent.FUNDING: Composer._on_funding,
    Intent.AMOUNT: Composer._on_amount,
    Intent.CONTACT: Composer._on_contact,
    Intent.MEASURE: Composer._on_measure,
    Intent.TBT: Composer._on_tbt,
    Intent.META: Composer._on_meta,
    Intent.DOCUMENT: Composer._on_document,
    Intent.FAQ: Composer._on_faq,
    Intent.FREE: Composer._on_free,
    Intent.OUT_OF_SCOPE: Composer._on_out_of_scope,
    Intent.OTHER_SCOPE: Composer._on_other_scope,
}
