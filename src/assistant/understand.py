"""Question understanding: language, intent and the entities a question names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from assistant.knowledge.base import KnowledgeBase
from assistant.text import clean, detect_lang, fold, fold_plain, has_diacritics

MAX_QUESTION = 1000


class Intent(StrEnum):
    """What kind of answer a question calls for."""

    EMPTY = "empty"
    HELP = "help"
    TASK = "task"
    TASK_UNKNOWN = "task_unknown"
    AGENCY = "agency"
    AGENCY_TASKS = "agency_tasks"
    TIMEFRAME = "timeframe"
    DEADLINE = "deadline"
    TARGETS = "targets"
    SUPPORT = "support"
    FUNDING = "funding"
    TBT = "tbt"
    MEASURE = "measure"
    META = "meta"
    CONTACT = "contact"
    AMOUNT = "amount"
    TASK_LIST = "task_list"
    DOCUMENT = "document"
    SECTION = "section"
    GROUP = "group"
    AGENCY_LIST = "agency_list"
    OUT_OF_SCOPE = "out_of_scope"
    FREE = "free"


def _cues(phrases: list[str]) -> re.Pattern[str]:
    """A word-bounded pattern over diacritic-free, lower-case text."""
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


def _load_cues() -> dict[str, re.Pattern[str]]:
    """The cue patterns from cues.yaml beside this module."""
    data = yaml.safe_load((Path(__file__).parent / "cues.yaml").read_text(encoding="utf-8"))
    return {name: _cues(phrases) for name, phrases in data.items()}


_CUES = _load_cues()
LEAD = _CUES["lead"]
PARTNER = _CUES["partner"]
DUTIES = _CUES["duties"]
LIST = _CUES["list"]
TASKWORD = _CUES["taskword"]
ANNUAL = _CUES["annual"]
DEADLINE = _CUES["deadline"]
REPORT = _CUES["report"]
TARGET = _CUES["target"]
SUPPORT = _CUES["support"]
FUNDING = _CUES["funding"]
TBT = _CUES["tbt"]
META = _CUES["meta"]
CONTACT = _CUES["contact"]
AMOUNT = _CUES["amount"]
GREETING = _CUES["greeting"]
HELP = _CUES["help"]
OFF_TOPIC = _CUES["off_topic"]
DOMAIN = _CUES["domain"]
ASK_AGENCY = _CUES["ask_agency"]
AGENCY_WORD = _CUES["agency_word"]
HOW_MANY = _CUES["how_many"]
WHICH_TASK = _CUES["which_task"]
ORIENTATION = _CUES["orientation"]
NEGATION = _CUES["negation"]
SIGNER = _CUES["signer"]
LEGAL = _CUES["legal"]
DOC_NUMBER = re.compile(
    r"\b(\d{1,4}\s*-\s*(?:nq|ct|kl|qd)\s*/\s*tw|\d{1,4}\s*/\s*(?:\d{4}\s*/\s*)?"
    r"(?:qd-ttg|qd|nd-cp|qh\d{2}|tt-bkhcn|kh-ubnd))\b"
)
GROUP_NUMBER = re.compile(r"\b(?:nhom|group)\s*(?:nhiem vu\s*)?(?:so\s*)?([1-9])\b")
DEFINE = _CUES["define"]
EXPORT = _CUES["export"]
PERIOD = re.compile(r"2026\s*[-–—đến toi to]+\s*2030|giai\s+doan\s+2026|period")
TASK_ID = re.compile(
    r"(?:(?<![\w.])(?:nhiem\s*vu|nv|task|muc|so|#)\s*([1-9]\d?(?:\.\d{1,2})?)(?![\d.]*\d))"
    r"|(?<![\w./])([1-9]\d?\.[0-9]{1,2})(?![\w/]|\.\d)"
)


@dataclass
class Query:
    """A cleaned question with what understanding found in it."""

    raw: str
    text: str
    lang: str
    plain: str
    marked: bool
    intent: Intent = Intent.FREE
    task_ids: list[str] = field(default_factory=list)
    unknown_tasks: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    role: str | None = None
    timeframe: str | None = None
    wants_list: bool = False
    section: str | None = None
    group: str | None = None
    generic_agencies: bool = False
    products: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    truncated: bool = False

    def has(self, pattern: re.Pattern[str]) -> bool:
        """Whether the question matches a cue pattern."""
        return bool(pattern.search(self.plain))


class AliasMatcher:
    """Finds named things (agencies, products) in a question by name or alias, longest first.

    A one-word alias with Vietnamese marks ("gỗ", "sắn") only matches the marked question:
    stripped of marks it would collide with common syllables ("go", "san" as in "sản phẩm").
    """

    def __init__(self, kb: KnowledgeBase, kind: str = "agencies") -> None:
        if kind == "agencies":
            named = [(a.id, [a.name_vi, a.name_en, *a.aliases]) for a in kb.agencies.values()]
        else:
            named = [(p.id, [p.name_vi, p.name_en, *p.aliases]) for p in kb.products.values()]
        entries: list[tuple[str, str, bool]] = []
        for item_id, names in named:
            for name in names:
                marked = len(name.split()) == 1 and has_diacritics(name)
                key = _norm_marked(name) if marked else _norm_alias(name)
                if len(key) > 1:
                    entries.append((key, item_id, marked))
        entries.sort(key=lambda e: -len(e[0]))
        # an English plural ("committees", "enterprises") still names the same thing
        self._entries = [
            (re.compile(rf"(?<![\w]){re.escape(k)}(?:s|es)?(?![\w])"), a, m) for k, a, m in entries
        ]

    def find(self, text: str) -> list[str]:
        """Ids named in the question, in order of appearance."""
        views = {False: _norm_alias(text), True: _norm_marked(text)}
        taken: dict[bool, list[tuple[int, int]]] = {False: [], True: []}
        found: list[tuple[int, str]] = []
        for pattern, item_id, marked in self._entries:
            for m in pattern.finditer(views[marked]):
                spans = taken[marked]
                if any(m.start() < end and start < m.end() for start, end in spans):
                    continue
                spans.append((m.start(), m.end()))
                if item_id not in {a for _, a in found}:
                    found.append((m.start(), item_id))
        return [a for _, a in sorted(found)]


def _norm_marked(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def _norm_alias(text: str) -> str:
    text = fold_plain(text).replace("&", " ").replace("/", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


MARKETS = ("EU", "US", "CN", "JP", "KR")


def understand(
    raw: str, kb: KnowledgeBase, matcher: AliasMatcher, products: AliasMatcher | None = None
) -> Query:
    """Classify a question and pull out task numbers, agencies and cues."""
    text = clean(raw)
    truncated = len(text) > MAX_QUESTION
    text = text[:MAX_QUESTION]
    plain = " ".join(re.sub(r"[^\w\s./&%-]", " ", fold_plain(text)).split())
    q = Query(
        raw=raw,
        text=text,
        lang=detect_lang(text),
        plain=plain,
        marked=has_diacritics(text),
        truncated=truncated,
    )
    if not re.search(r"[^\W_]", text):
        q.intent = Intent.EMPTY
        return q
    for m in TASK_ID.finditer(plain):
        tid = m.group(1) or m.group(2)
        if m.group(1) and "." not in tid and not TASKWORD.search(plain[: m.start() + 12]):
            continue  # "muc 3" or "so 5" alone is not a task number
        target = q.task_ids if tid in kb.tasks else q.unknown_tasks
        if tid not in target:
            target.append(tid)
    q.agencies = matcher.find(text)
    q.products = products.find(text) if products else []
    q.generic_agencies = bool(q.agencies) and all(
        kb.agencies[a].kind == "group" for a in q.agencies
    )
    q.markets = [m for m in MARKETS if _CUES[f"market_{m.lower()}"].search(plain)]
    if q.lang == "vi" and "US" not in q.markets and re.search(r"\b(my|hoa ky)\b", plain):
        q.markets.append("US")  # "Mỹ" loses its marks to the English word "my"
    q.wants_list = q.has(LIST)
    q.timeframe = "annual" if q.has(ANNUAL) else "period" if PERIOD.search(plain) else None
    q.role = (
        "partner"
        if q.has(PARTNER)
        else "lead"
        if q.has(LEAD)
        else "duties"
        if q.has(DUTIES)
        else None
    )
    q.section, q.group = _match_heading(plain, kb)
    number = GROUP_NUMBER.search(plain)
    if number and number.group(1) in kb.groups:
        q.group = number.group(1)
    q.intent = _classify(q)
    return q


def _match_heading(plain: str, kb: KnowledgeBase) -> tuple[str | None, str | None]:
    """A plan heading or task group whose whole title the question repeats."""
    best: tuple[int, str | None, str | None] = (0, None, None)
    about_plan = bool(re.search(r"\b(ke hoach|plan|section|nhom|group)\b", plain))
    for section in kb.body.sections:
        title = _norm_alias(section.title)
        size = len(title.split())
        if size >= 2 and (about_plan or size >= 4) and _contains(plain, title) and size > best[0]:
            best = (size, section.id, None)
    for group in kb.groups.values():
        for title in (_norm_alias(group.title_vi), _norm_alias(group.title_en)):
            size = len(title.split())
            if size >= 2 and _contains(plain, title) and size >= best[0]:
                best = (size, None, group.id)
    return best[1], best[2]


def _contains(plain: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", _norm_alias(plain)) is not None


def _classify(q: Query) -> Intent:
    words_count = len(q.plain.split())
    domain = q.has(DOMAIN) or bool(q.agencies) or bool(q.task_ids)
    if words_count <= 4 and (q.has(GREETING) or q.has(HELP)) and not domain:
        return Intent.HELP
    if q.has(CONTACT):
        return Intent.CONTACT
    if q.has(AMOUNT):
        return Intent.AMOUNT
    if q.task_ids:
        return Intent.TASK
    if DOC_NUMBER.search(q.plain):
        return Intent.DOCUMENT
    if (q.products or q.markets) and (q.has(EXPORT) or q.has(TBT) or (q.products and q.markets)):
        return Intent.MEASURE
    if q.unknown_tasks:
        return Intent.TASK_UNKNOWN
    if q.has(OFF_TOPIC) and not (q.has(TBT) or q.has(SUPPORT) and domain):
        return Intent.OUT_OF_SCOPE
    tasky = q.has(TASKWORD)
    if q.group and (tasky or q.wants_list):
        return Intent.GROUP
    if q.section and q.generic_agencies:
        return Intent.SECTION  # "yêu cầu của kế hoạch về doanh nghiệp": the heading wins
    if q.agencies:
        if q.has(HOW_MANY) or q.has(TARGET):
            return Intent.TARGETS
        if q.has(SUPPORT) and q.role != "duties":
            return Intent.SUPPORT
        if q.has(TBT):
            return Intent.TBT
        if q.has(DEADLINE) or (q.has(REPORT) and not tasky):
            return Intent.DEADLINE
        if q.has(ASK_AGENCY):
            return Intent.FREE  # the agency named is context; the answer is another one
        if q.role == "duties" or not (tasky or q.wants_list or q.role in ("lead", "partner")):
            return Intent.AGENCY
        return Intent.AGENCY_TASKS
    if q.has(AGENCY_WORD) and (q.wants_list or q.has(ASK_AGENCY)) and q.role == "duties":
        return Intent.AGENCY_LIST
    if q.timeframe and (tasky or q.wants_list):
        return Intent.TIMEFRAME
    if q.has(DEADLINE) and (q.has(REPORT) or not q.has(TARGET)):
        return Intent.DEADLINE
    if q.has(REPORT) and not q.has(TARGET):
        return Intent.DEADLINE
    if q.section and not (q.has(META) or q.has(TARGET) or q.has(HOW_MANY)):
        return Intent.SECTION
    if q.has(META):
        return Intent.META
    if q.has(FUNDING):
        return Intent.FUNDING
    if q.has(TBT) and q.has(SUPPORT):
        return Intent.SUPPORT
    if q.has(TBT):
        return Intent.TBT
    if q.has(WHICH_TASK):
        q.role = q.role or "lead"
        return Intent.FREE
    if tasky and q.wants_list:
        return Intent.TASK_LIST
    if q.has(HOW_MANY) or q.has(TARGET) and not q.has(SUPPORT):
        return Intent.TARGETS
    if q.has(SUPPORT):
        return Intent.SUPPORT
    if q.has(TARGET):
        return Intent.TARGETS
    if q.section or q.group:
        return Intent.SECTION
    if q.timeframe:
        return Intent.TIMEFRAME
    return Intent.FREE
