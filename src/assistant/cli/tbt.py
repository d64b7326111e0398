"""`assistant tbt import FILE` (measures from a spreadsheet); `assistant tbt deadlines`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.ask import show
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tbt_import import import_measures


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the tbt command group."""
    parser = sub.add_parser("tbt", help="TBT measures database")
    tbt_sub = parser.add_subparsers(dest="tbt_command", metavar="ACTION", required=True)
    imp = tbt_sub.add_parser("import", help="add or update measures from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.set_defaults(func=run_import)
    dates = tbt_sub.add_parser(
        "deadlines", help="coming dates of measures: comments, entry into force, application"
    )
    dates.add_argument(
        "words", nargs="*", help="a product and market, e.g. cà phê EU (all if none)"
    )
    dates.add_argument("--lang", choices=("vi", "en"), default="vi")
    dates.set_defaults(func=run_deadlines)


def run_deadlines(args: argparse.Namespace, settings: Settings) -> int:
    """Print the coming dates of the measures for a product and market, or of all."""
    assistant = Assistant(settings)
    text = " ".join(args.words)
    products, markets = assistant.find_products(text) if text else ([], [])
    if text and not products:
        print(f"error: no product named in {text!r}", file=sys.stderr)
        return 2
    pairs = [(p, m) for p in products for m in markets or [""]]
    print(show(assistant.measure_deadlines(pairs, args.lang)))
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import; on any bad row import nothing and list the problems."""
    if not args.file.exists():
        print(f"error: {args.file} not found", file=sys.stderr)
        return 2
    assistant = Assistant(settings)
    result = import_measures(settings.knowledge_dir, args.file, assistant.today(), args.dry_run)
    if result.problems:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"{len(result.problems)} problem(s); nothing was imported", file=sys.stderr)
        return 1
    verb = "would add" if args.dry_run else "added"
    print(
        f"{verb} {len(result.added)}, updated {len(result.updated)}, "
        f"unchanged {len(result.unchanged)}"
        + (
            ""
            if args.dry_run or not (result.added or result.updated)
            else "; run `assistant index` (or /reload in the bot) to use them"
        )
    )
    return 0
