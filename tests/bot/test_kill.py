"""The bot process killed mid-burst: after a restart every question is answered, and once.

The bot runs as its own process (`python -m assistant bot`, fake encoder) against the fake
Bot API. Sixty users ask at once; once some have their answer, the network stalls (the fake
server holds every reply, unrecorded) and the process is killed with SIGKILL, as an
out-of-memory kill or a crash would. A second process is started on the same data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.settings import Settings
from bot.i18n import TEXTS
from tests.auxil.bot_harness import TASK_IDS, TOKEN, text_of
from tests.auxil.fake_bot_api import FakeBotApi

USERS = 60
FIRST_USER = 20_000
KILL_AFTER = 10  # answers seen before the network stalls and the process is killed
SETTLE = 1.0  # s for replies already recorded to reach the bot before it is killed
START_TIMEOUT = 120.0  # s for a process to load the index and start polling (slow CI)


def _task(user: int) -> str:
    return TASK_IDS[(user - FIRST_USER) % len(TASK_IDS)]


@contextmanager
def _bot_process(
    settings: Settings, api: FakeBotApi, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """The bot as its own process, on the fake encoder and the fake Bot API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        ASSISTANT_ENCODER="fake",
        ASSISTANT_DATA_DIR=str(settings.data_dir),
        ASSISTANT_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        ASSISTANT_CACHE_DIR=str(settings.cache_dir),
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "bot"],
            cwd=log.parent,  # no .env of the repository's
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


async def _polling(api: FakeBotApi, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the process asks for updates (its set-up, and any replay, is done)."""
    before = api.calls("getUpdates")

    def ready() -> bool:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        return api.calls("getUpdates") > before

    await api.wait_for(ready, timeout=START_TIMEOUT, interval=0.05)


def _answered(api: FakeBotApi) -> set[int]:
    return {int(m["chat_id"]) for m in api.sent()}


async def test_killed_mid_burst_every_question_is_answered_once(
    api: FakeBotApi, bot_settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    users = range(FIRST_USER, FIRST_USER + USERS)
    with _bot_process(bot_settings, api, log) as first:
        await _polling(api, first, log)
        for user in users:
            api.push_message(f"Ai chủ trì nhiệm vụ {_task(user)}?", user_id=user)
        await api.wait_for(lambda: len(_answered(api)) >= KILL_AFTER, timeout=60, interval=0.005)
        api.hold("sendMessage")
        await asyncio.sleep(SETTLE)
        before_kill = _answered(api)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    api.release(drop=True)  # the dead process's replies never arrive
    # the kill left questions in flight: fetched from the server, so it will not send them again
    assert KILL_AFTER <= len(before_kill) < USERS
    assert api.pending_updates() < USERS - len(before_kill)

    with _bot_process(bot_settings, api, log) as second:
        await _polling(api, second, log)
        with contextlib.suppress(TimeoutError):
            await api.wait_for(lambda: len(_answered(api)) == USERS, timeout=60, interval=0.05)
        unanswered = set(users) - _answered(api)
        assert not unanswered, f"{len(unanswered)} of {USERS} never answered"
        await asyncio.sleep(SETTLE)  # a second answer to anyone would arrive by now
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text(errors="replace")[-3000:]

    late = TEXTS["late_answer"][0] + "\n"
    late_chats = set()
    for user in users:
        [reply] = [text_of(m) for m in api.sent(user)]  # exactly one answer each
        if reply.startswith(late):
            late_chats.add(user)
            reply = reply.removeprefix(late)
        assert reply.startswith(f"Nhiệm vụ {_task(user)}:"), (user, reply[:80])
    # the questions the dead process had taken were answered from the inbox, with the note
    assert late_chats and not late_chats & before_kill
