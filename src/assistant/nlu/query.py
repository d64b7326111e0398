"""The Query: a question with every decision understanding made about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from assistant.nlu.entities import Entities

if TYPE_CHECKING:
    from assistant.retrieve import Hit


class Intent(StrEnum):
    """What kind of answer a question calls for.

    The classifier learns the intents that have an example file in nlu/intents/; the others are
    refinements that entities decide (a task number the plan lacks, a group, a timeframe filter,
    a question about another province or document).
    """

    EMPTY = "empty"
    HELP = "help"
    TASK = "task"
    TASK_UNKNOWN = "task_unknown"
    AGENCY = "agency"
    AGENCY_TASKS = "agency_tasks"
    AGENCY_LIST = "agency_list"
    AGENCY_BY_DUTY = "agency_by_duty"
    TASK_LIST = "task_list"
    GROUP = "group"
    TIMEFRAME = "timeframe"
    DEADLINE = "deadline"
    TARGETS = "targets"
    SUPPORT = "support"
    FUNDING = "funding"
    AMOUNT = "amount"
    CONTACT = "contact"
    MEASURE = "measure"
    TBT = "tbt"
    META = "meta"
    DOCUMENT = "document"
    FAQ = "faq"
    FREE = "free"
    OUT_OF_SCOPE = "out_of_scope"
    OTHER_SCOPE = "other_scope"


@dataclass
class Query:
    """A cleaned question, its vector, and what understanding decided."""

    raw: str
    text: str
    lang: str
    marked: bool
    truncated: bool = False
    vector: np.ndarray | None = None
    intent: Intent = Intent.FREE
    predicted: str = ""
    confidence: float = 0.0
    margin: float = 0.0
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: Entities = field(default_factory=Entities)
    aspects: list[str] = field(default_factory=list)
    wants_list: bool = False
    define: bool = False
    timeframe: str | None = None
    target_scope: str | None = None
    asks_signer: bool = False
    support_tags: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)
    in_domain: bool = False
    about_plan: bool = False
    followup: bool = False
    scope_note: str | None = None
    # every chunk ranked for this question, once, by the answer stage (see SearchIntents._search)
    ranked_hits: list[Hit] | None = field(default=None, repr=False)

    # the entities most handlers read, by their short names
    @property
    def task_ids(self) -> list[str]:
        return self.entities.tasks

    @property
    def agencies(self) -> list[str]:
        return self.entities.agencies

    @property
    def products(self) -> list[str]:
        return self.entities.products

    @property
    def markets(self) -> list[str]:
        return self.entities.markets

    @property
    def role(self) -> str | None:
        """The task role asked about: partner, lead or duties, if any."""
        for aspect in ("partner", "lead", "duties"):
            if aspect in self.aspects:
                return aspect
        return None

    def decisions(self) -> dict[str, object]:
        """What was decided, for logs, `ask --json` and staff forwarding."""
        e = self.entities
        named = {
            k: v
            for k, v in (
                ("tasks", e.tasks),
                ("unknown_tasks", e.unknown_tasks),
                ("groups", e.groups),
                ("agencies", e.agencies),
                ("excluded", e.excluded),
                ("recipients", e.recipients),
                ("products", e.products),
                ("markets", e.markets),
                ("measures", e.measures),
                ("documents", e.documents + e.unknown_documents),
                ("places", e.places),
                ("faq", e.faq),
            )
            if v
        }
        return {
            "intent": self.intent.value,
            "predicted": self.predicted,
            "confidence": round(self.confidence, 3),
            "margin": round(self.margin, 3),
            "entities": named,
            "aspects": self.aspects,
            "asks": self.asks,
            "followup": self.followup,
        }
