"""The TBT database at scale: 150, 5,000 and 50,000 imported notifications.

Run: .venv/bin/python scripts/scale_benchmark.py [--sizes 150 5000 50000]

Each size runs in its own process (so its peak RSS is its own) on a copy of the knowledge with
synthetic notifications (scripts/synthetic_notifications.py; never written into knowledge/):
import time, knowledge load, full index build and chunks per second, the first answer (the
intent model is trained by the build), answer p50/p95 against the bare encoder
timed on the same questions in the same loop, then 1,000 new rows: import, incremental build and
the first answer after it. Prints a Markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_notifications  # noqa: E402

from assistant.embed.base import Encoder, Vectors  # noqa: E402
from assistant.evaluate import EVAL_DAY, load_gold  # noqa: E402
from assistant.knowledge.loader import load_or_raise  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.tbt_import import import_table  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INCREMENT = 1_000
EXPORTER_QUESTIONS = [
    "Xuất cà phê sang EU cần đáp ứng gì?",
    "xuat ho tieu sang trung quoc can dap ung gi",
    "What must I meet to export cashew to the US?",
    "G/SPS/N/EU/50010 là gì?",
    "Hàng HS 0901 sang Nhật cần gì?",
    "EUDR áp dụng từ khi nào?",
    "sầu riêng xuất sang Trung Quốc cần mã số vùng trồng không?",
    "Which Korean rules apply to plywood?",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class _Spent:
    """Seconds spent in the encoder's passage calls since the last pop."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def pop(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds


def _time_embedding(encoder: Encoder) -> _Spent:
    """Count the time the encoder spends embedding passages: where a build's time goes."""
    spent = _Spent()
    inner = encoder.encode_passages

    def timed(texts: Sequence[str], batch_size: int = 32) -> Vectors:
        started = time.perf_counter()
        try:
            return inner(texts, batch_size)
        finally:
            spent.seconds += time.perf_counter() - started

    encoder.encode_passages = timed  # type: ignore[method-assign]
    return spent


def one_size(size: int, rounds: int) -> dict[str, Any]:
    """Everything measured for one database size, in this process."""
    tmp = Path(tempfile.mkdtemp(prefix=f"scale-{size}-"))
    knowledge = tmp / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    settings = Settings(knowledge_dir=knowledge, data_dir=tmp / "data")
    out: dict[str, Any] = {"size": size}
    export = synthetic_notifications.write(tmp / "export.csv", size)
    today = EVAL_DAY

    started = time.perf_counter()
    report = import_table(knowledge, export, today)
    out["import_s"] = time.perf_counter() - started
    out["rejected"] = len(report.rejected)
    started = time.perf_counter()
    kb = load_or_raise(knowledge)
    out["load_s"] = time.perf_counter() - started
    out["measures"] = len(kb.measures)

    assistant = Assistant(settings)
    embedding = _time_embedding(assistant.encoder)
    started = time.perf_counter()
    build = assistant.build()
    out["build_embed_s"] = embedding.pop()
    out["build_s"] = time.perf_counter() - started
    out["chunks"] = build.manifest.chunks if build.manifest else 0
    out["embedded"] = build.embedded
    started = time.perf_counter()
    assistant.ask("Ai chủ trì nhiệm vụ 2.1?", today=today)
    out["first_answer_s"] = time.perf_counter() - started

    gold = [i.question for i in load_gold(ROOT / "tests" / "gold" / "gold.yaml")][::3]
    questions = [*gold, *EXPORTER_QUESTIONS]
    answer: list[float] = []
    bare: list[float] = []
    encoder = assistant.encoder
    for round_no in range(rounds):
        for question in questions:
            asked = f"{question} r{round_no}"
            started = time.perf_counter()
            assistant.ask(asked, today=today)
            answer.append(time.perf_counter() - started)
            started = time.perf_counter()
            encoder.encode_queries([asked + " x"])
            bare.append(time.perf_counter() - started)
    out["answers"] = len(answer)
    out["answer_p50_ms"], out["answer_p95_ms"] = pct(answer, 50) * 1e3, pct(answer, 95) * 1e3
    out["bare_p50_ms"] = pct(bare, 50) * 1e3

    more = synthetic_notifications.write(tmp / "more.csv", INCREMENT, seed=11, start=60_000 + size)
    started = time.perf_counter()
    import_table(knowledge, more, today)
    out["inc_import_s"] = time.perf_counter() - started
    started = time.perf_counter()
    inc = assistant.build()
    out["inc_build_s"] = time.perf_counter() - started
    out["inc_embed_s"] = embedding.pop()
    out["inc_embedded"] = inc.embedded
    started = time.perf_counter()
    assistant.ask("Xuất cà phê sang EU cần đáp ứng gì?", today=today)
    out["inc_first_answer_s"] = time.perf_counter() - started
    out["inc_total_s"] = out["inc_import_s"] + out["inc_build_s"] + out["inc_first_answer_s"]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table, one column per size."""
    rows = [
        ("measures in the database (curated + imported)", "measures", "{:,}"),
        ("import of the export file", "import_s", "{:.1f} s"),
        ("knowledge load (validate every file and line)", "load_s", "{:.1f} s"),
        ("full index build (chunks embedded)", "build_s", "{:.0f} s"),
        ("of which embedding the chunks", "build_embed_s", "{:.0f} s"),
        ("chunks", "chunks", "{:,}"),
        ("throughput, chunks embedded per second", "chunks_per_s", "{:.1f}"),
        (
            "first answer after the build (the build trains the intent model)",
            "first_answer_s",
            "{:.1f} s",
        ),
        ("bare encoder, one query (p50)", "bare_p50_ms", "{:.1f} ms"),
        ("answer p50 / p95", "answer_pair", "{}"),
        ("answer p50 / bare encoder p50 (target <= 1.5x)", "ratio", "{:.2f}x"),
        ("1,000 new rows: import", "inc_import_s", "{:.1f} s"),
        ("1,000 new rows: incremental build (chunks embedded)", "inc_build_pair", "{}"),
        ("of which embedding the new chunks", "inc_embed_s", "{:.1f} s"),
        ("of which everything else (load, chunks, write, BM25, swap)", "inc_rest_s", "{:.1f} s"),
        ("1,000 new rows: first answer after it", "inc_first_answer_s", "{:.1f} s"),
        ("1,000 new rows: total (target <= 60 s)", "inc_total_s", "{:.0f} s"),
        ("peak RSS of the process (target <= 2 GB)", "peak_rss_mb", "{:,.0f} MB"),
    ]
    for r in results:
        r["chunks_per_s"] = r["embedded"] / r["build_s"] if r["build_s"] else 0.0
        r["answer_pair"] = f"{r['answer_p50_ms']:.1f} / {r['answer_p95_ms']:.1f} ms"
        r["ratio"] = r["answer_p50_ms"] / r["bare_p50_ms"]
        r["inc_rest_s"] = r["inc_build_s"] - r["inc_embed_s"]
        r["inc_build_pair"] = f"{r['inc_build_s']:.1f} s ({r['inc_embedded']:,})"
    head = "| measure | " + " | ".join(f"{r['size']:,} notifications" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for name, key, form in rows:
        lines.append(f"| {name} | " + " | ".join(form.format(r[key]) for r in results) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 5_000, 50_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.rounds)))
        return 0
    results = []
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(size), "--rounds", str(args.rounds)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        if done.returncode:
            print(done.stderr[-2000:], file=sys.stderr)
            return done.returncode
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"size {size}: {results[-1]}", file=sys.stderr)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
