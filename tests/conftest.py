"""Shared fixtures: the real knowledge base, loaded once, and a writable copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.loader import load_or_raise
from assistant.service import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The repository's knowledge base."""
    return load_or_raise(KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge folder for tests that break or edit files."""
    dest = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, dest)
    return dest


@pytest.fixture(scope="session")
def fake_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for an assistant on the fake encoder, with its own data folder."""
    data = tmp_path_factory.mktemp("data")
    return Settings(encoder="fake", data_dir=data, knowledge_dir=KNOWLEDGE, telegram_bot_token=None)


@pytest.fixture(scope="session")
def fake_assistant(fake_settings: Settings) -> Assistant:
    """An assistant over the real knowledge with the deterministic fake encoder."""
    assistant = Assistant(fake_settings)
    assistant.build()
    return assistant


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The one assistant that loads the real embedding model, shared by the model tests."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("real"),
        knowledge_dir=KNOWLEDGE,
        cache_dir=ROOT / ".cache",
        telegram_bot_token=None,
    )
    if not (Path(settings.model_path) / ".verified").exists():
        pytest.skip("the embedding model is not built; run `assistant setup --model-only`")
    assistant = Assistant(settings)
    assistant.build()
    return assistant
