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
from assistant.text import fold, has_diacritics

EVAL_DAY = dt.date(2026, 11, 25)
# the first seven are the development sets' (by language and kind); the rest are the blind
# set's (by what is asked)
Category = Literal[
    "vi",
    "vi_plain",
    "en",
    "paraphrase",
    "list",
    "out_of_scope",
    "tbt",
    "task",
    "activity",
    "target",
    "deadline",
    "support",
    "funding",
    "duty",
    "legal",
    "meta",
    "measure",
    "negation",
    "other_plan",
    # the TBT database (blind3_tbt): an exporter's checklist, a measure's dates or name,
    # a product named by HS code, who to ask
    "checklist",
    "measure_date",
    "measure_named",
    "hs_code",
    "who_to_ask",
]


class GoldItem(BaseModel):
    """One gold question with what a right answer must contain."""

    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    category: Category
    lang: Literal["vi", "en"]
    sources: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    abstain: bool = False
    file: str = ""

    @property
    def form(self) -> str:
        """How the question is typed: vi (with marks), vi_plain (without) or en."""
        if self.lang == "en":
            return "en"
        return "vi" if has_diacritics(self.question) else "vi_plain"


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


class Turn(BaseModel):
    """One turn of a gold conversation."""

    model_config = ConfigDict(extra="forbid")

    question: str
    lang: Literal["vi", "en"]
    sources: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    abstain: bool = False


class Dialogue(BaseModel):
    """A gold conversation: later turns only make sense after the earlier ones."""

    model_config = ConfigDict(extra="forbid")

    id: str
    turns: list[Turn] = Field(min_length=2)
    file: str = ""


def _files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def load_gold(path: Path) -> list[GoldItem]:
    """The gold questions of one file, or of every question file in a folder."""
    items: list[GoldItem] = []
    for one in _files(path):
        data = yaml.safe_load(one.read_text(encoding="utf-8"))
        for item in data.get("questions", []):
            items.append(GoldItem.model_validate({**item, "file": one.stem}))
    return items


def load_dialogues(path: Path) -> list[Dialogue]:
    """The gold conversations of one file, or of every dialogue file in a folder."""
    out: list[Dialogue] = []
    for one in _files(path):
        data = yaml.safe_load(one.read_text(encoding="utf-8"))
        for item in data.get("dialogues", []):
            out.append(Dialogue.model_validate({**item, "file": one.stem}))
    return out


def as_item(dialogue: Dialogue, index: int) -> GoldItem:
    """One turn of a conversation as a gold item, for scoring."""
    turn = dialogue.turns[index]
    return GoldItem(
        id=f"{dialogue.id}.{index + 1}",
        question=turn.question,
        category="paraphrase",
        lang=turn.lang,
        sources=turn.sources,
        facts=turn.facts,
        abstain=turn.abstain,
        file=dialogue.file,
    )


def score(item: GoldItem, answer: Answer) -> Outcome:
    """Score one answer against its gold item."""
    ids = [s.id for s in answer.sources]
    rank = next((i for i, s in enumerate(ids, 1) if s in set(item.sources)), None)
    text = fold(answer.answer)
    missing = [f for f in item.facts if fold(f) not in text]
    return Outcome(item, answer, rank, not missing, missing)


def summarize(outcomes: list[Outcome]) -> dict[str, dict[str, Scores]]:
    """Scores of each set apart: the whole set, per category and per form of typing."""
    sets: dict[str, dict[str, Scores]] = defaultdict(lambda: defaultdict(Scores))
    for o in outcomes:
        groups = sets[o.item.file]
        for key in ("all", f"category:{o.item.category}", f"form:{o.item.form}"):
            groups[key].add(o)
    return {name: dict(groups) for name, groups in sets.items()}


def accuracy(scores: Scores) -> float:
    """Right decisions over all questions: answered right, or declined when it should."""
    return (scores.accurate + scores.declined_right) / scores.n if scores.n else 0.0


def table(groups: dict[str, Scores]) -> str:
    """A fixed-width table of the scores of one set."""
    cols = ["n", "R@1", "R@5", "MRR", "answer acc", "abstain acc", "overall"]
    lines = [f"{'slice':<22}" + "".join(f"{c:>12}" for c in cols)]
    for key in sorted(groups, key=lambda k: (k != "all", not k.startswith("form"), k)):
        row = {**groups[key].row(), "overall": f"{100 * accuracy(groups[key]):5.1f}"}
        lines.append(f"{key:<22}" + "".join(f"{row[c]:>12}" for c in cols))
    return "\n".join(lines)


def confusion_table(truth: list[str], predicted: list[str]) -> str:
    """Rows are the true intents, columns (numbered as the rows) the predicted ones."""
    labels = sorted(set(truth) | set(predicted))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for t, p in zip(truth, predicted, strict=True):
        counts[(t, p)] += 1
    lines = [f"{'true / predicted':<20}" + "".join(f"{i:>5}" for i in range(1, len(labels) + 1))]
    lines[0] += "    acc"
    for number, t in enumerate(labels, 1):
        row = [counts[(t, p)] for p in labels]
        total = sum(row)
        acc = f"{100 * counts[(t, t)] / total:7.1f}" if total else "      -"
        lines.append(f"{number:>2} {t:<17}" + "".join(f"{n or '.':>5}" for n in row) + acc)
    right = sum(counts[(t, t)] for t in labels)
    lines.append(
        f"cross-validated accuracy: {100 * right / max(1, len(truth)):.1f}% of {len(truth)}"
    )
    return "\n".join(lines)
