"""The Answer model: a public contract for `ask --json`, the chat and the bot."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

BlockKind = Literal["title", "text", "item", "quote", "note", "source"]


class Block(BaseModel):
    """One piece of an answer; renderers turn blocks into plain text or Telegram HTML."""

    kind: BlockKind
    text: str
    quote_lang: str | None = None


class TaskRef(BaseModel):
    """A task mentioned by an answer, with the exact facts of its table row."""

    id: str
    title: str
    lead: str
    partners: list[str]
    timeframe: str


class SourceRef(BaseModel):
    """Where an answer comes from."""

    id: str
    title: str
    file: str
    score: float | None = None


class Answer(BaseModel):
    """A composed answer; `answer` is its plain-text rendering."""

    question: str
    lang: str
    intent: str
    answer: str = ""
    confident: bool
    tasks: list[TaskRef] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    # added with data-driven understanding: a decline staff can take over, and the decisions
    forwardable: bool = False
    understanding: dict[str, object] = Field(default_factory=dict)
    blocks: list[Block] = Field(default_factory=list, exclude=True)

    def public(self) -> dict[str, object]:
        """The stable JSON contract of `ask --json` (fields may be added, never changed)."""
        return self.model_dump(mode="json")
