"""Hybrid retrieval: dense vectors and BM25, fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.chunks import Chunk
from assistant.embed.base import Encoder
from assistant.index.bm25 import DualBM25
from assistant.index.store import StoredIndex
from assistant.index.vector import VectorIndex, make_vector_index
from assistant.text import has_diacritics

RRF_K = 60


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with the evidence behind its rank."""

    chunk: Chunk
    score: float
    dense: float
    lexical: float
    lexical_rank: int | None


class Searcher:
    """Answers 'which chunks fit this question' from a loaded index."""

    def __init__(self, stored: StoredIndex, encoder: Encoder, vector_kind: str = "faiss") -> None:
        self.stored = stored
        self.chunks = stored.chunks
        self.encoder = encoder
        self.vectors: VectorIndex = make_vector_index(stored.vectors, vector_kind)
        self.bm25 = DualBM25([c.text for c in self.chunks])

    def search(
        self,
        question: str,
        lang: str,
        k: int = 8,
        depth: int = 30,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The top-k chunks for a question, fused from dense and lexical rankings.

        `vector` is the question's embedding when understanding already computed it.
        """
        if not self.chunks:
            return []
        query = self.encoder.encode_queries([question]) if vector is None else vector.reshape(1, -1)
        dense_scores, dense_rows = self.vectors.search(query, depth)
        plain = lang == "vi" and not has_diacritics(question)
        lexical = np.asarray(self.bm25.pick(plain).scores(question))
        lex_order = [int(i) for i in np.argsort(-lexical)[:depth] if lexical[i] > 0]
        fused: dict[int, float] = {}
        for rank, row in enumerate(int(r) for r in dense_rows[0] if r >= 0):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
        lex_rank = {row: rank for rank, row in enumerate(lex_order)}
        for row, rank in lex_rank.items():
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
        cosine = dict(
            zip((int(r) for r in dense_rows[0]), (float(s) for s in dense_scores[0]), strict=True)
        )
        order = sorted(fused, key=lambda r: -fused[r])[:k]
        return [
            Hit(
                chunk=self.chunks[row],
                score=fused[row],
                # a row found only by BM25 gets its cosine computed here, not for every chunk
                dense=cosine[row] if row in cosine else float(query[0] @ self.stored.vectors[row]),
                lexical=float(lexical[row]),
                lexical_rank=lex_rank.get(row),
            )
            for row in order
        ]
