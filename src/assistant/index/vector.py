"""Dense nearest-neighbour search behind a small interface, with faiss and numpy versions."""

from __future__ import annotations

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


def make_vector_index(vectors: Vectors, kind: str = "faiss") -> VectorIndex:
    """The configured vector index over the given vectors."""
    return FaissIndex(vectors) if kind == "faiss" else NumpyIndex(vectors)
