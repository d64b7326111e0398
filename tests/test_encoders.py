"""Which encoder runs, the ONNX export check, and the fall-back to the torch reference."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.embed.base import Vectors
from assistant.embed.factory import backend, make_encoder
from assistant.embed.fake import FakeEncoder
from assistant.embed.onnx import EXPORT_FORMAT, GRAPH_FILES, ONNX_DIR, VERIFIED, backend_name
from assistant.embed.onnx_export import MIN_COSINE, ExportError, compare, require
from assistant.settings import Settings

SENTENCES = ["ai chủ trì nhiệm vụ 3.2", "What is the annual reporting deadline?", "hạn báo cáo"]


def _settings(model_dir: Path, **extra: object) -> Settings:
    return Settings(model=str(model_dir), **extra)  # type: ignore[arg-type]


def _exported(model_dir: Path, *quantizations: str) -> Path:
    (model_dir / ONNX_DIR).mkdir(parents=True)
    for q in quantizations:
        (model_dir / ONNX_DIR / GRAPH_FILES[q]).write_bytes(b"graph")  # type: ignore[index]
    (model_dir / ONNX_DIR / VERIFIED).write_text(f"{EXPORT_FORMAT}\nfp32\treference\t1.0\t1.0\n")
    return model_dir


def test_onnx_is_the_default_when_set_up_exported_it(tmp_path: Path) -> None:
    model = _exported(tmp_path / "model", "fp32", "int8")
    settings = _settings(model)
    assert settings.encoder == "onnx" and settings.quantization == "fp32"
    assert backend(settings) == "onnx"
    encoder = make_encoder(settings)
    assert encoder.name == backend_name(model, "fp32") == f"{model}#onnx-fp32"
    int8 = make_encoder(_settings(model, quantization="int8"))
    torch = make_encoder(_settings(model, encoder="sentence-transformers"))
    # each backend is its own name in the index manifest, so changing one rebuilds the index
    assert len({encoder.name, int8.name, torch.name}) == 3


def test_without_an_export_the_torch_reference_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bare = tmp_path / "some-sentence-transformers-model"
    bare.mkdir()
    with caplog.at_level(logging.WARNING):
        assert backend(_settings(bare)) == "sentence-transformers"
    assert "no verified ONNX export" in caplog.text
    assert make_encoder(_settings(bare)).name == str(bare)  # nothing loaded to decide
    unverified = tmp_path / "half-exported"
    (unverified / ONNX_DIR).mkdir(parents=True)
    (unverified / ONNX_DIR / GRAPH_FILES["fp32"]).write_bytes(b"graph")
    assert backend(_settings(unverified)) == "sentence-transformers"  # never checked: not used
    only_fp32 = _exported(tmp_path / "fp32-only", "fp32")
    assert backend(_settings(only_fp32, quantization="int8")) == "sentence-transformers"
    assert backend(_settings(bare, encoder="fake")) == "fake"
    old_format = _exported(tmp_path / "old-format", "fp32")
    (old_format / ONNX_DIR / VERIFIED).write_text("fp32\treference\t1.0\t1.0\n")
    assert backend(_settings(old_format)) == "sentence-transformers"  # set-up exports it again


def _shifted(amount: float) -> FakeEncoder:
    class Shifted(FakeEncoder):
        def encode_queries(self, texts: Sequence[str]) -> Vectors:
            vectors = super().encode_queries(texts)
            noise = np.random.default_rng(0).normal(size=vectors.shape).astype(np.float32)
            moved = vectors + amount * noise / np.linalg.norm(noise, axis=1, keepdims=True)
            unit: Vectors = moved / np.linalg.norm(moved, axis=1, keepdims=True)
            return unit

    return Shifted()


def test_the_export_check_passes_a_faithful_graph_and_stops_a_wrong_one(tmp_path: Path) -> None:
    reference = FakeEncoder()
    same = compare(
        "fp32", "reference", FakeEncoder().encode_queries, reference.encode_queries, SENTENCES
    )
    assert same.worst == pytest.approx(1.0, abs=1e-6)
    require(same, MIN_COSINE["fp32"], tmp_path)  # no error

    close = compare(
        "int8", "reference", _shifted(0.1).encode_queries, reference.encode_queries, SENTENCES
    )
    assert 0.95 < close.worst < 0.9999
    require(close, MIN_COSINE["int8"], tmp_path)  # int8 is held to less than fp32
    with pytest.raises(ExportError):
        require(close, MIN_COSINE["fp32"], tmp_path)

    wrong = compare(
        "fp32", "reference", _shifted(1.5).encode_queries, reference.encode_queries, SENTENCES
    )
    with pytest.raises(ExportError) as caught:
        require(wrong, MIN_COSINE["fp32"], tmp_path)
    message = str(caught.value)
    assert f"Delete {tmp_path / ONNX_DIR}" in message and "assistant setup" in message
    assert "ASSISTANT_ENCODER=sentence-transformers" in message
    assert wrong.worst_text in message


def test_vectors_of_another_shape_are_refused() -> None:
    def short(texts: Sequence[str]) -> Vectors:
        return np.ones((len(texts), 8), dtype=np.float32)

    with pytest.raises(ExportError, match="shape"):
        compare("fp32", "reference", short, FakeEncoder().encode_queries, SENTENCES)
