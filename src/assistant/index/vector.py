"""Dense nearest-neighbour search behind a small interface, with faiss and numpy versions."""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from assistant.embed.base import Vectors


class VectorIndex(Protocol):
    """Inner-product search over unit vectors."""

    def search(self, query: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k scores and row numbers for each query row."""
        ...

    def matrix(self) -> Vectors:
        """The indexed vectors, row by row: the index's own memory, not a copy of it."""
        ...


class NumpyIndex:
    """Exact search with a matrix product; plenty for a few thousand chunks."""

    def __init__(self, vectors: Vectors) -> None:
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def search(self, query: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k scores and row numbers for each query row."""
        k = min(k, len(self._vectors))
        scores = query @ self._vectors.T
        order = np.argsort(-scores, axis=1)[:, :k]
        return np.take_along_axis(scores, order, axis=1), order

    def matrix(self) -> Vectors:
        """The indexed vectors."""
        return self._vectors


class FaissIndex:
    """Exact inner-product search with faiss (IndexFlatIP)."""

    def __init__(self, vectors: Vectors) -> None:
        import faiss

        self._size = len(vectors)
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        if self._size:
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k scores and row numbers for each query row."""
        k = min(k, self._size)
        scores, rows = self._index.search(np.ascontiguousarray(query, dtype=np.float32), k)
        return scores, rows

    def matrix(self) -> Vectors:
        """A view of the vectors faiss holds (valid while this index lives): no second copy."""
        import faiss

        if not self._size:
            return np.zeros((0, self._index.d), dtype=np.float32)
        flat = faiss.rev_swig_ptr(self._index.get_xb(), self._size * self._index.d)
        return np.asarray(flat).reshape(self._size, self._index.d)


# From this many vectors on, a query scans a few clusters instead of every vector: at 47,666 a
# full scan took 8 ms of each answer's 12 ms outside the encoder (docs/PERFORMANCE.md)
CLUSTER_FROM = 20_000
PROBE_SHARE = 0.1  # the share of clusters a query scans
RETRAIN_AT = 1.25  # clusters are trained again once the rows grew or shrank by this factor


class ClusteredIndex:
    """Scores the vectors of the clusters nearest the query, not all of them (an inverted file).

    Rows are grouped around about sqrt(n) k-means centroids (faiss's `Kmeans`, fixed seed). A
    query scores the centroids, then every row of the nearest tenth of the clusters exactly: a
    row is missed only if it lies outside all of them (recall measured in docs/PERFORMANCE.md).
    The vectors are held once, in a flat faiss index, whose memory `matrix()` returns.
    """

    def __init__(
        self, vectors: Vectors, seed: int = 1, previous: ClusteredIndex | None = None
    ) -> None:
        import faiss

        self._flat = FaissIndex(vectors)
        self._matrix = self._flat.matrix()
        self._centroids: Vectors
        self._trained: int  # rows the centroids were trained on
        size, dim = self._matrix.shape
        if previous is not None and previous._trained / RETRAIN_AT <= size <= (
            previous._trained * RETRAIN_AT
        ):  # the centroids of the last generation still fit: an import need not retrain
            self._centroids, self._trained = previous._centroids, previous._trained
        else:
            lists = max(1, round(math.sqrt(size)))
            kmeans = faiss.Kmeans(dim, lists, niter=10, seed=seed, spherical=True)
            kmeans.train(self._matrix)
            self._centroids = np.ascontiguousarray(kmeans.centroids, dtype=np.float32)
            self._trained = size
        lists = len(self._centroids)
        nearest_centroid = faiss.IndexFlatIP(dim)
        nearest_centroid.add(self._centroids)
        _, nearest = nearest_centroid.search(self._matrix, 1)
        assigned = nearest[:, 0]
        self._rows = np.argsort(assigned, kind="stable").astype(np.int64)  # grouped by cluster
        self._starts = np.concatenate([[0], np.cumsum(np.bincount(assigned, minlength=lists))])
        self._probe = max(1, math.ceil(lists * PROBE_SHARE))

    def search(self, query: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k scores and row numbers for each query row (-1 where fewer rows were scanned)."""
        k = min(k, len(self._matrix))
        scores = np.full((len(query), k), -np.inf, dtype=np.float32)
        found = np.full((len(query), k), -1, dtype=np.int64)
        for i, q in enumerate(np.asarray(query, dtype=np.float32)):
            near = np.argpartition(-(self._centroids @ q), self._probe - 1)[: self._probe]
            rows = np.sort(
                np.concatenate([self._rows[self._starts[c] : self._starts[c + 1]] for c in near])
            )
            got = self._matrix[rows] @ q
            best = np.argsort(-got, kind="stable")[:k]
            scores[i, : len(best)], found[i, : len(best)] = got[best], rows[best]
        return scores, found

    def matrix(self) -> Vectors:
        """The vectors, in the flat index's memory."""
        return self._matrix


def make_vector_index(
    vectors: Vectors, kind: str = "faiss", previous: VectorIndex | None = None
) -> VectorIndex:
    """The configured vector index over the given vectors: exact below CLUSTER_FROM.

    A clustered `previous` (the generation in service) lends its centroids while they fit.
    """
    if kind != "faiss":
        return NumpyIndex(vectors)
    if len(vectors) < CLUSTER_FROM:
        return FaissIndex(vectors)
    return ClusteredIndex(
        vectors, previous=previous if isinstance(previous, ClusteredIndex) else None
    )
