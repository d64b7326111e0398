"""Entities: the named things a question mentions, found by the names in the knowledge files.

Agencies, products, markets, measures and places are matched by their names and aliases, so
staff add a name to a YAML file, not to code. Task numbers, groups, document numbers and years
are matched by their written forms. A negation or contrast ("không do", "other than") marks
the entity right after it as excluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.coverage import hs_overlap, specific_codes
from assistant.knowledge.models import LegalBasis
from assistant.knowledge.notifications import split_symbol
from assistant.nlu.lexicon import Lexicon, lexicon, phrases_pattern, views
from assistant.text import detect_lang, fold_plain, has_diacritics, vi_syllable

TASK_WORD = r"(?:nhiem\s*vu|nv|task|tasks|muc|item|#)"
TASK_REF = re.compile(
    rf"(?<![\w]){TASK_WORD}\s*(?:so\s*|no\.?\s*|number\s*)?(\d{{1,2}})"
    r"(?:\s*[.,]\s*(\d{1,2}))?(?![\d])(?![.,]\d)"
)
BARE_TASK = re.compile(r"(?<![\w./,-])(\d)\s?[.,]\s?(\d{1,2})(?![\w/%]|[.,]\d)")
GROUP_REF = re.compile(r"(?<![\w])(?:nhom|group)\s*(?:nhiem\s*vu\s*)?(?:so\s*)?([1-9])(?![\d.])")
DOC_NUMBER = re.compile(
    r"(?<![\w/])(\d{1,4}\s*-\s*(?:nq|ct|kl|qd)\s*/\s*tw"
    r"|\d{1,4}\s*/\s*(?:\d{4}\s*/\s*)?(?:qd\s*-\s*ttg|qd\s*-\s*ubnd|qd|nd\s*-\s*cp|qh\d{2}"
    r"|tt\s*-\s*bkhcn|kh\s*-\s*ubnd|nq\s*-\s*cp|nq\s*-\s*hdnd|ct\s*-\s*ttg))(?![\w])"
)
SHORT_DOC = re.compile(
    r"(?<![\w])(quyet dinh|qd|nghi quyet|nq|chi thi|ct|lenh)\s*(?:so\s*)?(\d{1,4})(?![\w/-])"
)
SHORT_KIND = {"quyet dinh": "qd", "nghi quyet": "nq", "chi thi": "ct"}
# a product named by its HS code: "HS 0901", "mã HS 0901.11", "HS code 0801" (a bare number
# is too often a year or a count to be read as a code)
HS_CODE = re.compile(r"\bhs(?:\s*codes?)?\s*:?\s*(\d{2}(?:[.\s]?\d{2}){0,2})(?![\d])")
# a WTO notification symbol as the views show it ("G/TBT/N/EU/953" reads "g tbt n eu 953")
WTO_SYMBOL = re.compile(r"\bg[\s/]+(tbt|sps)[\s/]+n[\s/]+([a-z]{2,3})[\s/]+(\d+)\b")
YEAR = re.compile(r"(?<![\w.,/:])(20[0-4]\d)(?![\d])")
NUMBER = re.compile(r"(?<![\w.,/:])(\d{1,3})(?![\d.,/]\d|\d)")
RECIPIENT_WINDOW = 1  # "gửi Sở KH&CN", "report to the DOST": the name follows at once
NEGATION_WINDOW = 3  # words between a negation cue and the entity it excludes
FAQ_OVERLAP = 0.7  # share of words a question must have in common with an FAQ entry's title


# the kinds of entity whose presence the intent classifier sees (a bool for "negated")
ENTITY_KINDS = (
    "tasks",
    "unknown_tasks",
    "groups",
    "agencies",
    "products",
    "markets",
    "measures",
    "documents",
    "unknown_documents",
    "places",
    "negated",
)
Span = tuple[int, int, str, str]  # start, end, kind, id of a name found in the question


def doc_key(number: str) -> str:
    """A document number in one comparable form: '876/QĐ-TTg' -> '876/qd-ttg'."""
    return re.sub(r"\s+", "", fold_plain(number))


@dataclass
class Entities:
    """Everything named in one question."""

    tasks: list[str] = field(default_factory=list)
    unknown_tasks: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    unknown_documents: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    faq: list[str] = field(default_factory=list)
    home: bool = False
    years: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    excluded_annual: bool = False
    recipients: list[str] = field(default_factory=list)  # agencies something is sent to
    negated: bool = False
    spans: list[Span] = field(default_factory=list)  # every name found, excluded ones too

    @property
    def excluded_agencies(self) -> list[str]:
        """Agencies the question sets aside ("không do Sở KH&CN", "other than …")."""
        return self.excluded.get("agencies", [])

    def kinds(self) -> set[str]:
        """Which kinds of entity the question names (features for the intent classifier)."""
        return {kind for kind in ENTITY_KINDS if getattr(self, kind)}


@dataclass(frozen=True)
class _Name:
    kind: str
    ref: str


class NameMatcher:
    """Finds named records by any of their names, longest first, without overlaps.

    A one-word name with Vietnamese marks ("Mỹ", "Hàn") only matches a question typed with
    marks: stripped of them it collides with common words ("my", "thời hạn"). Staff who know
    the unmarked form is safe write it as its own alias ("go" for "gỗ"); such a one-word
    alias spelt like a Vietnamese syllable matches Vietnamese questions only, since in English
    it may be a common word ("go").
    """

    def __init__(self, named: list[tuple[str, str, list[str]]]) -> None:
        marked: dict[str, list[_Name]] = {}
        plain: dict[str, list[_Name]] = {}
        plain_vi: dict[str, list[_Name]] = {}
        for kind, ref, names in named:
            for name in names:
                view_marked, view_plain = views(name)
                key_marked, key_plain = " ".join(view_marked.split()), " ".join(view_plain.split())
                one_word = len(key_plain.split()) == 1
                if one_word and has_diacritics(name):
                    table, key = marked, key_marked
                elif one_word and name.islower() and vi_syllable(key_plain):
                    table, key = plain_vi, key_plain
                else:
                    table, key = plain, key_plain
                if len(key) > 1 and _Name(kind, ref) not in table.setdefault(key, []):
                    table[key].append(_Name(kind, ref))
        self._tables = {"marked": marked, "plain": plain, "plain_vi": plain_vi}
        self._patterns = {
            view: phrases_pattern(list(table), suffix=r"(?:s|es)?")  # a plural is the same name
            for view, table in self._tables.items()
            if table
        }

    def find(self, marked_view: str, plain_view: str, lang: str = "vi") -> list[Span]:
        """(start, end, kind, id) of each name found, in order of appearance."""
        spans: list[Span] = []
        views_of = [("plain", plain_view), ("marked", marked_view)]
        if lang == "vi":
            views_of.append(("plain_vi", plain_view))
        for view, text in views_of:
            pattern = self._patterns.get(view)
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end, _, _ in spans):
                    continue
                key = " ".join(m.group(1).split())
                for name in self._tables[view][key]:
                    spans.append((m.start(), m.end(), name.kind, name.ref))
        return sorted(spans)


class EntityExtractor:
    """Built once per knowledge generation; `extract(text)` is cheap."""

    def __init__(self, kb: KnowledgeBase, vocab: Lexicon | None = None) -> None:
        self.kb = kb
        self.lexicon = vocab or lexicon()
        named: list[tuple[str, str, list[str]]] = []
        named += [
            ("agencies", a.id, [a.name_vi, a.name_en, *a.aliases]) for a in kb.agencies.values()
        ]
        named += [
            ("products", p.id, [p.name_vi, p.name_en, *p.aliases]) for p in kb.products.values()
        ]
        named += [
            ("markets", m.id, [m.name_vi, m.name_en, *m.aliases]) for m in kb.markets.values()
        ]
        # curated measures by their names; any measure by its WTO symbol (a pattern, not a
        # name list: an import may bring tens of thousands)
        named += [
            ("measures", m.id, m.aliases)
            for m in kb.measures.values()
            if m.id not in kb.notified_only
        ]
        self.by_symbol: dict[str, str] = {}
        for m in kb.measures.values():
            parts = split_symbol(m.symbol or "")
            if parts is not None:
                self.by_symbol.setdefault(parts[0].lower(), m.id)
        named += [("places", p.id, p.names) for p in kb.places.values()]
        named += [("countries", c.id, c.names) for c in kb.countries.values()]
        named += [
            ("documents", doc_key(lb.number), _document_names(lb))
            for lb in kb.plan.legal_bases
            if lb.number
        ]
        if kb.home is not None:
            named.append(("home", kb.home.id, kb.home.names))
        self.names = NameMatcher(named)
        self.known_documents = self._known_documents(kb)
        self.faq_titles = [
            (e.id, _word_set(title))
            for e in kb.guidance.values()
            if e.topic == "faq"
            for title in (e.title_vi, e.title_en)
        ]

    @staticmethod
    def _known_documents(kb: KnowledgeBase) -> dict[str, str]:
        """Document numbers the plan cites, by their comparable form, to a source id."""
        known: dict[str, str] = {}
        for lb in kb.plan.legal_bases:
            if lb.number:
                known[doc_key(lb.number)] = f"legal:{lb.id}"
        if kb.plan.number:
            known[doc_key(kb.plan.number)] = "meta:plan"
        texts = [(f"plan:{p.id}", p.text) for p in kb.body.paragraphs]
        texts += [(f"task:{t.id}", " ".join(t.content_vi)) for t in kb.tasks.values()]
        texts += [(f"tbt:{g.id}", f"{g.text_vi} {g.text_en}") for g in kb.guidance.values()]
        texts += [
            (f"measure:{m.id}", f"{m.summary_vi} {m.title}")
            for m in kb.measures.values()
            if m.id not in kb.notified_only
        ]
        for ref, text in texts:
            for m in DOC_NUMBER.finditer(fold_plain(text)):
                known.setdefault(doc_key(m.group(1)), ref)
        return known

    def extract(self, text: str, lang: str | None = None) -> Entities:
        """The entities of one (cleaned) question, in `lang` (detected when not given)."""
        e = Entities()
        plain = fold_plain(text)
        self._task_refs(plain, e)
        for m in DOC_NUMBER.finditer(plain):
            key = doc_key(m.group(1))
            target = e.documents if key in self.known_documents else e.unknown_documents
            if key not in target:
                target.append(key)
        for m in SHORT_DOC.finditer(plain):  # "QĐ 876", "nghị quyết 57": a number we know
            kind = SHORT_KIND.get(m.group(1), m.group(1))
            for key in self.known_documents:
                if key.startswith(m.group(2)) and kind in key and key not in e.documents:
                    e.documents.append(key)
        e.years = [int(y) for y in YEAR.findall(plain)]
        e.numbers = [int(n) for n in NUMBER.findall(plain)]
        marked_view, plain_view = views(text)
        cues = self._cues("negation", marked_view, plain_view)
        harmless = self._inside(cues, self._cues("not_negation", marked_view, plain_view))
        negations = sorted(set(cues) - set(harmless))
        e.negated = bool(negations)
        sent_to = self.lexicon.spans("sent_to", plain_view)
        joined = self.lexicon.patterns["conjunction"]
        last_excluded_end = -1
        e.spans = self.names.find(marked_view, plain_view, lang or detect_lang(text))

        def gap(a: int, b: int) -> str:
            return joined.sub("", plain_view[a:b]).strip(" ,")

        def conjoined(a: int, b: int) -> bool:
            return bool(joined.search(plain_view[a:b])) and not gap(a, b)

        for i, (start, end, kind, ref) in enumerate(e.spans):
            if kind == "home":
                e.home = True
                continue
            # a name joined to an excluded one is excluded too: by "or"/"và", or by a comma
            # when the list goes on ("not the US, EU or China"); a comma that ends the list
            # ends the exclusion ("Ngoài Bộ KHCN, Sở KHCN còn báo cáo cho ai?")
            after = e.spans[i + 1] if i + 1 < len(e.spans) else None
            listed = last_excluded_end >= 0 and (
                conjoined(last_excluded_end, start)
                or (
                    not gap(last_excluded_end, start)
                    and after is not None
                    and not gap(end, after[0])
                )
            )
            # a cue negates the first name after it; later ones only when listed with it
            cued = any(
                _after([cue], start, plain_view)
                and not any(a >= cue[1] and b <= start for a, b, _, _ in e.spans[:i])
                for cue in negations
            )
            if kind not in ("places", "countries") and (cued or listed):
                excluded = e.excluded.setdefault(kind, [])
                if ref not in excluded:
                    excluded.append(ref)
                last_excluded_end = end
                continue
            bucket: list[str] = getattr(e, kind)
            if ref not in bucket:
                bucket.append(ref)
            if kind == "agencies" and _after(sent_to, start, plain_view, RECIPIENT_WINDOW):
                e.recipients.append(ref)
        for start, _ in self.lexicon.spans("annual", plain_view):
            if _after(negations, start, plain_view):
                e.excluded_annual = True
        for m in WTO_SYMBOL.finditer(plain_view):  # a measure by its WTO symbol
            found = self.by_symbol.get(f"g/{m.group(1)}/n/{m.group(2)}/{int(m.group(3))}")
            if found and found not in e.measures:
                e.measures.append(found)
                e.spans = sorted([*e.spans, (m.start(), m.end(), "measures", found)])
        for m in HS_CODE.finditer(plain):
            code = re.sub(r"\D", "", m.group(1))
            for p in self.kb.products.values():
                coded = any(hs_overlap(c, code) for c in specific_codes(p.hs_codes))
                if coded and p.id not in e.products:
                    e.products.append(p.id)
        for country in e.countries:  # Germany: the EU's rules apply there
            market = self.kb.countries[country].market
            if market and market not in e.markets and market not in e.excluded.get("markets", []):
                e.markets.append(market)
        e.faq = self._faq(plain_view)
        return e

    def _cues(self, group: str, marked_view: str, plain_view: str) -> list[tuple[int, int]]:
        """Spans of a group's phrases: typed with marks they must match with them ("trừ" is
        not "trụ sở"); typed without ("khong do" in an otherwise marked question), without."""
        return self.lexicon.spans(group, marked_view, marked=True) + [
            (a, b)
            for a, b in self.lexicon.spans(group, plain_view)
            if not has_diacritics(marked_view[a:b])
        ]

    @staticmethod
    def _inside(
        spans: list[tuple[int, int]], outer: list[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        return [(a, b) for a, b in spans if any(x <= a and b <= y for x, y in outer)]

    def _faq(self, plain_view: str) -> list[str]:
        """An FAQ entry whose question is (nearly) this one, word for word."""
        asked = _word_set(plain_view)
        best, best_id = 0.0, ""
        for entry_id, title in self.faq_titles:
            union = len(asked | title)
            overlap = len(asked & title) / union if union else 0.0
            if overlap > best:
                best, best_id = overlap, entry_id
        return [best_id] if best >= FAQ_OVERLAP else []

    def _task_refs(self, plain: str, e: Entities) -> None:
        kb = self.kb
        taken: list[tuple[int, int]] = []

        def add(task_id: str, known: bool) -> None:
            bucket = e.tasks if known else e.unknown_tasks
            if task_id not in bucket:
                bucket.append(task_id)

        for m in GROUP_REF.finditer(plain):
            taken.append(m.span())
            if m.group(1) in kb.groups and m.group(1) not in e.groups:
                e.groups.append(m.group(1))
        for m in TASK_REF.finditer(plain):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            major, minor = m.group(1), m.group(2)
            taken.append(m.span())
            if minor is not None:
                task_id = f"{int(major)}.{int(minor)}"
                add(task_id, task_id in kb.tasks)
            elif major in kb.tasks:
                add(major, True)
            elif major in kb.groups:
                if major not in e.groups:
                    e.groups.append(major)
            elif len(major) == 2 and f"{major[0]}.{major[1]}" in kb.tasks:
                add(f"{major[0]}.{major[1]}", True)  # "nv34": the dot was not typed
            elif not m.group(0).startswith(("muc", "item", "#")):
                add(major, False)
        for m in BARE_TASK.finditer(plain):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            task_id = f"{int(m.group(1))}.{int(m.group(2))}"
            if task_id in kb.tasks:
                add(task_id, True)  # a number the plan lacks counts only after a task word


def _document_names(lb: LegalBasis) -> list[str]:
    """The names people use for a document the plan cites: its title without the date, and for
    a law shorter forms in both languages ("Luật sửa đổi, bổ sung một số điều của Luật X" is
    also "Luật sửa đổi Luật X"; in English "the Law on X", or "the law amending the Law on X").
    """
    name = lb.text_vi.split(" ngày ")[0]
    if lb.kind != "Luật":
        return [name]
    short = name.replace(", bổ sung một số điều của", "")
    subject = lb.subject_en
    if subject.lower().startswith("amending") and " of the " in subject:
        english = f"law amending the {subject.split(' of the ', 1)[1]}"
    else:
        english = f"Law on {subject}"
    return [name, *(n for n in (short, english) if n != name)]


def _word_set(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold_plain(text)) if len(w) > 1}


def _after(cues: list[tuple[int, int]], start: int, view: str, window: int = 0) -> bool:
    """Whether a name starting at `start` follows one of the cues within a few words."""
    for _, end in cues:
        if end <= start and len(view[end:start].split()) <= (window or NEGATION_WINDOW):
            return True
    return False
