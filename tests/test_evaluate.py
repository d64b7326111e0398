"""The evaluation tables: sets apart, per category and form, dialogues, confusion."""

from __future__ import annotations

from pathlib import Path

from assistant.answer.models import Answer
from assistant.evaluate import (
    GoldItem,
    accuracy,
    as_item,
    confusion_table,
    load_dialogues,
    load_gold,
    score,
    summarize,
)

GOLD = Path(__file__).parent / "gold"


def _answer(text: str, confident: bool = True) -> Answer:
    return Answer(question="q", lang="vi", intent="task", answer=text, confident=confident)


def test_sets_are_scored_apart_by_category_and_form() -> None:
    items = [
        GoldItem(id="a", question="Ai chủ trì?", category="task", lang="vi", facts=["Sở"]),
        GoldItem(id="b", question="ai chu tri?", category="task", lang="vi", facts=["Sở"]),
        GoldItem(id="c", question="Who?", category="task", lang="en", abstain=True),
    ]
    items = [i.model_copy(update={"file": f}) for i, f in zip(items, ["x", "x", "y"], strict=True)]
    outcomes = [
        score(items[0], _answer("Sở Tài chính")),
        score(items[1], _answer("không có")),
        score(items[2], _answer("…", confident=False)),
    ]
    sets = summarize(outcomes)
    assert set(sets) == {"x", "y"}
    assert sets["x"]["form:vi"].accurate == 1 and sets["x"]["form:vi_plain"].accurate == 0
    assert accuracy(sets["x"]["all"]) == 0.5 and accuracy(sets["y"]["all"]) == 1.0
    assert outcomes[1].missing == ["Sở"]


def test_confusion_table_counts_and_accuracy() -> None:
    table = confusion_table(["task", "task", "meta", "meta"], ["task", "meta", "meta", "meta"])
    lines = table.splitlines()
    assert lines[1].split() == ["1", "meta", "2", ".", "100.0"]
    assert lines[2].split() == ["2", "task", "1", "1", "50.0"]
    assert lines[-1] == "cross-validated accuracy: 75.0% of 4"


def test_the_gold_folder_loads_questions_and_dialogues_apart() -> None:
    questions = load_gold(GOLD)
    dialogues = load_dialogues(GOLD)
    assert {q.file for q in questions} == {
        "gold",
        "holdout2",
        "blind",
        "blind2",
        "blind3_tbt",
        "tbt_dev",
    }
    assert len({q.id for q in questions}) == len(questions)
    assert len(dialogues) >= 30 and all(len(d.turns) >= 2 for d in dialogues)
    turn = as_item(dialogues[0], 1)
    assert turn.id == f"{dialogues[0].id}.2" and turn.file.endswith("_dialogues")
