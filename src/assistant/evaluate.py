"""Measure answer quality on the gold set: retrieval, facts and abstention, per category."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.answer.models import Answer
from assistant.text import fold

EVAL_DAY = dt.date(2026, 11, 25)


class GoldItem(BaseModel):
    """One gold question with what a right answer must contain."""

    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    category: Literal["vi", "vi_plain", "en", "paraphrase", "list", "out_of_scope", "tbt"]
    lang: Literal["vi", "en"]
    sources: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    abstain: bool = False
    file: str = ""


@dataclass
class Outcome:
    """How one answer scored."""

    item: GoldItem
    answer: Answer
    rank: int | None
    facts_ok: bool
    missing: list[str]

    @property
    def correct(self) -> bool:
        """Right decision, and for answerable questions every fact present."""
        if self.item.abstain:
            return not self.answer.confident
        return self.answer.confident and self.facts_ok


@dataclass
class Scores:
    """Aggregates for one slice of the gold set."""

    n: int = 0
    answerable: int = 0
    abstain: int = 0
    r1: int = 0
    r5: int = 0
    rr: float = 0.0
    with_sources: int = 0
    accurate: int = 0
    declined_right: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.n += 1
        self.outcomes.append(o)
        if o.item.abstain:
            self.abstain += 1
            self.declined_right += int(not o.answer.confident)
            return
        self.answerable += 1
        self.accurate += int(o.correct)
        if o.item.sources:
            self.with_sources += 1
            if o.rank is not None:
                self.r1 += int(o.rank == 1)
                self.r5 += int(o.rank <= 5)
                self.rr += 1.0 / o.rank

    def row(self) -> dict[str, str]:
        def pct(a: float, b: int) -> str:
            return f"{100 * a / b:5.1f}" if b else "    -"

        return {
            "n": str(self.n),
            "R@1": pct(self.r1, self.with_sources),
            "R@5": pct(self.r5, self.with_sources),
            "MRR": f"{self.rr / self.with_sources:.3f}" if self.with_sources else "    -",
            "answer acc": pct(self.accurate, self.answerable),
            "abstain acc": pct(self.declined_right, self.abstain),
        }


def load_gold(path: Path) -> list[GoldItem]:
    """The gold questions of one file, or of every .yaml file in a folder."""
    paths = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    items: list[GoldItem] = []
    for one in paths:
        data = yaml.safe_load(one.read_text(encoding="utf-8"))
        items += [GoldItem.model_validate({**item, "file": one.stem}) for item in data["questions"]]
    return items


def score(item: GoldItem, answer: Answer) -> Outcome:
    """Score one answer against its gold item."""
    ids = [s.id for s in answer.sources]
    rank = next((i for i, s in enumerate(ids, 1) if s in set(item.sources)), None)
    text = fold(answer.answer)
    missing = [f for f in item.facts if fold(f) not in text]
    return Outcome(item, answer, rank, not missing, missing)


def summarize(outcomes: list[Outcome]) -> dict[str, Scores]:
    """Scores overall, per category and per split."""
    groups: dict[str, Scores] = defaultdict(Scores)
    for o in outcomes:
        for key in ("all", f"category:{o.item.category}", f"file:{o.item.file}"):
            groups[key].add(o)
    return dict(groups)


def table(groups: dict[str, Scores]) -> str:
    """A fixed-width table of the scores."""
    cols = ["n", "R@1", "R@5", "MRR", "answer acc", "abstain acc"]
    lines = [f"{'slice':<22}" + "".join(f"{c:>12}" for c in cols)]
    for key in sorted(groups, key=lambda k: (k != "all", k)):
        row = groups[key].row()
        lines.append(f"{key:<22}" + "".join(f"{row[c]:>12}" for c in cols))
    return "\n".join(lines)
