"""Question understanding: language, one vector, entities, slots, intent, and follow-ups.

The classifier proposes an intent; entities refine it (a task the plan lacks, a group, a
question about another province's plan) and `Query` records every decision, so the answer
stage never reads the question's words again.
"""

from __future__ import annotations

import dataclasses
import re

from assistant.embed.base import Encoder
from assistant.knowledge.base import KnowledgeBase
from assistant.nlu.classifier import IntentModel, text_features
from assistant.nlu.entities import EntityExtractor
from assistant.nlu.lexicon import Lexicon, views
from assistant.nlu.query import Intent, Query
from assistant.text import clean, detect_lang, has_diacritics

MAX_QUESTION = 1000
FOLLOWUP_WORDS = 6  # a question this short may lean on the previous turn
POINTING_WORDS = 10  # … and one this short that points back ("when was that decision issued")
# Vietnamese words are counted in syllables ("đăng ký", "thời hạn"): the same short question
# has more of them than in English
SYLLABLES_PER_WORD = {"vi": 1.2, "en": 1.0}
CONFIDENT = 0.5
SURE = 0.8
# an intent that needs a kind of entity to answer from records
NEEDS = {
    Intent.TASK: ("tasks", "unknown_tasks", "groups"),
    Intent.AGENCY: ("agencies",),
    Intent.AGENCY_TASKS: ("agencies", "excluded_agencies"),
    Intent.MEASURE: ("measures", "products", "markets"),
}
# what a follow-up may ask about the previous subject ("ai phối hợp?", "and the timeframe?")
SUBJECT_ASPECTS = {"lead", "partner", "timeframe"}
# … and what a short question without a subject of its own asks of the previous one
LEANING_ASPECTS = SUBJECT_ASPECTS | {"targets"}
# intents about one subject (a task, a measure, an agency) that a follow-up can ask more about
SUBJECT_INTENTS = (
    Intent.TASK,
    Intent.MEASURE,
    Intent.AGENCY,
    Intent.AGENCY_TASKS,
    Intent.DOCUMENT,
)
# intents about the plan's own content: another country's plan gets none of them
PLAN_INTENTS = (
    Intent.TASK,
    Intent.TASK_LIST,
    Intent.AGENCY,
    Intent.AGENCY_TASKS,
    Intent.AGENCY_LIST,
    Intent.AGENCY_BY_DUTY,
    Intent.TARGETS,
    Intent.DEADLINE,
    Intent.FUNDING,
    Intent.META,
    Intent.DOCUMENT,
    Intent.FREE,
)
PERSON_INTENTS = (Intent.AGENCY, Intent.AGENCY_BY_DUTY, Intent.FREE, Intent.CONTACT)
INHERITED = ("tasks", "groups", "agencies", "products", "markets", "measures", "documents")


class Understander:
    """Everything understanding needs for one knowledge generation."""

    def __init__(
        self,
        kb: KnowledgeBase,
        encoder: Encoder,
        model: IntentModel | None,
        extractor: EntityExtractor | None = None,
    ) -> None:
        self.kb = kb
        self.encoder = encoder
        self.model = model
        self.extractor = extractor or EntityExtractor(kb)
        self.lexicon: Lexicon = self.extractor.lexicon

    def understand(self, raw: str, previous: Query | None = None) -> Query:
        """Classify a question and pull out what it names; resolve it against `previous`."""
        text = clean(raw)
        truncated = len(text) > MAX_QUESTION
        text = text[:MAX_QUESTION]
        q = Query(
            raw=raw,
            text=text,
            lang=detect_lang(text),
            marked=has_diacritics(text),
            truncated=truncated,
        )
        if not re.search(r"[^\W_]", text):
            q.intent = Intent.EMPTY
            return q
        q.vector = self.encoder.encode_queries([text])[0]
        q.entities = self.extractor.extract(text, q.lang)
        plain_view = views(text)[1]
        self._slots(q, plain_view)
        if self.model is not None:
            tokens, struct = text_features(text, q.entities, self.lexicon)
            q.ranking = self.model.rank(self.model.features(q.vector, tokens, struct))[:4]
        top = q.ranking[0] if q.ranking else (Intent.FREE.value, 0.0)
        q.predicted, q.confidence = top
        q.margin = top[1] - (q.ranking[1][1] if len(q.ranking) > 1 else 0.0)
        q.intent = self._choose(q)
        if previous is not None and self._leans_on(q, previous, plain_view):
            self._merge(q, previous)
        q.intent = self._refine(q)
        return q

    def _slots(self, q: Query, plain_view: str) -> None:
        lex, e = self.lexicon, q.entities
        q.aspects = lex.members("aspect", plain_view)
        q.wants_list = lex.has("list", plain_view)
        q.define = lex.has("define", plain_view)
        q.asks_signer = lex.has("signer", plain_view)
        scopes = lex.members("target_scope", plain_view)
        q.target_scope = scopes[0] if scopes else None
        q.support_tags = lex.members("support_tags", plain_view)
        q.asks = lex.members("asks", plain_view)
        period = bool(e.years) and {2026, 2030} <= set(e.years)
        if e.excluded_annual:
            q.timeframe = "period"
        elif lex.has("annual", plain_view):
            q.timeframe = "annual"
        elif period or re.search(r"\bgiai doan\b|\bperiod\b", plain_view):
            q.timeframe = "period"
        named = any(getattr(e, k) for k in ("tasks", "agencies", "measures", "products", "groups"))
        q.in_domain = named or bool(q.support_tags) or lex.has("domain", plain_view)
        q.about_plan = e.home or lex.has("own_plan", plain_view)

    def _choose(self, q: Query) -> Intent:
        """The classifier's intent, unless the evidence in the question contradicts it."""
        ranked = [Intent(name) for name, _ in q.ranking] or [Intent.FREE]
        best = ranked[0]
        e = q.entities
        named = bool(e.tasks or e.agencies or e.measures or e.groups or (e.products and e.markets))
        small_talk = (Intent.OUT_OF_SCOPE, Intent.HELP)
        unsure_small_talk = q.in_domain and q.confidence < SURE
        if best in small_talk and (named or unsure_small_talk) and len(ranked) > 1:
            # a question naming the plan's own records, or using its words without the
            # classifier being sure, is not small talk: take the next intent
            best = next(i for i in ranked if i not in small_talk)
        if best is Intent.HELP and q.confidence < SURE:
            best = Intent.OUT_OF_SCOPE  # not clearly a greeting or a request for help
        if e.measures and best not in (Intent.MEASURE, Intent.TBT, Intent.OUT_OF_SCOPE):
            best = Intent.MEASURE  # a foreign measure named by name is what the question is about
        needs = set(q.support_tags) - {"export"}
        if (
            needs
            and best in (Intent.TBT, Intent.OUT_OF_SCOPE, Intent.FREE)
            and (q.confidence < CONFIDENT)
        ):
            best = Intent.SUPPORT  # "hàng nguy cơ cao, tỉnh giúp gì": what support fits that need
        if best is Intent.TBT and (e.products or e.markets) and q.confidence < SURE:
            best = Intent.MEASURE  # guidance or the measures of that market: the records first
        return best

    def _leans_on(self, q: Query, previous: Query, plain_view: str) -> bool:
        """Whether a question is a follow-up that needs the previous turn to be understood.

        It is when it starts like one ("còn …", "and …", "what about …"), when its intent
        needs a subject it does not name ("ai phối hợp?"), or when it is short and either
        points back ("văn bản đó", "that decision") or is not clearly a question of its own.
        """
        if previous.intent in (Intent.EMPTY, Intent.HELP, Intent.OUT_OF_SCOPE):
            return False
        lex = self.lexicon
        first = len(plain_view) - len(plain_view.lstrip())
        starts = any(a == first for a, _ in lex.spans("followup_start", plain_view)) and not any(
            a == first for a, _ in lex.spans("followup_not", plain_view)
        )
        if starts:
            return True
        words = round(len(plain_view.split()) / SYLLABLES_PER_WORD.get(q.lang, 1.0))
        small_talk = (q.predicted == Intent.HELP and q.confidence >= SURE) or (
            q.predicted == Intent.OUT_OF_SCOPE and q.confidence >= CONFIDENT
        )
        if small_talk:
            return False  # "cảm ơn", "giá cà phê hôm nay": a new turn, not a follow-up
        if q.intent in (Intent.HELP, Intent.OUT_OF_SCOPE):
            return words <= POINTING_WORDS  # unsure small talk after a real question: elliptical
        own = NEEDS.get(q.intent)
        if own is not None and not any(getattr(q.entities, k) for k in own):
            return True
        names = any(getattr(q.entities, k) for k in INHERITED)
        if not names and words <= FOLLOWUP_WORDS and set(q.aspects) & LEANING_ASPECTS:
            return True  # "who are the partners?", "thời gian thực hiện?", "and the target?"
        had_subject = any(getattr(previous.entities, k) for k in INHERITED)
        if not names and words <= FOLLOWUP_WORDS and q.asks and had_subject:
            return True  # "số hiệu là gì?" right after a law: that law's number
        points_back = lex.has("anaphora", plain_view) or (
            q.marked and bool(lex.spans("anaphora_marked", views(q.text)[0], marked=True))
        )
        if points_back:
            return words <= POINTING_WORDS
        return words <= FOLLOWUP_WORDS and q.confidence < SURE

    def _merge(self, q: Query, previous: Query) -> None:
        """Fill what the follow-up leaves out from the previous turn; what it names wins."""
        e, p = q.entities, previous.entities
        said = {k for k in INHERITED if getattr(e, k)}
        merged = dataclasses.replace(e)
        # a new task replaces the previous task; a new market keeps the previous products but
        # not the measures the last answer showed for the old market
        replaces = {
            "tasks": ("tasks", "groups"),
            "groups": ("tasks", "groups"),
            "products": ("products", "measures"),
            "markets": ("markets", "measures"),
        }
        blocked = {k for s in said for k in replaces.get(s, (s,))}
        for kind in INHERITED:
            if kind not in blocked and not getattr(merged, kind):
                setattr(merged, kind, list(getattr(p, kind)))
        q.entities = merged
        q.followup = True
        own_need = NEEDS.get(q.intent)
        usable = own_need is None or any(getattr(merged, k) for k in own_need)
        subject = any(getattr(p, k) for k in INHERITED)
        about_subject = (
            bool(set(q.aspects) & SUBJECT_ASPECTS) and previous.intent in SUBJECT_INTENTS
        )
        keep_previous = (
            q.intent in (Intent.FREE, Intent.HELP, Intent.OUT_OF_SCOPE)
            or not usable
            # "chức vụ gì?", "gửi cho cơ quan nào?": more on what the last turn was about
            or (not said and q.confidence < SURE)
            # "and the timeframe?", "ai phối hợp?": an aspect of the same subject
            or (not said and subject and about_subject)
            # "còn nhiệm vụ 3.3 thì sao?": the same question of another subject
            or (said and not q.aspects and previous.intent is not Intent.FREE)
        )
        if keep_previous:
            q.intent = _base(previous.intent)
            if not q.aspects:
                q.aspects = list(previous.aspects)
        if (
            not said
            and merged.tasks
            and set(q.aspects) & SUBJECT_ASPECTS
            and q.intent not in (Intent.MEASURE, Intent.AGENCY, Intent.AGENCY_TASKS)
        ):
            q.intent = Intent.TASK  # who leads, partners or when, of the last answer's task
        q.in_domain = True

    def _refine(self, q: Query) -> Intent:
        """Entities settle what the classifier cannot: missing records, groups, other scopes."""
        e, intent = q.entities, q.intent
        plain_view = views(q.text)[1]
        if e.faq and intent is not Intent.OUT_OF_SCOPE:
            return Intent.FAQ  # this very question has an answer the Department wrote
        if e.places and not e.home and intent not in (Intent.OUT_OF_SCOPE, Intent.MEASURE):
            names = [self.kb.places[p].name_vi for p in e.places]
            q.scope_note = ", ".join(names)
            return Intent.OTHER_SCOPE
        if e.countries and intent in PLAN_INTENTS and not e.home:
            q.scope_note = ", ".join(self.kb.countries[c].name_vi for c in e.countries)
            return Intent.OTHER_SCOPE  # "Thailand's standards strategy", "kế hoạch của Đức"
        if (
            self.kb.untracked_countries(e.countries)
            and not e.markets
            and (e.products or e.measures or "export" in q.support_tags)
            and intent not in (Intent.OUT_OF_SCOPE, Intent.MEASURE)
        ):
            return Intent.MEASURE  # "Australia's rules for macadamia": the database says it
            # does not follow that market, rather than answer with the plan's support
        ours = e.home or self.lexicon.has("own_plan", plain_view)
        if (
            intent in (Intent.TARGETS, Intent.DOCUMENT)
            and self.lexicon.has("goal_words", plain_view)
            and e.documents
            and not ours
        ):
            q.scope_note = ", ".join(e.documents)
            return Intent.OTHER_SCOPE  # the targets of a document the plan cites are not ours
        foreign = e.countries or (e.markets and not (e.products or e.measures))
        its_own = (
            # "China Standards 2035: what targets?": a market's own goals, not our plan's
            intent in (Intent.TARGETS, Intent.META) and self.lexicon.has("goal_words", plain_view)
        ) or (
            # another country's strategy, whatever the classifier said
            intent is not Intent.OUT_OF_SCOPE and self.lexicon.has("strategy_words", plain_view)
        )
        if foreign and not ours and its_own:
            names = [self.kb.countries[c].name_vi for c in e.countries]
            names += [self.kb.market_name(m, q.lang) for m in e.markets]
            q.scope_note = ", ".join(names)
            return Intent.OTHER_SCOPE
        if intent is Intent.META and e.documents and not ours:
            return Intent.DOCUMENT  # who issued a cited law, and its number: that law's record
        if (
            intent is Intent.DOCUMENT
            and self.lexicon.has("signed_by", plain_view)
            and self.lexicon.has("own_plan", plain_view)
        ):
            return Intent.META  # who signed the plan that implements Decision 876
        if "person" in q.asks and not q.asks_signer and intent in PERSON_INTENTS:
            return Intent.CONTACT  # office holders' names, like phone numbers, are not held
        if e.unknown_documents and not e.documents and intent is not Intent.OUT_OF_SCOPE:
            q.scope_note = ", ".join(e.unknown_documents)
            return Intent.OTHER_SCOPE
        if e.unknown_tasks and not e.tasks and intent is not Intent.OUT_OF_SCOPE:
            return Intent.TASK_UNKNOWN  # whatever it asks of a task the plan lacks
        if intent in (Intent.TASK, Intent.TASK_LIST, Intent.TIMEFRAME, Intent.GROUP):
            if e.groups and not e.tasks:
                return Intent.GROUP
            if intent is Intent.TASK_LIST and q.timeframe:
                return Intent.TIMEFRAME
            if intent is Intent.TASK_LIST and e.tasks:
                return Intent.TASK
        return intent


def _base(intent: Intent) -> Intent:
    """The learned intent a refined one came from (a follow-up continues that one)."""
    return {
        Intent.TASK_UNKNOWN: Intent.TASK,
        Intent.GROUP: Intent.TASK_LIST,
        Intent.TIMEFRAME: Intent.TASK_LIST,
        Intent.OTHER_SCOPE: Intent.FREE,
        Intent.FAQ: Intent.FREE,  # the entry matched the question, not what follows it
    }.get(intent, intent)
