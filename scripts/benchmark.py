"""Benchmark the answer path and the index; prints a Markdown table for docs/PERFORMANCE.md.

Run: .venv/bin/python scripts/benchmark.py   (after `assistant setup`)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.evaluate import EVAL_DAY, load_gold
from assistant.index.store import build_index
from assistant.knowledge.loader import load_or_raise
from assistant.nlu.classifier import ensure_model, load_examples
from assistant.nlu.entities import EntityExtractor
from assistant.service import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
STRUCTURED = {
    "task",
    "task_unknown",
    "agency",
    "agency_tasks",
    "agency_list",
    "task_list",
    "group",
    "timeframe",
    "deadline",
    "funding",
    "meta",
    "contact",
    "amount",
    "help",
    "empty",
    "out_of_scope",
    "other_scope",
    "faq",
}
# a background process that rebuilds a full index (model, chunks, intent examples) over and over,
# as staff rebuilding beside the serving bot would
REBUILD_LOOP = """
import shutil, sys, tempfile
from pathlib import Path
from typing import Any
from assistant.service import Assistant
from assistant.settings import Settings
while True:
    tmp = Path(tempfile.mkdtemp(prefix="bench-rebuild-"))
    Assistant(Settings(data_dir=tmp)).build()
    shutil.rmtree(tmp, ignore_errors=True)
"""


class CountingEncoder:
    """Counts encoder forwards (calls of encode_queries) around the real encoder."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode_queries(self, texts: Any) -> Any:
        self.calls += 1
        return self.inner.encode_queries(texts)


def latencies(
    assistant: Assistant, encoder: Any, questions: list[str], rounds: int, tag: str
) -> tuple[dict[str, list[float]], list[float], list[int]]:
    """Answer latencies by kind, bare-encoder latencies and forwards per question."""
    lat: dict[str, list[float]] = {"structured": [], "free": [], "all": []}
    bare: list[float] = []
    forwards: list[int] = []
    for round_no in range(rounds):
        for question in questions:
            asked = f"{question} {tag}{round_no}"
            before = encoder.calls
            started = time.perf_counter()
            answer = assistant.ask(asked, today=EVAL_DAY)
            elapsed = time.perf_counter() - started
            forwards.append(encoder.calls - before)
            kind = "structured" if answer.intent in STRUCTURED else "free"
            lat[kind].append(elapsed)
            lat["all"].append(elapsed)
            started = time.perf_counter()
            encoder.inner.encode_queries([asked + " x"])
            bare.append(time.perf_counter() - started)
    return lat, bare, forwards


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values, in the same unit."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall time in seconds and its own peak RSS in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{cmd} failed with {proc.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    args = parser.parse_args()
    base = Settings()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = base.model_copy(update={"data_dir": tmp / "data"})
    rows: list[tuple[str, str, str]] = []

    # cold start first, while this process is small (a forked child starts with our pages):
    # a fresh process answering one question from an index built beforehand
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index"], check=True, capture_output=True, env=env
    )
    cold: dict[str, float] = {}
    child_rss = 0.0
    for kind, question in (("structured", "ai chủ trì nhiệm vụ 3.2"), ("free", "TBT là gì")):
        runs = []
        for _ in range(3):
            seconds, rss = run_measured(
                [sys.executable, "-m", "assistant.cli", "ask", question], env
            )
            runs.append(seconds)
            child_rss = max(child_rss, rss)
        cold[kind] = statistics.median(runs)

    # full build (model load excluded: it is part of cold start)
    assistant = Assistant(settings)
    encoder = assistant.encoder
    kb = load_or_raise(settings.knowledge_dir)
    encoder.encode_queries(["load the model before timing the build"])
    started = time.perf_counter()
    build_index(kb, encoder, tmp / "full-index")
    full_build = time.perf_counter() - started

    # the intent classifier from scratch: embed every example, fit (an index built with the
    # same model in the same data folder reuses the example vectors: paid again only for new
    # or changed examples)
    started = time.perf_counter()
    ensure_model(EntityExtractor(kb), encoder, tmp / "intent-model", kb.knowledge_hash)
    intent_training = time.perf_counter() - started
    examples = len(load_examples())

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

    # latency of every question, by kind, and the bare encoder on the same questions; every
    # question is understood with the encoder, so each costs one forward (and no more)
    questions = [g.question for g in load_gold(ROOT / "tests/gold")]
    counting = CountingEncoder(encoder)
    assistant = Assistant(settings, encoder=counting)
    assistant.ask("TBT là gì", today=EVAL_DAY)
    lat, bare, forwards = latencies(assistant, counting, questions, args.rounds, "q")
    bare_p50 = statistics.median(bare)

    # the same beside a running full rebuild in another process (same thread settings)
    rebuild = subprocess.Popen(
        [sys.executable, "-c", REBUILD_LOOP],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(8)  # let it load the model and start embedding
        busy, busy_bare, _ = latencies(assistant, counting, questions, 1, "b")
        if rebuild.poll() is not None:
            raise SystemExit("the background rebuild stopped early; the busy row would be quiet")
    finally:
        rebuild.kill()
        rebuild.wait()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ms = 1000.0
    rows += [
        ("bare encoder, one query (p50, same questions)", f"{bare_p50 * ms:.1f} ms", "-"),
        (
            "answer latency, every question p50 / p95",
            f"{pct(lat['all'], 50) * ms:.1f} / {pct(lat['all'], 95) * ms:.1f} ms",
            f"n={len(lat['all'])}",
        ),
        (
            "every-question p50 / bare encoder p50",
            f"{pct(lat['all'], 50) / bare_p50:.2f}x",
            "target <= 1.3x",
        ),
        (
            "encoder forwards per question (max / mean)",
            f"{max(forwards)} / {statistics.mean(forwards):.2f}",
            "target: at most 1",
        ),
        (
            "beside a full rebuild: every-question p50 (bare encoder p50)",
            f"{pct(busy['all'], 50) * ms:.1f} ms ({statistics.median(busy_bare) * ms:.1f} ms)",
            f"n={len(busy['all'])}; another process rebuilding in a loop",
        ),
        (
            "beside a full rebuild / quiet, every-question p50",
            f"{pct(busy['all'], 50) / pct(lat['all'], 50):.2f}x",
            "target <= 2x",
        ),
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
            "cold start to first answer, structured question",
            f"{cold['structured']:.2f} s",
            "new process; understanding loads the model too",
        ),
        (
            "cold start to first answer, free question",
            f"{cold['free']:.2f} s",
            "new process, loads the model; target <= 8 s",
        ),
        (
            "full index build",
            f"{full_build:.2f} s",
            f"{report.reused + report.embedded} chunks",
        ),
        (
            "intent classifier from scratch (embed examples, fit)",
            f"{intent_training:.2f} s",
            f"{examples} examples",
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
