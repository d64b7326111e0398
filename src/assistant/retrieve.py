"""Hybrid retrieval: dense vectors and BM25, fused by reciprocal rank."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from assistant.chunks import Chunk
from assistant.embed.base import Encoder
from assistant.index.bm25 import DualBM25
from assistant.index.store import StoredIndex
from assistant.index.vector import VectorIndex, make_vector_index
from assistant.text import has_diacritics

# Dense and lexical evidence are fused by a convex combination of their scores, each scaled to
# [0, 1] over the candidates (Bruch et al., "An Analysis of Fusion Functions for Hybrid
# Retrieval", 2023). Reciprocal-rank fusion threw the scores away: when e5's cosines are
# compressed (an unmarked Vietnamese question scores every passage within 0.01) and one passage
# shares twice the words of any other, rank fusion still let the cosine order decide. The weight
# was chosen on the development sets (gold, holdout2): 0.5 ranked best of 0.3, 0.5 and 0.7.
DENSE_WEIGHT = 0.5


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

    def __init__(
        self,
        stored: StoredIndex,
        encoder: Encoder,
        vector_kind: str = "faiss",
        previous: Searcher | None = None,
    ) -> None:
        self.chunks = stored.chunks
        self.encoder = encoder
        self.vectors: VectorIndex = make_vector_index(
            stored.vectors, vector_kind, previous.vectors if previous else None
        )
        # the index's own rows stand for the loaded matrix, which is then freed: one copy of
        # 50,000 vectors, not two (the view lives as long as this searcher)
        self.stored = dataclasses.replace(stored, vectors=self.vectors.matrix())
        # texts the previous generation analysed are not analysed again
        self.bm25: DualBM25 = DualBM25(
            [c.text for c in self.chunks], previous.bm25 if previous else None
        )

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
        lex_order = [int(i) for i in _top(lexical, depth) if lexical[i] > 0]
        dense_found = {
            int(r): float(s) for r, s in zip(dense_rows[0], dense_scores[0], strict=True) if r >= 0
        }
        lex_rank = {row: rank for rank, row in enumerate(lex_order)}
        rows = list(dict.fromkeys([*dense_found, *lex_order]))
        # a row found only by BM25 gets its cosine computed here, not for every chunk
        cosine = np.array(
            [dense_found.get(r, float(query[0] @ self.stored.vectors[r])) for r in rows]
        )
        fused = dict(zip(rows, _fuse(cosine, lexical[rows]), strict=True))
        cos_of = dict(zip(rows, cosine.tolist(), strict=True))
        order = sorted(fused, key=lambda r: -fused[r])[:k]
        return [
            Hit(
                chunk=self.chunks[row],
                score=fused[row],
                dense=cos_of[row],
                lexical=float(lexical[row]),
                lexical_rank=lex_rank.get(row),
            )
            for row in order
        ]


def _top(scores: np.ndarray, depth: int) -> np.ndarray:
    """Rows of the `depth` highest scores, best first, ties in row order: what a stable sort
    of every row gives, without sorting 50,000 of them."""
    if len(scores) > depth > 0:
        floor = scores[np.argpartition(-scores, depth - 1)[:depth]].min()
        rows = np.flatnonzero(scores >= floor)
    else:
        rows = np.arange(len(scores))
    return rows[np.argsort(-scores[rows], kind="stable")][:depth]


def _fuse(cosine: np.ndarray, lexical: np.ndarray) -> list[float]:
    """Each candidate's fused score: min-max scaled cosine and max-scaled BM25, weighed."""
    spread = float(cosine.max() - cosine.min()) if len(cosine) else 0.0
    dense = (cosine - cosine.min()) / spread if spread > 0 else np.zeros_like(cosine)
    top = float(lexical.max()) if len(lexical) else 0.0
    words = lexical / top if top > 0 else np.zeros_like(lexical)
    return [float(x) for x in DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * words]
