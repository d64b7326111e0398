"""Okapi BM25 over two views of each chunk: with marks, and with marks stripped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import bm25s
import numpy as np
import scipy.sparse

from assistant.text import fold, fold_plain, words

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

# Words so common in the plan that matching them says nothing about relevance.
STOPWORDS = frozenset(
    "và của các cho với trong theo được là có những về để từ đến này một tại hoặc cũng như "
    "khi va cua cac cho voi trong theo duoc la co nhung ve de tu den nay mot tai hoac cung "
    "nhu khi the a an of to in on and or is are for by with what which who how does do be it "
    "its at ai gì gi nào nao không khong ra sao thế the".split()
)
Analyzer = Callable[[str], list[str]]


class _ArrayBM25(bm25s.BM25):  # type: ignore[misc]
    """bm25s with its index computed in a few array passes instead of a loop over documents.

    `build_index_from_ids` is bm25s's documented point to override; the scores are Lucene's
    BM25 (the `method="lucene"` formulas), laid out as bm25s lays them out (token-major CSC),
    so scoring is bm25s's own. At 50,000 chunks this builds in about a second instead of ten.
    """

    def build_index_from_ids(
        self, unique_token_ids: Any, corpus_token_ids: Any, **_: Any
    ) -> dict[str, Any]:
        docs: list[np.ndarray] = corpus_token_ids
        n_docs, n_vocab = len(docs), len(unique_token_ids)
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
        # one row per token, its documents in order and each (token, document) once with its
        # count: scipy's counting sort does it in linear time (at 50,000 chunks, 10 million
        # tokens, 0.26 s against 0.65 s for sorting keys)
        tokens = np.concatenate(docs) if n_docs else np.zeros(0, np.int32)
        of_doc = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
        ones = np.ones(len(tokens), dtype=np.float32)
        shape = (n_vocab, max(n_docs, 1))
        counts = scipy.sparse.coo_matrix((ones, (tokens, of_doc)), shape=shape).tocsr()
        del tokens, of_doc, ones
        tf, doc = counts.data, counts.indices
        df = np.diff(counts.indptr)
        token = np.repeat(np.arange(n_vocab, dtype=np.int32), df)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        scale = np.float32(self.k1 * self.b / max(lengths.mean(), 1e-9))
        norm = lengths.astype(np.float32)[doc] * scale + np.float32(self.k1 * (1 - self.b))
        data = idf[token] * tf / (tf + norm)
        indptr = counts.indptr
        self.doc_freqs = df
        self.nonoccurrence_array = None  # only BM25L and BM25+ use one
        return {
            "data": data.astype(self.dtype),
            "indices": doc.astype(self.int_dtype),
            "indptr": indptr.astype(self.int_dtype),
            "num_docs": n_docs,
        }


class BM25:
    """Okapi BM25 (Lucene's idf) on bm25s's sparse index: one scoring pass is a few sparse row
    sums, so a question costs the same at 150 chunks and at 50,000.

    Each text's token ids are kept and handed to the next generation (`previous`): after an
    import of 1,000 notifications only their texts are analysed again, not the 50,000 others.
    """

    def __init__(
        self,
        texts: Sequence[str],
        analyzer: Analyzer,
        k1: float = 1.4,
        b: float = 0.75,
        previous: BM25 | None = None,
    ) -> None:
        self._analyze = analyzer
        self.k1 = k1
        self._size = len(texts)
        if previous and len(previous._vocab) > 2 * int(np.count_nonzero(previous.doc_freqs)) + 1000:
            previous = None  # mostly words of texts since removed: start a fresh vocabulary
        # the previous generation keeps answering while this one builds: its vocabulary is copied
        self._vocab: dict[str, int] = dict(previous._vocab) if previous else {}
        known = previous._ids if previous else {}
        self._ids: dict[str, np.ndarray] = {
            t: known[t] if t in known else self._to_ids(t) for t in texts
        }
        self._index = _ArrayBM25(k1=k1, b=b, method="lucene")
        self._index.doc_freqs = np.zeros(len(self._vocab), dtype=np.int64)
        if any(len(self._ids[t]) for t in texts):
            corpus = [self._ids[t] for t in texts]
            self._index.index((corpus, self._vocab), create_empty_token=False, show_progress=False)

    def _to_ids(self, text: str) -> np.ndarray:
        vocab = self._vocab
        return np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in self._analyze(text)), dtype=np.int32
        )

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query."""
        terms = self.known(query)
        if not terms:
            return np.zeros(self._size, dtype=np.float32)
        # bm25s leaves out Robertson's constant (k1 + 1); it is put back so scores keep their scale
        return np.asarray(self._index.get_scores(terms)) * (self.k1 + 1)

    @property
    def doc_freqs(self) -> np.ndarray:
        """How many documents hold each vocabulary id (words of removed texts hold none)."""
        return np.asarray(self._index.doc_freqs)

    def known(self, query: str) -> list[str]:
        """Query terms that occur somewhere in the corpus."""
        df, vocab = self.doc_freqs, self._vocab
        return [t for t in self._analyze(query) if t in vocab and df[vocab[t]] > 0]


def _analyzer(normalize: Callable[[str], str]) -> Analyzer:
    def analyze(text: str) -> list[str]:
        tokens = [w for w in words(normalize(text)) if w not in STOPWORDS]
        # adjacent pairs capture Vietnamese two-syllable words ("nhiệm vụ", "doanh nghiệp")
        return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    return analyze


analyze_marked = _analyzer(fold)
analyze_plain = _analyzer(fold_plain)


class DualBM25:
    """BM25 with marks for marked or English questions; marks stripped for unmarked Vietnamese."""

    def __init__(self, texts: Sequence[str], previous: DualBM25 | None = None) -> None:
        self.marked: BM25 = BM25(
            texts, analyze_marked, previous=previous.marked if previous else None
        )
        self.plain: BM25 = BM25(texts, analyze_plain, previous=previous.plain if previous else None)

    def pick(self, plain_query: bool) -> BM25:
        """The view to use for a question typed with or without marks."""
        return self.plain if plain_query else self.marked
