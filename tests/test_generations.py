"""A new generation of the knowledge shares what has not changed with the one in service.

At 50,000 notifications two full generations at once cost hundreds of megabytes; an import of
1,000 rows must cost about 1,000 rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from assistant.chunks import Chunk, build_chunks
from assistant.embed.fake import FakeEncoder
from assistant.index.store import StoredIndex, batch_size, build_index
from assistant.index.vector import FaissIndex, NumpyIndex
from assistant.knowledge.loader import load_or_raise
from assistant.retrieve import Searcher
from assistant.tbt_import import import_table

SAMPLE = Path(__file__).parent / "data" / "eping_sample.csv"
STORE = "tbt/notifications.jsonl"


def _imported(knowledge: Path) -> Path:
    import_table(knowledge, SAMPLE, dt.date(2026, 12, 3))
    return knowledge / STORE


def test_unchanged_lines_keep_their_measures_and_chunks(knowledge_copy: Path) -> None:
    store = _imported(knowledge_copy)
    first = load_or_raise(knowledge_copy)
    lines = store.read_text(encoding="utf-8").splitlines()
    korea = next(i for i, line in enumerate(lines) if '"G/TBT/N/KOR/1290"' in line)
    record = json.loads(lines[korea])
    record["title"] = "Standards for wood products (revised)"
    lines[korea] = json.dumps(record, ensure_ascii=False)
    store.write_text("\n".join(lines) + "\n", encoding="utf-8")

    second = load_or_raise(knowledge_copy, first)
    assert second.measures["g-sps-n-jpn-1301"] is first.measures["g-sps-n-jpn-1301"]
    changed = second.measures["g-tbt-n-kor-1290"]
    assert changed is not first.measures["g-tbt-n-kor-1290"]
    assert changed.title == "Standards for wood products (revised)"
    assert second == load_or_raise(knowledge_copy)  # the same knowledge as a load from scratch

    old_chunks = build_chunks(first)
    new_chunks = {c.id: c for c in build_chunks(second, first, old_chunks)}
    old = {c.id: c for c in old_chunks}
    assert new_chunks["measure:g-sps-n-jpn-1301"] is old["measure:g-sps-n-jpn-1301"]
    assert new_chunks["measure:g-tbt-n-kor-1290"] is not old["measure:g-tbt-n-kor-1290"]
    assert "revised" in new_chunks["measure:g-tbt-n-kor-1290"].text
    assert list(new_chunks.values()) == build_chunks(second)  # equal to chunks made afresh


def test_renamed_market_remakes_every_measure_chunk(knowledge_copy: Path) -> None:
    _imported(knowledge_copy)
    first = load_or_raise(knowledge_copy)
    markets = knowledge_copy / "tbt" / "markets.yaml"
    text = markets.read_text(encoding="utf-8")
    assert "Nhật Bản" in text
    markets.write_text(text.replace("Nhật Bản", "Nhật Bản (JP)", 1), encoding="utf-8")
    second = load_or_raise(knowledge_copy, first)
    assert second.measures["g-sps-n-jpn-1301"] is first.measures["g-sps-n-jpn-1301"]
    chunk = next(
        c for c in build_chunks(second, first, build_chunks(first)) if c.id.endswith("jpn-1301")
    )
    assert "Nhật Bản (JP)" in chunk.text


def test_a_line_a_curated_record_claims_is_merged_not_reused(knowledge_copy: Path) -> None:
    _imported(knowledge_copy)
    first = load_or_raise(knowledge_copy)
    assert "g-tbt-n-kor-1290" in first.notified_only
    measures = knowledge_copy / "tbt" / "measures.yaml"
    text = measures.read_text(encoding="utf-8")
    # the curated Korean wood measure now names that notification as its own symbol
    old = 'symbol: "G/TBT/N/KOR/832"'
    assert text.count(old) == 1
    measures.write_text(text.replace(old, 'symbol: "G/TBT/N/KOR/1290"'), encoding="utf-8")
    second = load_or_raise(knowledge_copy, first)
    assert "g-tbt-n-kor-1290" not in second.measures
    curated = second.measures["kr-wood-products-quality-standards"]
    assert curated.symbol == "G/TBT/N/KOR/1290"
    assert second == load_or_raise(knowledge_copy)


def test_searcher_keeps_one_copy_of_the_vectors(knowledge_copy: Path, tmp_path: Path) -> None:
    kb = load_or_raise(knowledge_copy)
    report = build_index(kb, FakeEncoder(), tmp_path / "index")
    assert report.stored is not None
    searcher = Searcher(report.stored, FakeEncoder())
    assert isinstance(searcher.vectors, FaissIndex)
    assert np.array_equal(searcher.stored.vectors, report.stored.vectors)
    assert searcher.stored.vectors.base is None or not np.shares_memory(
        searcher.stored.vectors, report.stored.vectors
    )
    numpy_index = NumpyIndex(report.stored.vectors)
    assert np.shares_memory(numpy_index.matrix(), report.stored.vectors)
    empty = StoredIndex(report.stored.manifest, [], np.zeros((0, 8), dtype=np.float32))
    assert FaissIndex(empty.vectors).matrix().shape == (0, 8)


def _chunk(length: int) -> Chunk:
    return Chunk(
        id="x",
        kind="measure",
        title_vi="",
        title_en="",
        text="a" * length,
        quote_vi="",
        file="f",
        cite="c",
    )


def test_long_texts_go_four_to_a_batch() -> None:
    assert batch_size([_chunk(300), _chunk(600)]) == 4
    assert batch_size([_chunk(300), _chunk(2400)]) == 4
    assert batch_size([_chunk(300), _chunk(4800)]) == 2
    assert batch_size([_chunk(20_000)]) == 1
