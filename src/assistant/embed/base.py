"""The Encoder interface: texts in, L2-normalized float32 vectors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
# up to this many questions at once run on the query threads; more (intent examples at a build)
# run on the batch threads
ONE_AT_A_TIME = 4


class Encoder(Protocol):
    """Turns queries and passages into comparable unit vectors."""

    @property
    def name(self) -> str:
        """The model's name or path, recorded in the index manifest."""
        ...

    @property
    def dim(self) -> int:
        """The vector size."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed questions."""
        ...

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed indexed passages."""
        ...

    def release_batch(self) -> None:
        """Free what embedding many texts holds until it is needed again (a build is done)."""
        ...
