"""Sentence-transformers encoder with e5-style 'query: ' / 'passage: ' prompts, offline."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed.base import ONE_AT_A_TIME, Vectors
from assistant.errors import ModelError

log = logging.getLogger(__name__)


def offline_quiet() -> None:
    """Keep Hugging Face libraries offline and without progress bars in our output."""
    for key, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ("TRANSFORMERS_VERBOSITY", "error"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(key, value)


class SentenceTransformerEncoder:
    """Wraps a local sentence-transformers model; never downloads at run time."""

    def __init__(
        self, model: str, threads: int | None = None, batch_threads: int | None = None
    ) -> None:
        offline_quiet()
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ModelError(f"sentence-transformers is not installed: {exc}") from exc
        self._torch: Any = torch
        self._threads = threads
        self._batch_threads = batch_threads or threads
        if threads:
            with contextlib.suppress(RuntimeError):  # only settable before any parallel work
                torch.set_num_interop_threads(1)
        if not Path(model).exists() and "/" not in model:
            raise ModelError(
                f"embedding model not found at {model}; run `assistant setup` to build it"
            )
        try:
            self._model: Any = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise ModelError(f"cannot load embedding model {model}: {exc}") from exc
        self.name = model
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        prompts = getattr(self._model, "prompts", {}) or {}
        self._query_prompt = prompts.get("query", "query: ")
        self._passage_prompt = prompts.get("passage", "passage: ")
        log.info("loaded embedding model %s (dim %d)", model, self.dim)

    def _encode(
        self, texts: Sequence[str], prompt: str, batch_size: int, threads: int | None
    ) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if threads:
            # OpenMP keeps the count per calling thread: each call sets its own, which costs
            # well under a microsecond
            self._torch.set_num_threads(threads)
        out = self._model.encode(
            list(texts),
            prompt=prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed questions with the query prompt: one on the query threads, many as a batch."""
        threads = self._threads if len(texts) <= ONE_AT_A_TIME else self._batch_threads
        return self._encode(texts, self._query_prompt, 16, threads)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed passages with the passage prompt."""
        return self._encode(texts, self._passage_prompt, batch_size, self._batch_threads)

    def release_batch(self) -> None:
        """torch keeps no per-batch state of its own here: nothing to free."""
