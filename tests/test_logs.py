"""Logging is configured once; the bot's audit lines reach the log; no token ever does."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import logs
from assistant.settings import Settings
from bot.app import configure_logging

TOKEN = "123456789:AAH-fake_token_ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@pytest.fixture
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Our handlers made anew on a stream we can read, and taken away afterwards."""
    stream = io.StringIO()
    monkeypatch.setattr(logs, "_handlers", [])
    root = logging.getLogger()
    level = root.level
    yield stream
    for handler in logs._handlers:
        root.removeHandler(handler)
    root.setLevel(level)


def test_the_bot_raises_the_level_main_chose_so_audit_lines_appear(
    fresh_logging: io.StringIO, tmp_path: Path
) -> None:
    logs.configure(logging.WARNING, stream=fresh_logging)  # what main() does for every command
    logs.audit("refused_staff_action", user=5, action="/reload")
    assert fresh_logging.getvalue() == ""  # the bug: INFO lines were dropped
    configure_logging(Settings(log_file=None))
    logs.audit("refused_staff_action", user=5, action="/reload")
    line = fresh_logging.getvalue().strip()
    assert line.endswith('audit {"event": "refused_staff_action", "user": 5, "action": "/reload"}')
    assert " INFO assistant.audit: " in line


def test_a_token_is_masked_whoever_logs_it(fresh_logging: io.StringIO, tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "bot.log"
    logs.configure(logging.INFO, log_file, stream=fresh_logging)
    logging.getLogger("some.library").warning("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("bot").info("token is " + TOKEN)
    for handler in logs._handlers:
        handler.flush()
    for text in (fresh_logging.getvalue(), log_file.read_text(encoding="utf-8")):
        assert TOKEN not in text and "AAH-fake" not in text
        assert text.count("<token>") == 2
