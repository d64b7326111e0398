"""The configured encoder: ONNX Runtime by default, sentence-transformers as the reference.

The choice is made from files alone (is there a verified export?), so the encoder's name, which
the index manifest records, is known without loading anything: a change of backend or
quantization makes the index stale, as a change of model does.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.embed.lazy import LazyEncoder
from assistant.embed.onnx import backend_name, graph_path, is_exported
from assistant.settings import Settings

log = logging.getLogger(__name__)


def backend(settings: Settings) -> str:
    """The backend that will run: 'onnx', 'sentence-transformers' or 'fake'."""
    if settings.encoder != "onnx":
        return settings.encoder
    if is_exported(Path(settings.model_path), settings.quantization):
        return "onnx"
    log.warning(
        "no verified ONNX export at %s; using sentence-transformers on torch "
        "(run `assistant setup` to export the default model)",
        graph_path(Path(settings.model_path), settings.quantization),
    )
    return "sentence-transformers"


def make_encoder(settings: Settings) -> LazyEncoder:
    """The configured encoder, loaded on first use."""
    kind = backend(settings)
    model = settings.model_path
    if kind == "fake":
        from assistant.embed.fake import FakeEncoder

        return LazyEncoder(FakeEncoder.name, FakeEncoder)
    if kind == "onnx":
        from assistant.embed.onnx import OnnxEncoder

        return LazyEncoder(
            backend_name(Path(model), settings.quantization),
            lambda: OnnxEncoder(
                Path(model),
                settings.quantization,
                settings.encoder_threads,
                settings.index_threads,
            ),
        )

    from assistant.embed.st import SentenceTransformerEncoder

    # torch's pools spin: a two-thread build beside the bot costs each question 2.5x, so the
    # torch backend builds on the query threads unless told otherwise (docs/PERFORMANCE.md)
    explicit = "index_threads" in settings.model_fields_set
    batch_threads = settings.index_threads if explicit else settings.encoder_threads

    def torch_encoder() -> SentenceTransformerEncoder:
        return SentenceTransformerEncoder(model, settings.encoder_threads, batch_threads)

    return LazyEncoder(model, torch_encoder)
