"""`assistant eval`: run the gold set and print quality per category."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.evaluate import EVAL_DAY, load_gold, score, summarize, table
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate and print the table."""
    assistant = Assistant(settings)
    items = load_gold(args.gold)
    outcomes = [score(item, assistant.ask(item.question, today=EVAL_DAY)) for item in items]
    groups = summarize(outcomes)
    if args.json:
        print(json.dumps({k: v.row() for k, v in groups.items()}, ensure_ascii=False))
    else:
        print(table(groups))
    if args.failures:
        for o in outcomes:
            if not o.correct or (o.item.sources and o.rank != 1 and not o.item.abstain):
                print(f"\n[{o.item.id} {o.item.category} {o.item.file}] {o.item.question}")
                print(
                    f"  intent={o.answer.intent} confident={o.answer.confident} "
                    f"rank={o.rank} missing={o.missing} want={o.item.sources}"
                )
                print(f"  got sources={[s.id for s in o.answer.sources[:5]]}")
    return 0
