"""The e5 encoder on ONNX Runtime and `tokenizers`: the same weights, without torch.

Set-up exports the graph from the sentence-transformers model folder (`onnx_export.py`); this
module only runs it. The graph takes token ids and the attention mask and returns the mean-pooled,
L2-normalized sentence vector, as the sentence-transformers pipeline (Transformer, Pooling,
Normalize) computes it. Importing this module imports neither torch nor transformers.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.embed.base import ONE_AT_A_TIME, Vectors
from assistant.errors import ModelError

log = logging.getLogger(__name__)

Quantization = Literal["fp32", "int8"]
ONNX_DIR = "onnx"
GRAPH_FILES: dict[Quantization, str] = {"fp32": "model.onnx", "int8": "model_int8.onnx"}
VERIFIED = ".verified"  # written by set-up once the export matches the reference
EXPORT_FORMAT = "format 3"  # the marker's first line; 2: weights in a mapped file; 3: fused


def graph_path(model_dir: Path, quantization: Quantization) -> Path:
    """Where set-up writes the exported graph of this quantization."""
    return Path(model_dir) / ONNX_DIR / GRAPH_FILES[quantization]


def is_exported(model_dir: Path, quantization: Quantization) -> bool:
    """Whether set-up exported and verified this graph, in the current format."""
    marker = Path(model_dir) / ONNX_DIR / VERIFIED
    if not (graph_path(model_dir, quantization).is_file() and marker.is_file()):
        return False
    return marker.read_text(encoding="utf-8").partition("\n")[0] == EXPORT_FORMAT


def backend_name(model_dir: Path, quantization: Quantization) -> str:
    """The encoder's name in the index manifest: a new backend means new vectors."""
    return f"{model_dir}#onnx-{quantization}"


class OnnxEncoder:
    """Runs the exported graph with explicit threads: one query at a time, or a batch."""

    def __init__(
        self,
        model_dir: Path,
        quantization: Quantization = "fp32",
        threads: int = 1,
        batch_threads: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self._path = graph_path(model_dir, quantization)
        if not self._path.is_file():
            raise ModelError(f"no exported graph at {self._path}; run `assistant setup`")
        self._threads = threads
        self._batch_threads = batch_threads or threads
        self._session = self._open(threads)
        self._batch_session: Any = None  # made when passages are first embedded, if needed
        self._lock = threading.Lock()
        try:
            self._tokenizer: Any = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # the library raises its own kinds; all mean "cannot load"
            raise ModelError(f"cannot load {model_dir / 'tokenizer.json'}: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=_max_length(model_dir))
        self._pad = self._tokenizer.token_to_id("<pad>") or 0
        prompts = _prompts(model_dir)
        self._query_prompt = prompts.get("query", "query: ")
        self._passage_prompt = prompts.get("passage", "passage: ")
        self.name = backend_name(model_dir, quantization)
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])
        log.info("loaded %s (%d thread(s))", self._path, threads)

    def _open(self, threads: int) -> Any:
        """A session on `threads` intra-op threads that do not spin while idle.

        A spinning pool holds its cores after each call; beside a rebuild in another process
        that doubles the wait for every question (docs/PERFORMANCE.md).
        """
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # notes about unused initializers are not ours
        try:
            return ort.InferenceSession(
                str(self._path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own kinds; all mean "cannot load"
            raise ModelError(f"cannot load {self._path}: {exc}") from exc

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int, session: Any) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([prompt + t for t in texts])
        ids = [e.ids for e in encodings]
        # texts of like length together waste no padding
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), max(1, batch_size)):
            rows = order[start : start + max(1, batch_size)]
            width = max(len(ids[i]) for i in rows)
            batch = np.full((len(rows), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                batch[j, : len(ids[i])] = ids[i]
                mask[j, : len(ids[i])] = 1
            (vectors,) = session.run(["embedding"], {"input_ids": batch, "attention_mask": mask})
            out[rows] = vectors
        return out

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed questions with the query prompt: one on the query threads, many as a batch."""
        session = self._session if len(texts) <= ONE_AT_A_TIME else self._batch()
        return self._encode(texts, self._query_prompt, 16, session)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed passages with the passage prompt, on the batch threads."""
        return self._encode(texts, self._passage_prompt, batch_size, self._batch())

    def release_batch(self) -> None:
        """Close the batch session: its own packed weights and working memory (~200 MB after
        a build) go back to the system while the rest of a build runs and until the next one;
        opening it again takes a fraction of a second."""
        with self._lock:
            self._batch_session = None

    def _batch(self) -> Any:
        """The session for many texts, opened when first needed (the bot may never need it)."""
        if self._batch_threads == self._threads:
            return self._session
        with self._lock:
            if self._batch_session is None:
                self._batch_session = self._open(self._batch_threads)
            return self._batch_session


def _max_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length") or 512)
    return 512


def _prompts(model_dir: Path) -> dict[str, str]:
    config = model_dir / "config_sentence_transformers.json"
    if config.is_file():
        return dict(json.loads(config.read_text()).get("prompts") or {})
    return {}
