"""Benchmark the answer path and the index; prints Markdown tables for docs/PERFORMANCE.md.

Run: .venv/bin/python scripts/benchmark.py [--backends torch onnx-fp32 onnx-int8] [--rounds N]
(after `assistant setup`), or `--soak N` for memory over N questions and a long fuzz run.

Each backend is measured in its own process, one after the other in the same run, so every
figure can be read against the torch reference measured minutes apart on the same machine:
cold start of a whole process to its first answer, answer latency quiet and beside a full
rebuild in another process (of the same backend), the full index build, the intent classifier
from scratch, an incremental rebuild and peak RSS. The baseline for cold start is the time a
fresh process takes to `import sentence_transformers`.
"""

from __future__ import annotations

import argparse
import json
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
    assistant: Assistant,
    encoder: Any,
    questions: list[str],
    rounds: int,
    tag: str,
    reference: Any = None,
) -> tuple[dict[str, list[float]], list[float], list[int], list[float]]:
    """Answer latencies by kind, bare-encoder latencies, forwards per question, and the torch
    reference encoder's latencies timed right after each (when a reference is given)."""
    lat: dict[str, list[float]] = {"structured": [], "free": [], "all": []}
    bare: list[float] = []
    forwards: list[int] = []
    ref: list[float] = []
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
            if reference is not None:
                started = time.perf_counter()
                reference.encode_queries([asked + " x"])
                ref.append(time.perf_counter() - started)
    return lat, bare, forwards, ref


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


BACKENDS = {
    # the reference as configured: torch builds on the query thread (its pools spin)
    "torch": {"ASSISTANT_ENCODER": "sentence-transformers"},
    # the same threads as the ONNX build, to tell the runtime's gain from the second thread's
    "torch, builds on 2 threads": {
        "ASSISTANT_ENCODER": "sentence-transformers",
        "ASSISTANT_INDEX_THREADS": "2",
    },
    "onnx-fp32": {"ASSISTANT_ENCODER": "onnx", "ASSISTANT_QUANTIZATION": "fp32"},
    "onnx-int8": {"ASSISTANT_ENCODER": "onnx", "ASSISTANT_QUANTIZATION": "int8"},
}


def measure(rounds: int) -> dict[str, Any]:
    """Everything measured for the backend this process's environment names."""
    base = Settings()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = base.model_copy(update={"data_dir": tmp / "data"})

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
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the machine's speed drifts over the minutes between backends: the torch encoder is also
    # timed in this loop, right after each question, so the ratio compares like with like
    reference = None
    if base.encoder != "sentence-transformers":
        from assistant.embed.st import SentenceTransformerEncoder

        reference = SentenceTransformerEncoder(base.model_path, base.encoder_threads)
        reference.encode_queries(["load the reference"])
    lat, bare, forwards, ref = latencies(assistant, counting, questions, rounds, "q", reference)
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
        busy, busy_bare, _, busy_ref = latencies(assistant, counting, questions, 1, "b", reference)
        if rebuild.poll() is not None:
            raise SystemExit("the background rebuild stopped early; the busy row would be quiet")
    finally:
        rebuild.kill()
        rebuild.wait()

    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "encoder": encoder.name,
        "questions": len(questions),
        "rounds": rounds,
        "bare_p50": bare_p50,
        # torch's encoder in the same loop; for torch itself, its own bare encoder
        "torch_p50": statistics.median(ref) if ref else bare_p50,
        "busy_torch_p50": statistics.median(busy_ref) if busy_ref else statistics.median(busy_bare),
        "all_p50": pct(lat["all"], 50),
        "all_p95": pct(lat["all"], 95),
        "n_all": len(lat["all"]),
        "forwards_max": max(forwards),
        "forwards_mean": statistics.mean(forwards),
        "busy_p50": pct(busy["all"], 50),
        "busy_bare_p50": statistics.median(busy_bare),
        "n_busy": len(busy["all"]),
        "structured_p50": pct(lat["structured"], 50),
        "structured_p95": pct(lat["structured"], 95),
        "free_p50": pct(lat["free"], 50),
        "free_p95": pct(lat["free"], 95),
        "cold_structured": cold["structured"],
        "cold_free": cold["free"],
        "full_build": full_build,
        "chunks": report.reused + report.embedded,
        "intent_training": intent_training,
        "examples": examples,
        "incremental": incremental,
        "incremental_embedded": report.embedded,
        "rss_mb": rss_mb,
        "child_rss_mb": child_rss,
    }


def import_baseline() -> float:
    """Median wall time of a fresh process that only imports sentence_transformers."""
    runs = []
    for _ in range(3):
        seconds, _ = run_measured(
            [sys.executable, "-c", "import sentence_transformers"], os.environ.copy()
        )
        runs.append(seconds)
    return statistics.median(runs)


def table(results: dict[str, dict[str, Any]], baseline: float) -> str:
    """One column per backend; ratios against the torch reference of the same run."""
    ms = 1000.0
    ref = results.get("torch")

    def ratio(key: str, name: str) -> str:
        return f"{results[name][key] / ref[key]:.2f}x" if ref else "-"

    rows: list[tuple[str, Any]] = [
        (
            "bare encoder, one query (p50, same questions)",
            lambda r, n: f"{r['bare_p50'] * ms:.1f} ms",
        ),
        (
            "answer, every question p50 / p95",
            lambda r, n: f"{r['all_p50'] * ms:.1f} / {r['all_p95'] * ms:.1f} ms",
        ),
        (
            "answer p50 / the torch encoder's answer p50, measured minutes apart",
            lambda r, n: ratio("all_p50", n),
        ),
        (
            "answer p50 / torch encoder p50 timed in the same loop (target <= 0.5x)",
            lambda r, n: f"{r['all_p50'] / r['torch_p50']:.2f}x",
        ),
        (
            "every-question p50 / own bare encoder p50 (target <= 1.3x)",
            lambda r, n: f"{r['all_p50'] / r['bare_p50']:.2f}x",
        ),
        (
            "encoder forwards per question (max / mean; target 1)",
            lambda r, n: f"{r['forwards_max']} / {r['forwards_mean']:.2f}",
        ),
        (
            "beside a full rebuild: every-question p50 (bare encoder p50)",
            lambda r, n: f"{r['busy_p50'] * ms:.1f} ms ({r['busy_bare_p50'] * ms:.1f} ms)",
        ),
        (
            "beside a rebuild / torch beside a rebuild, measured minutes apart",
            lambda r, n: ratio("busy_p50", n),
        ),
        (
            "beside a rebuild / torch encoder in the same loop (target <= 0.5x)",
            lambda r, n: f"{r['busy_p50'] / r['busy_torch_p50']:.2f}x",
        ),
        (
            "beside a rebuild / quiet, every-question p50 (target <= 2x)",
            lambda r, n: f"{r['busy_p50'] / r['all_p50']:.2f}x",
        ),
        (
            "structured p50 / free p50",
            lambda r, n: f"{r['structured_p50'] * ms:.1f} / {r['free_p50'] * ms:.1f} ms",
        ),
        (
            "cold start to first answer, structured / free question",
            lambda r, n: f"{r['cold_structured']:.2f} / {r['cold_free']:.2f} s",
        ),
        (
            f"cold start, free / `import sentence_transformers` ({baseline:.2f} s; target <= 0.6x)",
            lambda r, n: f"{r['cold_free'] / baseline:.2f}x",
        ),
        ("full index build (chunks)", lambda r, n: f"{r['full_build']:.1f} s ({r['chunks']})"),
        (
            "full build / torch full build (target <= 0.33x, i.e. 3x faster)",
            lambda r, n: ratio("full_build", n),
        ),
        (
            "intent classifier from scratch (examples)",
            lambda r, n: f"{r['intent_training']:.1f} s ({r['examples']})",
        ),
        (
            "incremental rebuild, one file changed (target <= 3 s)",
            lambda r, n: f"{r['incremental']:.2f} s ({r['incremental_embedded']} chunks)",
        ),
        (
            "peak RSS, benchmark process after the builds (before any reference loads)",
            lambda r, n: f"{r['rss_mb']:.0f} MB",
        ),
        ("builds' peak RSS / torch's (target <= 1x)", lambda r, n: ratio("rss_mb", n)),
        ("peak RSS, cold-start process", lambda r, n: f"{r['child_rss_mb']:.0f} MB"),
        (
            "cold-start RSS / torch cold-start RSS (target <= 1x)",
            lambda r, n: ratio("child_rss_mb", n),
        ),
    ]
    names = list(results)
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(results[n], n) for n in names) + " |")
    return "\n".join(lines)


def soak(count: int) -> str:
    """Ask `count` questions (the gold questions with fresh suffixes, and every fifth a fuzzed
    one from tests/auxil/fuzz.py) of one assistant; RSS after each thousand, errors counted."""
    sys.path.insert(0, str(ROOT))
    from tests.auxil.fuzz import questions as fuzzed

    settings = Settings()
    assistant = Assistant(settings)
    gold = [g.question for g in load_gold(ROOT / "tests/gold")]
    hostile = fuzzed(count // 5 + 1, seed=5)
    rows, errors, slowest = [], 0, 0.0
    started = time.perf_counter()
    for i in range(count):
        text = hostile[i // 5] if i % 5 == 4 else f"{gold[i % len(gold)]} s{i}"
        began = time.perf_counter()
        try:
            assistant.converse(("soak", str(i % 50)), text, today=EVAL_DAY)
        except Exception:  # counted: the facade promises never to raise for odd input
            errors += 1
        slowest = max(slowest, time.perf_counter() - began)
        if (i + 1) % 1000 == 0 or i + 1 == count:
            rss = int(_status("VmRSS")) / 1024
            rows.append(f"| {i + 1:,} | {rss:,.0f} MB | {time.perf_counter() - started:.0f} s |")
    head = [
        f"{count:,} questions, {count // 5:,} of them fuzzed; errors: {errors}; slowest "
        f"{slowest * 1000:.0f} ms; encoder {assistant.encoder.name}",
        "",
        "| questions asked | RSS | elapsed |",
        "|---|---|---|",
    ]
    return "\n".join(head + rows)


def _status(key: str) -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return line.split()[1]
    return "0"


def main() -> int:
    """Measure each backend in its own process and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument(
        "--soak", type=int, metavar="N", help="only: N questions (a fifth fuzzed), RSS per 1,000"
    )
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=list(BACKENDS))
    # "torch, builds on 2 threads" is one argument: quote it
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.soak:
        print(soak(args.soak))
        return 0
    if args.one:
        print(json.dumps(measure(args.rounds)))
        return 0
    baseline = import_baseline()
    results: dict[str, dict[str, Any]] = {}
    for name in args.backends:
        env = {**os.environ, **BACKENDS[name]}
        cmd = [sys.executable, __file__, "--one", "--rounds", str(args.rounds)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
    first = next(iter(results.values()))
    print(
        f"questions: {first['questions']} x {args.rounds} rounds; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(table(results, baseline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
