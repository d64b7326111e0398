"""The facade every adapter calls: load once, answer many, reload atomically."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import gc
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant import uploads
from assistant.answer import direct
from assistant.answer.compose import Composer
from assistant.answer.models import Answer
from assistant.embed.base import Encoder
from assistant.embed.factory import make_encoder
from assistant.embed.lazy import LazyEncoder
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
from assistant.nlu.classifier import cross_validated, ensure_model, load_examples, training_set
from assistant.nlu.dialogue import Dialogues
from assistant.nlu.entities import EntityExtractor, doc_key
from assistant.nlu.query import Intent, Query
from assistant.nlu.understand import Understander
from assistant.retrieve import Searcher
from assistant.settings import Settings
from assistant.tbt_import import TableReport, import_table
from assistant.text import valid_unicode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to an uploaded knowledge file."""

    rel: str
    problems: list[Problem]
    backup: Path | None
    report: BuildReport | None


@dataclass(frozen=True)
class ImportOutcome:
    """What an imported table did: its report, the rebuild if anything changed, its token."""

    report: TableReport
    build: BuildReport | None
    token: str


@dataclass(frozen=True)
class _State:
    """Everything one generation of the knowledge needs to answer; swapped as a whole."""

    kb: KnowledgeBase
    searcher: Searcher
    composer: Composer
    understander: Understander
    manifest: Manifest


def _make_state(
    kb: KnowledgeBase,
    stored: StoredIndex,
    encoder: Encoder,
    index_dir: Path,
    previous: _State | None = None,
) -> _State:
    searcher = Searcher(stored, encoder, previous=previous.searcher if previous else None)
    extractor = EntityExtractor(kb)
    model = ensure_model(extractor, encoder, index_dir, kb.names_hash)
    understander = Understander(kb, encoder, model, extractor)
    composer = Composer(kb, searcher, previous.composer if previous else None)
    composer.coverage  # noqa: B018 - matched here, before the swap, not on someone's question
    return _State(kb, searcher, composer, understander, stored.manifest)


def release_freed_memory(collect: bool = True) -> None:
    """Hand the old generation's freed heap back to the system (glibc's malloc_trim).

    A swap frees hundreds of megabytes at 50,000 notifications, scattered among what stays;
    without this the process keeps them, and the next build's peak starts from there. The
    garbage collector's full pass (0.3 s at 50,000) runs only with `collect`.
    """
    if collect:
        gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


FOCUSED = 2  # an answer citing at most this many records of a kind is about them


def answered_subject(q: Query, answer: Answer, kb: KnowledgeBase) -> Query:
    """The turn as a follow-up should see it: with what the answer turned out to be about.

    "Luật Tiêu chuẩn … ban hành ngày nào?" names no number, but its answer is one legal
    basis; "số hiệu là gì?" next is about that one. Only a confident, focused answer counts.
    """
    if not answer.confident:
        return q
    found: dict[str, list[str]] = {}
    for source in answer.sources:
        kind, _, ref = source.id.partition(":")
        found.setdefault(kind, []).append(ref)
    e = dataclasses.replace(q.entities)
    # the tasks the answer was about: its task records, else those of its targets or support
    # (a measure answer cites task 5.3 as who to ask: that is not what it was about)
    of_records = list(found.get("task", [])) if q.intent != Intent.MEASURE else []
    if q.intent in (Intent.TARGETS, Intent.SUPPORT):  # not the programme beside a measure
        of_records += [t for ref in found.get("target", []) for t in kb.targets[ref].tasks]
        of_records += [kb.programmes[ref].task or "" for ref in found.get("support", [])]
    tasks = [t for t in dict.fromkeys(of_records) if t]
    if not e.tasks and 0 < len(tasks) <= FOCUSED:
        e.tasks = tasks
    if not e.measures and 0 < len(found.get("measure", [])) <= FOCUSED:
        e.measures = found["measure"][:FOCUSED]
    if not e.documents:
        numbers = [
            doc_key(lb.number)
            for lb in kb.plan.legal_bases
            if lb.number and lb.id in found.get("legal", [])[:1]
        ]
        e.documents = numbers
    return dataclasses.replace(q, entities=e)


class Assistant:
    """Answers questions from the knowledge base and its index."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self._encoder = encoder
        self._state: _State | None = None
        self._lock = threading.Lock()
        self.dialogues = Dialogues()

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = make_encoder(self.settings)
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
        encoder = self.encoder
        if isinstance(encoder, LazyEncoder):
            encoder.prefetch()  # the model loads while the knowledge does
        kb = load_or_raise(self.settings.knowledge_dir)
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
        return _make_state(kb, stored, encoder, self.settings.index_dir)

    def build(self, progress: Progress | None = None) -> BuildReport:
        """Validate the knowledge, rebuild the index incrementally and swap both in."""
        release_freed_memory(collect=False)  # what an import let go: start low
        current = self._state
        kb = load_or_raise(self.settings.knowledge_dir, current.kb if current else None)
        report = build_index(
            kb,
            self.encoder,
            self.settings.index_dir,
            progress,
            current.searcher.stored if current else None,
            current.kb if current else None,
        )
        assert report.stored is not None
        new = _make_state(kb, report.stored, self.encoder, self.settings.index_dir, current)
        self.encoder.release_batch()  # intent examples may have been embedded as a batch
        report.stored = new.searcher.stored  # the copy faiss holds; the built matrix is let go
        with self._lock:
            self._state = new
        del current, kb
        release_freed_memory()
        return report

    def upload(self, file_name: str, data: bytes) -> UploadOutcome:
        """Validate an uploaded knowledge file; if it is good, back up, replace and rebuild."""
        return self.replace_knowledge_file(uploads.target_for(file_name), data)

    def replace_knowledge_file(self, rel: str, data: bytes) -> UploadOutcome:
        """Validate new content for one knowledge file against the rest; if good, apply it."""
        check = uploads.check_upload(self.settings.knowledge_dir, rel, data)
        if check.problems:
            return UploadOutcome(rel, check.problems, None, None)
        backup = uploads.replace_file(
            self.settings.knowledge_dir, self.settings.data_dir / "backups", rel, data
        )
        return UploadOutcome(rel, [], backup, self.build())

    def import_table(self, file_name: str, data: bytes) -> ImportOutcome:
        """Import an uploaded sheet of measures or export of notifications; rebuild if changed.

        With any rejected row nothing is written; the file is kept under a token so that
        `import_good_rows(token)` can take the good rows once staff have seen the report.
        """
        token = uploads.keep_table(self._imports, file_name, data)
        return self._import(token, keep_good=False)

    def import_good_rows(self, token: str) -> ImportOutcome:
        """Import the good rows of a table uploaded before, leaving out the rejected ones."""
        return self._import(token, keep_good=True)

    @property
    def _imports(self) -> Path:
        return self.settings.data_dir / "imports"

    def _import(self, token: str, keep_good: bool) -> ImportOutcome:
        path = uploads.kept_table(self._imports, token)
        report = import_table(self.settings.knowledge_dir, path, self.today(), keep_good=keep_good)
        return ImportOutcome(report, self.build() if report.written else None, token)

    def warm_up(self) -> None:
        """Load the knowledge, the index and the model now rather than on the first question."""
        self.understand("khởi động")

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return dt.datetime.now(ZoneInfo(self.settings.timezone)).date()

    def ask(self, question: str, today: dt.date | None = None) -> Answer:
        """Answer one question on its own; never raises for odd input."""
        return self._answer(self.understand(question), today)

    def converse(self, key: tuple[str, str], question: str, today: dt.date | None = None) -> Answer:
        """Answer a question in a conversation: a follow-up resolves against the last turn.

        `key` is (channel, user id); each conversation keeps only its last understood turn.
        """
        q = self.understand(question, self.dialogues.last(key))
        answer = self._answer(q, today)
        self.dialogues.remember(key, answered_subject(q, answer, self.kb))
        return answer

    def _answer(self, q: Query, today: dt.date | None) -> Answer:
        started = time.perf_counter()
        answer = self.state.composer.compose(q, today or self.today())
        log.debug(
            "answered %r as %s in %.0f ms",
            q.text[:60],
            answer.intent,
            (time.perf_counter() - started) * 1000,
        )
        return answer

    def understand(self, text: str, previous: Query | None = None) -> Query:
        """How a question is understood, without answering it."""
        # undecodable bytes that reached us as lone surrogates could be neither encoded by
        # the tokenizer nor stored: they become U+FFFD here, for every channel
        return self.state.understander.understand(valid_unicode(text), previous)

    def find_agency(self, text: str) -> str | None:
        """The agency a name or alias refers to, if any."""
        found = self.state.understander.extractor.extract(text).agencies
        return found[0] if found else None

    def find_products(self, text: str) -> tuple[list[str], list[str]]:
        """Products and markets named in a text (for /watch and /tbt search)."""
        e = self.state.understander.extractor.extract(text)
        return e.products, e.markets

    def measure_deadlines(
        self, pairs: list[tuple[str, str]], lang: str, today: dt.date | None = None
    ) -> Answer:
        """Coming dates of the measures for (product, market) pairs, "" for any market.

        With no pair, every measure of the database: what an exporter sees before watching.
        """
        kb, composer = self.kb, self.state.composer
        known = [(p, m) for p, m in pairs if p in kb.products]
        found = {
            x.id: x for p, m in known for x in composer.matching_measures([p], [m] if m else [])
        }
        measures = list(found.values()) if known else list(kb.measures.values())
        scope = "; ".join(
            " — ".join(
                x
                for x in (
                    kb.products[p].name_en if lang == "en" else kb.products[p].name_vi,
                    kb.market_name(m, lang) if m in kb.markets else "",
                )
                if x
            )
            for p, m in known
        ) or ("every product" if lang == "en" else "mọi sản phẩm")
        return direct.measure_deadlines(kb, measures, scope, lang, today or self.today())

    def intent_cross_validation(self, folds: int = 5) -> tuple[list[str], list[str]]:
        """(true, predicted) intents of every training example, each from a model without it."""
        nlu = self.state.understander
        cached = nlu.model.cached_vectors() if nlu.model else {}
        data = training_set(load_examples(), self.encoder, nlu.extractor, cached)
        return cross_validated(data, folds)

    def help(self, lang: str) -> Answer:
        """The introduction with example questions."""
        q = Query(raw="", text="/help", lang=lang, marked=False, intent=Intent.HELP)
        return self._answer(q, None)
