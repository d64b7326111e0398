"""`assistant eval`: run the gold set and print quality per category."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.evaluate import (
    EVAL_DAY,
    as_item,
    confusion_table,
    load_dialogues,
    load_gold,
    score,
    summarize,
    table,
)
from assistant.service import Assistant
from assistant.settings import Settings

DEFAULT_GOLD = Path("tests/gold")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the eval subcommand."""
    parser = sub.add_parser("eval", help="measure answer quality on the gold set")
    parser.add_argument(
        "--gold",
        type=Path,
        default=DEFAULT_GOLD,
        help="a gold file, or a folder of them (default: tests/gold)",
    )
    parser.add_argument("--failures", action="store_true", help="list wrong answers")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--no-confusion", action="store_true", help="skip the cross-validated intent table"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate every set apart and print the tables, then the intent confusion table."""
    assistant = Assistant(settings)
    outcomes = [
        score(item, assistant.ask(item.question, today=EVAL_DAY)) for item in load_gold(args.gold)
    ]
    for dialogue in load_dialogues(args.gold):
        key = ("eval", dialogue.id)
        assistant.dialogues.forget(key)
        for i in range(len(dialogue.turns)):
            item = as_item(dialogue, i)
            answer = assistant.converse(key, item.question, today=EVAL_DAY)
            outcomes.append(score(item, answer))
    sets = summarize(outcomes)
    if args.json:
        rows = {name: {k: v.row() for k, v in groups.items()} for name, groups in sets.items()}
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for name in sorted(sets):
            print(f"== {name}")
            print(table(sets[name]))
            print()
    if args.failures:
        for o in outcomes:
            if not o.correct or (o.item.sources and o.rank != 1 and not o.item.abstain):
                verdict = "WRONG" if not o.correct else "rank"
                print(
                    f"\n[{o.item.id} {o.item.category} {o.item.file}] {verdict}: {o.item.question}"
                )
                print(
                    f"  intent={o.answer.intent} confident={o.answer.confident} "
                    f"rank={o.rank} missing={o.missing} want={o.item.sources}"
                )
                print(f"  got sources={[s.id for s in o.answer.sources[:5]]}")
                print(f"  understood={o.answer.understanding}")
    if not args.json and not args.no_confusion:
        truth, predicted = assistant.intent_cross_validation()
        print("== intent examples, 5-fold cross-validated (nlu/intents/*.yaml)")
        print(confusion_table(truth, predicted))
    return 0
