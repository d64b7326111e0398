"""An encoder that loads its model on first use, so structured answers never wait for it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence

from assistant.embed.base import Encoder, Vectors


class LazyEncoder:
    """Wraps an encoder factory; the name is known up front, the model loads when needed."""

    def __init__(self, name: str, factory: Callable[[], Encoder]) -> None:
        self.name = name
        self._factory = factory
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    def load(self) -> Encoder:
        """Load the model now (idempotent, thread-safe)."""
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = self._factory()
        return self._encoder

    def prefetch(self) -> None:
        """Start loading in the background; the first real use waits for it.

        Reading the tokenizer and mapping the graph release the GIL, so they overlap the
        knowledge load of a cold start (docs/PERFORMANCE.md). A failure is left for that first
        use to raise, with its message.
        """
        if self._encoder is not None:
            return

        def load_quietly() -> None:
            with contextlib.suppress(Exception):
                self.load()

        threading.Thread(target=load_quietly, name="encoder-prefetch", daemon=True).start()

    @property
    def dim(self) -> int:
        """Vector size; loads the model."""
        return self.load().dim

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed questions."""
        return self.load().encode_queries(texts)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed passages."""
        return self.load().encode_passages(texts, batch_size)

    def release_batch(self) -> None:
        """Free the batch resources of the model, if it is loaded."""
        if self._encoder is not None:
            self._encoder.release_batch()
