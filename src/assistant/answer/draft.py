"""A small builder that collects blocks, tasks and sources while an answer is composed."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer.labels import timeframe_text
from assistant.answer.models import Answer, Block, SourceRef, TaskRef
from assistant.answer.render import render_text
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Task


@dataclass
class Draft:
    """Blocks, task references and sources of an answer under construction."""

    lang: str
    blocks: list[Block] = field(default_factory=list)
    tasks: list[TaskRef] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    forwardable: bool = False

    def title(self, text: str) -> None:
        self.blocks.append(Block(kind="title", text=text))

    def text(self, text: str) -> None:
        self.blocks.append(Block(kind="text", text=text))

    def item(self, text: str) -> None:
        self.blocks.append(Block(kind="item", text=text))

    def note(self, text: str) -> None:
        self.blocks.append(Block(kind="note", text=text))

    def quote(self, text: str, quote_lang: str = "vi") -> None:
        self.blocks.append(Block(kind="quote", text=text, quote_lang=quote_lang))

    def source(self, source_id: str, title: str, file: str, score: float | None = None) -> None:
        if all(s.id != source_id for s in self.sources):
            self.sources.append(SourceRef(id=source_id, title=title, file=file, score=score))

    def answer(
        self,
        question: str,
        intent: str,
        confident: bool,
        understanding: dict[str, object] | None = None,
    ) -> Answer:
        """The finished Answer, with its plain-text rendering."""
        answer = Answer(
            question=question,
            lang=self.lang,
            intent=intent,
            confident=confident,
            forwardable=self.forwardable and not confident,
            understanding=understanding or {},
            tasks=self.tasks,
            sources=self.sources,
            blocks=self.blocks,
        )
        answer.answer = render_text(answer)
        return answer

    def task_ref(self, kb: KnowledgeBase, task: Task) -> None:
        if any(t.id == task.id for t in self.tasks):
            return
        en = self.lang == "en"
        self.tasks.append(
            TaskRef(
                id=task.id,
                title=task.title_en if en else task.title_vi,
                lead=kb.agency_names([task.lead], self.lang)[0],
                partners=kb.agency_names(task.partners, self.lang),
                timeframe=timeframe_text(task.timeframe, self.lang),
            )
        )
