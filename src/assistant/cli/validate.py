"""`assistant validate`: check every knowledge file and print problems as file:line: field."""

from __future__ import annotations

import argparse
import sys

from assistant.knowledge.loader import load_knowledge
from assistant.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the validate subcommand."""
    parser = sub.add_parser("validate", help="check the knowledge files")
    parser.add_argument("--knowledge", help="knowledge folder (default: settings)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and report; exit 1 when anything is wrong."""
    root = (
        settings.knowledge_dir
        if not args.knowledge
        else type(settings.knowledge_dir)(args.knowledge)
    )
    kb, problems = load_knowledge(root)
    if kb is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found in {root}", file=sys.stderr)
        return 1
    print(
        f"OK: {len(kb.tasks)} tasks, {len(kb.agencies)} agencies, {len(kb.targets)} targets, "
        f"{len(kb.body.paragraphs)} plan paragraphs, {len(kb.guidance)} TBT entries, "
        f"{len(kb.measures)} measures (knowledge {kb.knowledge_hash})"
    )
    return 0
