"""A deterministic, dependency-free encoder for tests: hashed character trigrams."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from assistant.embed.base import Vectors
from assistant.text import fold_plain


class FakeEncoder:
    """Bag of hashed trigrams; similar spelling gives similar vectors, no model needed."""

    name = "fake-trigram"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {fold_plain(text)}  "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed questions."""
        return np.stack([self._one(t) for t in texts]) if texts else self._empty()

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed passages."""
        return self.encode_queries(texts)

    def release_batch(self) -> None:
        """Nothing is held between batches."""

    def _empty(self) -> Vectors:
        return np.zeros((0, self.dim), dtype=np.float32)
