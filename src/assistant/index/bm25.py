"""Okapi BM25 over two views of each chunk: with marks, and with marks stripped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import bm25s
import numpy as np

from assistant.text import fold, fold_plain, words

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

# Words so common in the plan that matching them says nothing about relevance.
STOPWORDS = frozenset(
    "và của các cho với trong theo được là có những về để từ đến này một tại hoặc cũng như "
    "khi va cua cac cho voi trong theo duoc la co nhung ve de tu den nay mot tai hoac cung "
    "nhu khi the a an of to in on and or is are for by with what which who how does do be it "
    "its at ai gì gi nào nao không khong ra sao thế the".split()
)


class BM25:
    """Okapi BM25 (Lucene's idf) on bm25s's sparse index: one scoring pass is a few sparse row
    sums, so a question costs the same at 150 chunks and at 50,000."""

    def __init__(
        self,
        texts: Sequence[str],
        analyzer: Callable[[str], list[str]],
        k1: float = 1.4,
        b: float = 0.75,
    ) -> None:
        self._analyze = analyzer
        self.k1 = k1
        self._size = len(texts)
        self._index = bm25s.BM25(k1=k1, b=b, method="lucene")
        corpus = [analyzer(t) for t in texts]
        self._vocab: dict[str, int] = {}
        if any(corpus):
            self._index.index(corpus, show_progress=False)
            self._vocab = self._index.vocab_dict

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query."""
        terms = self.known(query)
        if not terms:
            return np.zeros(self._size, dtype=np.float32)
        # bm25s leaves out Robertson's constant (k1 + 1); it is put back so scores keep their scale
        return np.asarray(self._index.get_scores(terms)) * (self.k1 + 1)

    def known(self, query: str) -> list[str]:
        """Query terms that occur somewhere in the corpus."""
        return [t for t in self._analyze(query) if t in self._vocab]


def _analyzer(normalize: Callable[[str], str]) -> Callable[[str], list[str]]:
    def analyze(text: str) -> list[str]:
        tokens = [w for w in words(normalize(text)) if w not in STOPWORDS]
        # adjacent pairs capture Vietnamese two-syllable words ("nhiệm vụ", "doanh nghiệp")
        return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    return analyze


analyze_marked = _analyzer(fold)
analyze_plain = _analyzer(fold_plain)


class DualBM25:
    """BM25 with marks for marked or English questions; marks stripped for unmarked Vietnamese."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.marked = BM25(texts, analyze_marked)
        self.plain = BM25(texts, analyze_plain)

    def pick(self, plain_query: bool) -> BM25:
        """The view to use for a question typed with or without marks."""
        return self.plain if plain_query else self.marked
