"""Fixtures for end-to-end tests of the Telegram bot against the fake Bot API server."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from assistant.service import Assistant
from assistant.settings import Settings
from tests.auxil.bot_harness import BotHarness, make_settings, running_bot
from tests.auxil.fake_bot_api import FakeBotApi
from tests.conftest import KNOWLEDGE


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    """A started fake Bot API server, stopped after the test."""
    with FakeBotApi() as server:
        yield server


@pytest.fixture(scope="session")
def index_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fake-encoder index of the repository's knowledge, built once per session."""
    data = tmp_path_factory.mktemp("bot-index")
    Assistant(Settings(encoder="fake", data_dir=data, knowledge_dir=KNOWLEDGE)).build()
    return data / "index"


@pytest.fixture
def bot_settings(
    api: FakeBotApi, tmp_path: Path, knowledge_copy: Path, index_template: Path
) -> Settings:
    """Settings with a fresh data folder and a writable copy of the knowledge; admin is 42.

    The data folder starts with a copy of the prebuilt index (it matches the copied
    knowledge, so the bot loads it instead of building its own).
    """
    data = tmp_path / "data"
    shutil.copytree(index_template, data / "index", symlinks=True)
    return make_settings(api, data, knowledge_copy)


def check_clean(harness: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    """No user-visible call was refused and nothing was logged as an error, unless expected."""
    if harness.strict:
        assert harness.failed_calls() == {}, "the fake server refused some of the bot's calls"
    if not harness.expect_errors:
        errors = [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.get_records("call")
            if r.levelno >= logging.ERROR
        ]
        assert errors == []


@pytest_asyncio.fixture(loop_scope="function")
async def bot(
    api: FakeBotApi, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[BotHarness]:
    """The real bot, polling the fake server; unpacks as ``api, app = bot``."""
    async with running_bot(api, bot_settings) as harness:
        yield harness
        await harness.settle()
    check_clean(harness, caplog)
