"""`assistant tbt import FILE` (measures from a spreadsheet); `assistant tbt deadlines`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.ask import show
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tbt_import import import_table, summary_line


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the tbt command group."""
    parser = sub.add_parser("tbt", help="TBT measures database")
    tbt_sub = parser.add_subparsers(dest="tbt_command", metavar="ACTION", required=True)
    imp = tbt_sub.add_parser(
        "import",
        help="add or update measures (staff sheet) or WTO notifications (ePing export) "
        "from a .csv or .xlsx file",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument(
        "--keep-good", action="store_true", help="import the good rows even if some are rejected"
    )
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
    """Import a sheet of measures or an export of WTO notifications; report every row."""
    if not args.file.exists():
        print(f"error: {args.file} not found", file=sys.stderr)
        return 2
    assistant = Assistant(settings)
    report = import_table(
        settings.knowledge_dir, args.file, assistant.today(), args.dry_run, args.keep_good
    )
    for line in report.rejected:
        print(f"rejected: {line}", file=sys.stderr)
    for line in report.notes:
        print(f"note: {line}", file=sys.stderr)
    print(summary_line(report, args.dry_run))
    if report.rejected and not report.written and not args.dry_run:
        print(
            "nothing was imported: fix the rows above, or add --keep-good to import the rest",
            file=sys.stderr,
        )
        return 1
    return 0
