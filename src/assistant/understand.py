"""Question understanding: language, intent and the entities a question names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from assistant.knowledge.base import KnowledgeBase
from assistant.text import clean, detect_lang, fold_plain, has_diacritics

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
    truncated: bool = False

    def has(self, pattern: re.Pattern[str]) -> bool:
        """Whether the question matches a cue pattern."""
        return bool(pattern.search(self.plain))


class AliasMatcher:
    """Finds agencies in a question by name or alias, longest match first."""

    def __init__(self, kb: KnowledgeBase) -> None:
        pairs: list[tuple[str, str]] = []
        for agency in kb.agencies.values():
            for name in (agency.name_vi, agency.name_en, *agency.aliases):
                key = _norm_alias(name)
                if key:
                    pairs.append((key, agency.id))
        pairs.sort(key=lambda p: -len(p[0]))
        self._pairs = [(re.compile(rf"(?<![\w]){re.escape(k)}(?![\w])"), a) for k, a in pairs]

    def find(self, plain: str) -> list[str]:
        """Agency ids named in diacritic-free text, in order of appearance."""
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, str]] = []
        text = _norm_alias(plain)
        for pattern, agency_id in self._pairs:
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue
                taken.append((m.start(), m.end()))
                if agency_id not in {a for _, a in found}:
                    found.append((m.start(), agency_id))
        return [a for _, a in sorted(found)]


def _norm_alias(text: str) -> str:
    text = fold_plain(text).replace("&", " ").replace("/", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def understand(raw: str, kb: KnowledgeBase, matcher: AliasMatcher) -> Query:
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
    q.agencies = matcher.find(plain)
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
    q.intent = _classify(q)
    return q


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
    if q.unknown_tasks:
        return Intent.TASK_UNKNOWN
    if q.has(OFF_TOPIC) and not (q.has(TBT) or q.has(SUPPORT) and domain):
        return Intent.OUT_OF_SCOPE
    tasky = q.has(TASKWORD)
    if q.agencies:
        if q.has(DEADLINE) or (q.has(REPORT) and not tasky):
            return Intent.DEADLINE
        if tasky or q.wants_list or q.role in ("lead", "partner"):
            return Intent.AGENCY_TASKS
        return Intent.AGENCY
    if q.timeframe and (tasky or q.wants_list):
        return Intent.TIMEFRAME
    if q.has(DEADLINE) and (q.has(REPORT) or not q.has(TARGET)):
        return Intent.DEADLINE
    if q.has(REPORT) and not q.has(TARGET):
        return Intent.DEADLINE
    if q.has(META):
        return Intent.META
    if q.has(FUNDING):
        return Intent.FUNDING
    if q.has(TBT):
        return Intent.TBT
    if q.has(SUPPORT):
        return Intent.SUPPORT
    if q.has(TARGET):
        return Intent.TARGETS
    if q.timeframe:
        return Intent.TIMEFRAME
    return Intent.FREE
