"""The index on disk: manifest, chunks and vectors; incremental and atomically swapped."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter

from assistant.chunks import Chunk, build_chunks
from assistant.embed.base import Encoder, Vectors
from assistant.errors import SearchIndexError
from assistant.knowledge.base import KnowledgeBase

log = logging.getLogger(__name__)
FORMAT = 1
Progress = Callable[[int, int], None]
WRITE_SLICE = 2_000  # chunks serialised at a time
_CHUNK_LIST = TypeAdapter(list[Chunk])


@dataclass(frozen=True)
class Manifest:
    """What an index was built from: enough to tell whether it is stale."""

    model: str
    dim: int
    knowledge_hash: str
    built_at: str
    chunks: int
    entries: int
    format: int = FORMAT


@dataclass(frozen=True)
class StoredIndex:
    """A loaded index: its manifest, chunks in row order and their vectors."""

    manifest: Manifest
    chunks: list[Chunk]
    vectors: Vectors


@dataclass
class BuildReport:
    """What a build did, for `assistant index` and the bot's /reload."""

    embedded: int = 0
    reused: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    manifest: Manifest | None = None
    stored: StoredIndex | None = None  # the index as written, so the caller need not read it


def _current(index_dir: Path) -> Path:
    return index_dir / "current"


def load_index(index_dir: Path) -> StoredIndex:
    """Load the current index, or raise SearchIndexError saying how to build one."""
    root = _current(index_dir)
    try:
        manifest = Manifest(**json.loads((root / "manifest.json").read_text(encoding="utf-8")))
        chunks = _CHUNK_LIST.validate_json((root / "chunks.json").read_bytes())
        vectors = _map_vectors(root / "vectors.npy")
    except (OSError, ValueError, TypeError) as exc:
        raise SearchIndexError(
            f"no usable index in {index_dir} ({exc.__class__.__name__}); run `assistant index`"
        ) from exc
    if manifest.format != FORMAT or len(chunks) != len(vectors):
        raise SearchIndexError(f"the index in {index_dir} is damaged; run `assistant index`")
    return StoredIndex(manifest, chunks, vectors)


def build_index(
    kb: KnowledgeBase,
    encoder: Encoder,
    index_dir: Path,
    progress: Progress | None = None,
    previous: StoredIndex | None = None,
    previous_kb: KnowledgeBase | None = None,
) -> BuildReport:
    """Build the index for kb, re-embedding only changed chunks, and swap it in atomically.

    `previous` is the index in memory, when the caller has it; otherwise it is read from disk.
    `previous_kb`, the knowledge it was built from, lets unchanged records keep their chunks.
    """
    started = time.perf_counter()
    chunks = build_chunks(kb, previous_kb, previous.chunks if previous else ())
    report = BuildReport()
    reuse: dict[str, np.ndarray] = {}
    old_ids: dict[str, str] = {}
    if previous is None:
        try:
            previous = load_index(index_dir)
        except SearchIndexError:
            previous = None
    if (
        previous
        and previous.manifest.model == encoder.name
        and previous.manifest.dim == encoder.dim
    ):
        reuse = {c.digest: previous.vectors[i] for i, c in enumerate(previous.chunks)}
    if previous:
        old_ids = {c.id: c.digest for c in previous.chunks}
    missing = [c for c in chunks if c.digest not in reuse]
    total = len(missing)
    if progress:
        progress(0, total)
    fresh: dict[str, np.ndarray] = {}
    # texts of like length together waste no padding; progress is told per group
    missing.sort(key=lambda c: len(c.text))
    batch = 128
    for start in range(0, total, batch):
        part = missing[start : start + batch]
        vectors = encoder.encode_passages([c.text for c in part], batch_size=batch_size(part))
        fresh.update({c.digest: v for c, v in zip(part, vectors, strict=True)})
        if progress:
            progress(min(start + batch, total), total)
    if total:
        encoder.release_batch()  # the rest of the build needs memory, not the batch session
    rows = (fresh[c.digest] if c.digest in fresh else reuse[c.digest] for c in chunks)
    report.embedded, report.reused = len(fresh), len(chunks) - len(fresh)
    new_ids = {c.id: c.digest for c in chunks}
    report.added = sorted(set(new_ids) - set(old_ids))
    report.removed = sorted(set(old_ids) - set(new_ids))
    report.changed = sorted(i for i in new_ids if i in old_ids and old_ids[i] != new_ids[i])
    manifest = Manifest(
        model=encoder.name,
        dim=encoder.dim,
        knowledge_hash=kb.knowledge_hash,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        chunks=len(chunks),
        entries=kb.entry_count,
    )
    matrix = _write_and_swap(index_dir, manifest, chunks, rows)
    report.manifest = manifest
    report.stored = StoredIndex(manifest, chunks, matrix)
    report.seconds = time.perf_counter() - started
    return report


# Texts per forward pass: four, fewer if they are very long. Four embedded as fast as sixteen or
# faster, short or long, on both backends, and hold less working memory (PERFORMANCE.md).
BATCH_TEXTS = 4
BATCH_CHARS = 9_600  # about 4 texts of 512 tokens


def batch_size(part: list[Chunk]) -> int:
    """How many of these texts (sorted by length) to embed in one forward pass."""
    longest = max((len(c.text) for c in part), default=1)
    return max(1, min(BATCH_TEXTS, BATCH_CHARS // max(longest, 1)))


def _write_and_swap(
    index_dir: Path, manifest: Manifest, chunks: list[Chunk], rows: Iterable[np.ndarray]
) -> Vectors:
    """Write the build beside the current one and swap it in; return its vectors, mapped."""
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = builds / f".{name}.tmp"
    staging.mkdir()
    try:
        _write_vectors(staging / "vectors.npy", rows, len(chunks), manifest.dim)
        with (staging / "chunks.json").open("wb") as handle:
            # a slice at a time: at 50,000 chunks one big string would cost ~200 MB at peak
            handle.write(b"[")
            for start in range(0, len(chunks), WRITE_SLICE):
                part = _CHUNK_LIST.dump_json(chunks[start : start + WRITE_SLICE])
                handle.write(b"," + part[1:-1] if start else part[1:-1])
            handle.write(b"]")
        (staging / "manifest.json").write_text(
            json.dumps(manifest.__dict__, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        final = builds / name
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = index_dir / f".current-{name}"
    link.symlink_to(Path("builds") / name)
    old_target = _current(index_dir).resolve() if _current(index_dir).is_symlink() else None
    os.replace(link, _current(index_dir))  # atomic: readers see the old or the new build
    if old_target is not None and old_target != final.resolve():
        shutil.rmtree(old_target, ignore_errors=True)
    log.info("index swapped in: %s (%d chunks)", name, len(chunks))
    return _map_vectors(final / "vectors.npy")


def _write_vectors(path: Path, rows: Iterable[np.ndarray], count: int, dim: int) -> None:
    """Write the vectors row by row straight into the file: a build holds no matrix of its
    own beside the index in service and the one faiss copies (73 MB at 50,000 chunks)."""
    if not count:
        np.save(path, np.zeros((0, dim), dtype=np.float32))
        return
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(count, dim))
    for i, row in enumerate(rows):
        out[i] = row
    out.flush()
    del out


def _map_vectors(path: Path) -> Vectors:
    """The vectors of an index file, mapped read-only (the search index copies what it needs)."""
    vectors: Vectors = np.load(path, mmap_mode="r")
    if vectors.dtype != np.float32 or vectors.ndim != 2:
        raise ValueError(f"{path}: not a matrix of float32 vectors")
    return vectors
