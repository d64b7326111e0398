"""The index on disk: manifest, incremental rebuilds and atomic swaps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.cli import main
from assistant.embed.base import Vectors
from assistant.embed.fake import FakeEncoder
from assistant.index.store import build_index, load_index
from assistant.knowledge.loader import load_or_raise


class CountingEncoder(FakeEncoder):
    """A fake encoder that counts passages and can fail on demand."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.passages = 0
        self.fail = fail
        self.released = 0  # batch resources released, once per build that embedded

    def release_batch(self) -> None:
        self.released += 1

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        if self.fail:
            raise RuntimeError("encoder crashed")
        self.passages += len(texts)
        return super().encode_passages(texts, batch_size)


def test_manifest_and_incremental_rebuild(knowledge_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    encoder = CountingEncoder()
    first = build_index(load_or_raise(knowledge_copy), encoder, index_dir)
    assert first.embedded == encoder.passages > 100
    assert encoder.released == 1  # the rest of the build runs without the batch resources
    manifest = json.loads((index_dir / "current" / "manifest.json").read_text())
    assert manifest["model"] == "fake-trigram" and manifest["dim"] == 256
    assert manifest["knowledge_hash"] == load_or_raise(knowledge_copy).knowledge_hash

    path = knowledge_copy / "agencies.yaml"
    path.write_text(path.read_text().replace("aliases: [Sở TC,", "aliases: [Sở TC, Sở Tài chánh,"))
    encoder.passages = 0
    second = build_index(load_or_raise(knowledge_copy), encoder, index_dir)
    assert second.embedded == encoder.passages == 1
    assert second.stored is not None  # as written, mapped from the file
    assert np.array_equal(load_index(index_dir).vectors, second.stored.vectors)
    assert second.changed == ["agency:so-tai-chinh"]
    assert load_index(index_dir).manifest.knowledge_hash != manifest["knowledge_hash"]


def test_failed_build_keeps_previous_index(knowledge_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(load_or_raise(knowledge_copy), CountingEncoder(), index_dir)
    before = load_index(index_dir)
    # a changed chunk forces embedding, and this encoder crashes when asked to embed
    path = knowledge_copy / "agencies.yaml"
    path.write_text(path.read_text().replace("Sở TC,", "Sở TC, STC2,"))
    broken = CountingEncoder(fail=True)
    with pytest.raises(RuntimeError):
        build_index(load_or_raise(knowledge_copy), broken, index_dir)
    after = load_index(index_dir)
    assert after.manifest == before.manifest
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks]
    assert not list((index_dir / "builds").glob(".*.tmp"))


def test_cli_index_info_and_ask_json(
    fake_settings: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ASSISTANT_ENCODER", "fake")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    assert main(["index"]) == 0
    assert "embedded" in capsys.readouterr().out
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model"] == "fake-trigram" and info["chunks"] > 100 and not info["stale"]
    monkeypatch.setattr(
        "sys.stdin", __import__("io").StringIO("ai chu tri nhiem vu 3.2\nWho leads task 5.3?\n\n")
    )
    assert main(["ask", "--json", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [x["tasks"][0]["id"] if x["tasks"] else None for x in lines] == ["3.2", "5.3", None]
    assert lines[1]["lang"] == "en" and lines[2]["confident"] is False


def test_fusion_keeps_how_far_ahead_a_passage_is() -> None:
    """Scores, not ranks, are fused: a passage with twice the words of any other leads even
    when its cosine is a hair lower (unmarked Vietnamese compresses cosines)."""
    from assistant.retrieve import _fuse

    cosine = np.array([0.773, 0.767, 0.770, 0.750, 0.745])
    lexical = np.array([12.0, 26.0, 11.0, 3.0, 2.0])
    fused = _fuse(cosine, lexical)
    assert max(range(5), key=lambda i: fused[i]) == 1
    assert all(0.0 <= x <= 1.0 for x in fused)
    # equal evidence everywhere: nothing is invented
    assert _fuse(np.array([0.8, 0.8]), np.array([0.0, 0.0])) == [0.0, 0.0]


@pytest.mark.parametrize("size", [5, 30, 31, 200, 50_000])
def test_top_rows_are_a_stable_sort_without_sorting_every_row(size: int) -> None:
    from assistant.retrieve import _top

    rng = np.random.default_rng(size)
    for _ in range(20):
        scores = rng.integers(0, 5, size).astype(np.float64)  # many ties
        expected = np.argsort(-scores, kind="stable")[:30]
        assert _top(scores, 30).tolist() == expected.tolist()


def _clustered_vectors(count: int, clusters: int, seed: int) -> Vectors:
    """Unit vectors around a few directions, as embeddings of a few topics lie."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, 64))
    points = centres[rng.integers(0, clusters, count)] + 0.35 * rng.normal(size=(count, 64))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


def test_the_clustered_index_finds_what_an_exact_scan_finds() -> None:
    from assistant.index.vector import ClusteredIndex, FaissIndex

    vectors = _clustered_vectors(6_000, 40, seed=3)
    queries = _clustered_vectors(50, 40, seed=3)[:50] + 0.01
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    clustered, exact = ClusteredIndex(vectors), FaissIndex(vectors)
    assert np.shares_memory(clustered.matrix(), clustered._flat.matrix())  # held once
    assert np.array_equal(clustered.matrix(), vectors)
    scores, rows = clustered.search(queries, 10)
    want_scores, want_rows = exact.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, want_rows, strict=True)])
    assert recall >= 0.95
    for q, r, s in zip(queries, rows, scores, strict=True):  # scores are exact cosines
        assert np.allclose(vectors[r] @ q, s, atol=1e-5)
        assert list(s) == sorted(s, reverse=True)
    assert np.allclose(scores[:, 0], want_scores[:, 0], atol=1e-5)  # the nearest is never lost


def test_an_import_reuses_the_clusters_until_the_rows_grew_by_a_quarter() -> None:
    from assistant.index.vector import ClusteredIndex, FaissIndex

    vectors = _clustered_vectors(8_000, 40, seed=5)
    first = ClusteredIndex(vectors[:6_000])
    grown = ClusteredIndex(vectors[:7_000], previous=first)  # 1,000 rows imported
    assert grown._centroids is first._centroids and grown._trained == 6_000
    # the new rows are assigned to the nearest old centroid, so they are found as before
    queries = vectors[6_000:7_000:20] + 0.01
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    _, rows = grown.search(queries, 10)
    _, want = FaissIndex(vectors[:7_000]).search(queries, 10)
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, want, strict=True)]) >= 0.95
    retrained = ClusteredIndex(vectors, previous=first)  # 8,000 > 6,000 x 1.25
    assert retrained._centroids is not first._centroids and retrained._trained == 8_000


def test_large_indexes_are_clustered_small_ones_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.index import vector

    monkeypatch.setattr(vector, "CLUSTER_FROM", 1_000)
    assert isinstance(vector.make_vector_index(_clustered_vectors(999, 5, 1)), vector.FaissIndex)
    big = vector.make_vector_index(_clustered_vectors(1_000, 5, 1))
    assert isinstance(big, vector.ClusteredIndex)
    assert isinstance(
        vector.make_vector_index(_clustered_vectors(10, 2, 1), "numpy"), vector.NumpyIndex
    )
