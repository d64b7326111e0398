"""Benchmark the answer path and the index; prints a Markdown table for docs/PERFORMANCE.md.

Run: .venv/bin/python scripts/benchmark.py   (after `assistant setup`)
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.evaluate import EVAL_DAY, load_gold
from assistant.index.store import build_index
from assistant.knowledge.loader import load_or_raise
from assistant.service import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
STRUCTURED = {
    "task",
    "task_unknown",
    "agency",
    "agency_tasks",
    "timeframe",
    "deadline",
    "funding",
    "meta",
    "contact",
    "amount",
    "help",
    "empty",
    "out_of_scope",
}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values, in the same unit."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    args = parser.parse_args()
    base = Settings()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = base.model_copy(update={"data_dir": tmp / "data"})
    rows: list[tuple[str, str, str]] = []

    # full build (model load excluded: it is part of cold start)
    assistant = Assistant(settings)
    encoder = assistant.encoder
    kb = load_or_raise(settings.knowledge_dir)
    started = time.perf_counter()
    build_index(kb, encoder, settings.index_dir)
    full_build = time.perf_counter() - started

    # incremental rebuild after one file changes
    kdir = tmp / "knowledge"
    shutil.copytree(settings.knowledge_dir, kdir)
    agencies = kdir / "agencies.yaml"
    agencies.write_text(
        agencies.read_text(encoding="utf-8").replace(
            "aliases: [Sở TC,", "aliases: [Sở TC, Sở Tài chánh,"
        ),
        encoding="utf-8",
    )
    started = time.perf_counter()
    report = build_index(load_or_raise(kdir), encoder, settings.index_dir)
    incremental = time.perf_counter() - started
    build_index(kb, encoder, settings.index_dir)  # back to the real knowledge

    # bare encoder time for one query
    encoder.encode_queries(["warm up"])
    bare = []
    for i in range(30):
        started = time.perf_counter()
        encoder.encode_queries([f"ai chủ trì nhiệm vụ 3.{i % 4 + 1}"])
        bare.append(time.perf_counter() - started)
    bare_p50 = statistics.median(bare)

    # latency per question, by kind
    questions = [g.question for g in load_gold(ROOT / "tests/gold/gold.yaml")]
    assistant.ask("khởi động", today=EVAL_DAY)
    lat: dict[str, list[float]] = {"structured": [], "free": []}
    for _ in range(args.rounds):
        for question in questions:
            started = time.perf_counter()
            answer = assistant.ask(question, today=EVAL_DAY)
            elapsed = time.perf_counter() - started
            lat["structured" if answer.intent in STRUCTURED else "free"].append(elapsed)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # cold start: a fresh process answering one question from the built index
    env_dir = str(settings.data_dir)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "ai chủ trì nhiệm vụ 3.2"],
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "ASSISTANT_DATA_DIR": env_dir},
    )
    cold = time.perf_counter() - started
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    ms = 1000.0
    all_lat = lat["structured"] + lat["free"]
    rows += [
        ("bare encoder, one query (p50)", f"{bare_p50 * ms:.1f} ms", "-"),
        (
            "answer latency, structured p50 / p95",
            f"{pct(lat['structured'], 50) * ms:.1f} / {pct(lat['structured'], 95) * ms:.1f} ms",
            f"n={len(lat['structured'])}",
        ),
        (
            "answer latency, free p50 / p95",
            f"{pct(lat['free'], 50) * ms:.1f} / {pct(lat['free'], 95) * ms:.1f} ms",
            f"n={len(lat['free'])}",
        ),
        (
            "answer latency, all p50 / encoder p50",
            f"{pct(all_lat, 50) / bare_p50:.2f}x",
            "target <= 1.5x",
        ),
        ("cold start to first answer (new process)", f"{cold:.2f} s", "target <= 8 s"),
        (
            "full index build",
            f"{full_build:.2f} s",
            f"{report.reused + report.embedded} chunks",
        ),
        (
            "incremental rebuild, one file changed",
            f"{incremental:.2f} s",
            f"{report.embedded} chunk(s) re-embedded; target <= 3 s",
        ),
        ("peak RSS, benchmark process", f"{rss_mb:.0f} MB", "target <= 1536 MB"),
        ("peak RSS, cold-start process", f"{child_rss:.0f} MB", "target <= 1536 MB"),
    ]
    print(f"model: {encoder.name}  |  questions: {len(questions)} x {args.rounds} rounds")
    print("| measure | value | note |\n|---|---|---|")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
