"""Okapi BM25 over two views of each chunk: with marks, and with marks stripped."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from assistant.text import fold, fold_plain, words

# Words so common in the plan that matching them says nothing about relevance.
STOPWORDS = frozenset(
    "và của các cho với trong theo được là có những về để từ đến này một tại hoặc cũng như "
    "khi va cua cac cho voi trong theo duoc la co nhung ve de tu den nay mot tai hoac cung "
    "nhu khi the a an of to in on and or is are for by with what which who how does do be it "
    "its at ai gì gi nào nao không khong ra sao thế the".split()
)


class BM25:
    """A small exact BM25 index; the corpus is a few hundred chunks."""

    def __init__(
        self,
        texts: Sequence[str],
        analyzer: Callable[[str], list[str]],
        k1: float = 1.4,
        b: float = 0.75,
    ) -> None:
        self._analyze = analyzer
        self.k1, self.b = k1, b
        self._docs = [Counter(analyzer(t)) for t in texts]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        """BM25 score of every document for the query."""
        terms = [t for t in self._analyze(query) if t in self._idf]
        out = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            total = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / self._avg)
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    total += self._idf[term] * tf * (self.k1 + 1) / (tf + norm)
            out.append(total)
        return out

    def known(self, query: str) -> list[str]:
        """Query terms that occur somewhere in the corpus."""
        return [t for t in self._analyze(query) if t in self._idf]


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
