"""The facade every adapter calls: load once, answer many, reload atomically."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant import uploads
from assistant.answer.compose import Composer, finish
from assistant.answer.draft import Draft
from assistant.answer.models import Answer
from assistant.answer.search_intents import decline
from assistant.embed.base import Encoder
from assistant.embed.st import make_encoder
from assistant.errors import Problem
from assistant.index.store import (
    BuildReport,
    Manifest,
    Progress,
    StoredIndex,
    build_index,
    load_index,
)
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.loader import load_or_raise
from assistant.retrieve import Searcher
from assistant.settings import Settings
from assistant.understand import AliasMatcher, Intent, Query, understand

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to an uploaded knowledge file."""

    rel: str
    problems: list[Problem]
    backup: Path | None
    report: BuildReport | None


@dataclass(frozen=True)
class _State:
    """Everything one generation of the knowledge needs to answer; swapped as a whole."""

    kb: KnowledgeBase
    searcher: Searcher
    composer: Composer
    matcher: AliasMatcher
    products: AliasMatcher
    manifest: Manifest


def _make_state(kb: KnowledgeBase, stored: StoredIndex, encoder: Encoder) -> _State:
    searcher = Searcher(stored, encoder)
    return _State(
        kb,
        searcher,
        Composer(kb, searcher),
        AliasMatcher(kb),
        AliasMatcher(kb, "products"),
        stored.manifest,
    )


class Assistant:
    """Answers questions from the knowledge base and its index."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self._encoder = encoder
        self._state: _State | None = None
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = make_encoder(self.settings.encoder, self.settings.model_path)
        return self._encoder

    @property
    def state(self) -> _State:
        """The current generation, loaded from disk on first use (building if needed)."""
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = self._load(build_if_stale=True)
        return self._state

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use."""
        return self.state.kb

    def _load(self, build_if_stale: bool) -> _State:
        kb = load_or_raise(self.settings.knowledge_dir)
        encoder = self.encoder
        try:
            stored = load_index(self.settings.index_dir)
            stale = (
                stored.manifest.knowledge_hash != kb.knowledge_hash
                or stored.manifest.model != encoder.name
            )
        except Exception:  # a missing or damaged index is rebuilt below
            stored, stale = None, True
        if stale and build_if_stale:
            log.info("index missing or stale; building")
            build_index(kb, encoder, self.settings.index_dir)
            stored = load_index(self.settings.index_dir)
        assert stored is not None
        return _make_state(kb, stored, encoder)

    def build(self, progress: Progress | None = None) -> BuildReport:
        """Validate the knowledge, rebuild the index incrementally and swap both in."""
        kb = load_or_raise(self.settings.knowledge_dir)
        report = build_index(kb, self.encoder, self.settings.index_dir, progress)
        stored = load_index(self.settings.index_dir)
        new = _make_state(kb, stored, self.encoder)
        with self._lock:
            self._state = new
        return report

    def upload(self, file_name: str, data: bytes) -> UploadOutcome:
        """Validate an uploaded knowledge file; if it is good, back up, replace and rebuild."""
        rel = uploads.target_for(file_name)
        check = uploads.check_upload(self.settings.knowledge_dir, rel, data)
        if check.problems:
            return UploadOutcome(rel, check.problems, None, None)
        backup = uploads.replace_file(
            self.settings.knowledge_dir, self.settings.data_dir / "backups", rel, data
        )
        return UploadOutcome(rel, [], backup, self.build())

    def warm_up(self) -> None:
        """Load the knowledge, the index and the model now rather than on the first question."""
        self.state.searcher.search("khởi động", "vi", k=1)

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return dt.datetime.now(ZoneInfo(self.settings.timezone)).date()

    def ask(self, question: str, today: dt.date | None = None) -> Answer:
        """Answer one question; never raises for odd input."""
        state = self.state
        started = time.perf_counter()
        q = understand(question, state.kb, state.matcher, state.products)
        if q.intent in (Intent.EMPTY, Intent.HELP):
            answer = self._help(q)
        elif q.intent is Intent.OUT_OF_SCOPE:
            d = Draft(lang=q.lang)
            decline(q, d)
            answer = finish(q, d, False)
        else:
            answer = state.composer.compose(q, today or self.today())
        log.debug(
            "answered %r as %s in %.0f ms",
            q.text[:60],
            answer.intent,
            (time.perf_counter() - started) * 1000,
        )
        return answer

    def question_for(self, text: str) -> Query:
        """How a question is understood, without answering it (for adapters' routing)."""
        state = self.state
        return understand(text, state.kb, state.matcher, state.products)

    def find_agency(self, text: str) -> str | None:
        """The agency a name or alias refers to, if any."""
        found = self.state.matcher.find(text)
        return found[0] if found else None

    def find_products(self, text: str) -> tuple[list[str], list[str]]:
        """Products and markets named in a text (for /watch and /tbt search)."""
        q = self.question_for(text)
        return q.products, q.markets

    def help(self, lang: str) -> Answer:
        """The introduction with example questions."""
        return self._help(self.question_for("help" if lang == "en" else "giúp tôi"))

    def _help(self, q: Query) -> Answer:
        d = Draft(lang=q.lang)
        if q.lang == "en":
            d.text(
                "Hello! I answer questions on Gia Lai's plan to implement the National "
                "Standards Strategy 2026-2035 and on technical barriers to trade (TBT)."
            )
            for example in EXAMPLES_EN:
                d.item(example)
        else:
            d.text(
                "Xin chào! Tôi trả lời câu hỏi về Kế hoạch triển khai Chiến lược tiêu chuẩn "
                "quốc gia 2026-2035 của tỉnh Gia Lai và về hàng rào kỹ thuật trong thương "
                "mại (TBT)."
            )
            for example in EXAMPLES_VI:
                d.item(example)
        return finish(q, d, q.intent is Intent.HELP)


EXAMPLES_VI = [
    "Ai chủ trì nhiệm vụ 3.2?",
    "Sở Khoa học và Công nghệ chủ trì những nhiệm vụ nào?",
    "Hạn báo cáo hằng năm là khi nào?",
    "Doanh nghiệp có sản phẩm OCOP được hỗ trợ gì?",
    "Mục tiêu đến năm 2030 là gì?",
    "TBT là gì?",
]
EXAMPLES_EN = [
    "Who leads task 3.2?",
    "Which tasks does the Department of Science and Technology lead?",
    "When is the annual report due?",
    "What support can an OCOP producer get?",
    "What are the 2030 targets?",
    "What is TBT?",
]
