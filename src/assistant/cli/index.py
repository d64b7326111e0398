"""`assistant index` and `assistant info`: build the search index and describe it."""

from __future__ import annotations

import argparse
import json
import sys

from assistant.index.store import load_index
from assistant.knowledge.loader import load_or_raise
from assistant.service import Assistant
from assistant.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the index and info subcommands."""
    parser = sub.add_parser("index", help="build or update the search index")
    parser.set_defaults(func=run_index)
    info = sub.add_parser("info", help="describe the model, knowledge and index")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=run_info)


def progress_bar(done: int, total: int) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = width if total == 0 else int(width * done / total)
    sys.stderr.write(f"\rembedding [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    """Build the index incrementally and report what changed."""
    report = Assistant(settings).build(progress_bar)
    print(
        f"index ready: {report.embedded} chunk(s) embedded, {report.reused} reused, "
        f"{len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.removed)} removed in {report.seconds:.1f} s"
    )
    return 0


def run_info(args: argparse.Namespace, settings: Settings) -> int:
    """Print the model, counts, knowledge hash and build date."""
    kb = load_or_raise(settings.knowledge_dir)
    stored = load_index(settings.index_dir)
    m = stored.manifest
    info = {
        "model": m.model,
        "dimension": m.dim,
        "entries": kb.entry_count,
        "chunks": m.chunks,
        "knowledge_hash": kb.knowledge_hash,
        "index_knowledge_hash": m.knowledge_hash,
        "stale": m.knowledge_hash != kb.knowledge_hash,
        "built_at": m.built_at,
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key:>21}: {value}")
    return 0
