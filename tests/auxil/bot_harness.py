"""Run the real bot (bot.app.build_application) against FakeBotApi, and act as its users.

The harness starts the Application the way ``run_polling`` would (initialize, post_init,
start, long polling), lets tests push updates and then *settle*: wait until every pushed
update was fetched and fully handled and the fake server saw no new call for a short quiet
period. After settling, what the fake server recorded is everything users received, so
tests can assert on exact counts ("exactly one reminder", "nothing sent to the group").
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from pydantic import SecretStr
from telegram.ext import Application, ContextTypes

from assistant.settings import Settings
from bot.app import build_application
from bot.reminders import check_reminders
from bot.services import Services
from tests.auxil.fake_bot_api import FakeBotApi, parse_telegram_html

TOKEN = "123:ABC"
ADMIN_ID = 42
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REMINDER_JOBS = ("reminders", "reminders-at-start")
# every call whose failure a user would notice; strict tests require all of them to succeed
USER_VISIBLE = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendDocument",
)
_ACTIVITY = (*USER_VISIBLE, "sendChatAction", "getFile")
# the plan's task ids, for tests that spread many users over the tasks
TASK_IDS = ["1", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "4", "5.1", "5.2", "5.3"]

JSONDict = dict[str, Any]


def make_settings(
    api: FakeBotApi, data_dir: Path, knowledge_dir: Path, admin_ids: tuple[int, ...] = (ADMIN_ID,)
) -> Settings:
    """Settings for a bot on the fake encoder, talking to the fake Bot API."""
    return Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_api_base_url=api.base_url,
        encoder="fake",
        data_dir=data_dir,
        knowledge_dir=knowledge_dir,
        cache_dir=data_dir / "cache",
        admin_ids=list(admin_ids),
    )


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """An aware datetime in the bot's time zone (Asia/Ho_Chi_Minh)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def text_of(sent: JSONDict) -> str:
    """What the user sees of a sendMessage/editMessageText call (HTML parsed to plain text)."""
    text = str(sent["text"])
    if sent.get("parse_mode") == "HTML":
        return parse_telegram_html(text)[0]
    return text


def buttons(sent: JSONDict) -> list[tuple[str, str]]:
    """The inline buttons of a sent message or edit as (label, callback_data), row by row."""
    markup = sent.get("reply_markup") or {}
    return [
        (str(b["text"]), str(b.get("callback_data", "")))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


@dataclass
class Press:
    """What pressing an inline button produced."""

    callback_id: str
    answers: list[JSONDict]
    edits: list[JSONDict]
    sent: list[JSONDict]


@dataclass
class BotHarness:
    """A running bot plus helpers to talk to it as users do."""

    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    settings: Settings
    strict: bool = True  # every user-visible call must succeed (turn off when injecting faults)
    expect_errors: bool = False  # the bot may log errors (turn on when provoking them)
    reminder_runs: list[dt.date] = field(default_factory=list)
    job_ids: dict[str, str] = field(default_factory=dict)  # job name -> scheduler job id
    finished_jobs: list[str] = field(default_factory=list)  # scheduler ids of finished runs

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``api, app = harness``."""
        return iter((self.api, self.app))

    @property
    def services(self) -> Services:
        """The bot's shared services (created by post_init)."""
        svc = self.app.bot_data["services"]
        assert isinstance(svc, Services)
        return svc

    def set_clock(self, when: dt.datetime | None) -> None:
        """Freeze the bot's clock at an aware datetime (None: the real clock)."""
        if when is not None and when.tzinfo is None:
            raise ValueError("the bot's clock needs an aware datetime")
        self.services.clock = None if when is None else (lambda: when)

    # --- waiting -------------------------------------------------------------------------
    def _activity(self) -> tuple[int, ...]:
        return tuple(self.api.calls(m) for m in _ACTIVITY)

    def _busy(self) -> bool:
        return (
            self.api.pending_updates() > 0
            or self.app.update_queue.qsize() > 0
            or self.app.update_processor.current_concurrent_updates > 0
        )

    async def settle(self, quiet: float = 0.03, timeout: float = 15.0) -> None:
        """Wait until all pushed updates are handled and the bot has been quiet for a while."""
        deadline = time.monotonic() + timeout
        last = self._activity()
        calm_since = time.monotonic()
        while True:
            now = time.monotonic()
            current = self._activity()
            if self._busy() or current != last:
                last, calm_since = current, now
            elif now - calm_since >= quiet:
                return
            if now > deadline:
                raise TimeoutError(f"the bot did not settle within {timeout} s")
            await asyncio.sleep(0.01)

    # --- acting as users -------------------------------------------------------------------
    async def send(
        self, text: str, user_id: int, chat_id: int | None = None, **kwargs: Any
    ) -> list[JSONDict]:
        """Send a text message as a user; return the bot's sendMessage calls to that chat."""
        chat = user_id if chat_id is None else chat_id
        before = len(self.api.sent(chat))
        self.api.push_message(text, user_id=user_id, chat_id=chat_id, **kwargs)
        await self.settle()
        return self.api.sent(chat)[before:]

    async def press(
        self, data: str, user_id: int, chat_id: int | None = None, message_id: int | None = None
    ) -> Press:
        """Press an inline button (on the bot's latest message by default)."""
        chat = user_id if chat_id is None else chat_id
        answers, edits, sent = (
            len(self.api.answered_callbacks()),
            len(self.api.edits(chat)),
            len(self.api.sent(chat)),
        )
        callback_id = self.api.push_callback(
            data, user_id=user_id, chat_id=chat_id, message_id=message_id
        )
        await self.settle()
        return Press(
            callback_id,
            self.api.answered_callbacks()[answers:],
            self.api.edits(chat)[edits:],
            self.api.sent(chat)[sent:],
        )

    async def upload(
        self, data: bytes, file_name: str, user_id: int, chat_id: int | None = None, **kwargs: Any
    ) -> list[JSONDict]:
        """Send a document as a user; return the bot's sendMessage calls to that chat."""
        chat = user_id if chat_id is None else chat_id
        before = len(self.api.sent(chat))
        self.api.push_document(data, file_name, user_id=user_id, chat_id=chat_id, **kwargs)
        await self.settle()
        return self.api.sent(chat)[before:]

    async def run_reminders(self) -> list[JSONDict]:
        """Run the reminder check as a job (as the daily job does); return what was sent."""
        assert self.app.job_queue is not None
        before = len(self.api.sent())
        done = asyncio.Event()

        async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
            try:
                await check_reminders(context)
            finally:
                self.reminder_runs.append(self.services.today())
                done.set()

        self.app.job_queue.run_once(job, 0, name="reminders-now")
        await asyncio.wait_for(done.wait(), 15)
        await self.settle()
        return self.api.sent()[before:]

    def job_finished(self, name: str) -> bool:
        """Whether a job that post_init scheduled has run to its end (or failed)."""
        return self.job_ids[name] in self.finished_jobs

    # --- invariants --------------------------------------------------------------------------
    def failed_calls(self) -> dict[str, int]:
        """User-visible API calls that the fake server refused (bad HTML, too long, ...)."""
        failed = {}
        for method in USER_VISIBLE:
            ok = len(self.api.sent(method=method))
            if self.api.calls(method) != ok:
                failed[method] = self.api.calls(method) - ok
        return failed


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    settings: Settings,
    *,
    clock: dt.datetime | None = None,
    reminder_jobs: bool = False,
) -> AsyncIterator[BotHarness]:
    """Start the bot as run_polling would (post_init included) and stop it cleanly.

    The daily and at-start reminder jobs that post_init schedules are removed unless
    ``reminder_jobs`` is true, so that only the test decides when reminders are checked.
    ``clock`` is set before the job queue starts, so the at-start check already sees it.
    """
    app = build_application(settings)
    async with app:
        await app.post_init(app)  # type: ignore[misc]  # run_polling would call it
        harness = BotHarness(api, app, settings)
        if clock is not None:
            harness.set_clock(clock)
        assert app.job_queue is not None
        app.job_queue.scheduler.add_listener(
            lambda event: harness.finished_jobs.append(event.job_id),
            EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
        )
        for name in REMINDER_JOBS:
            jobs = app.job_queue.get_jobs_by_name(name)
            assert len(jobs) == 1, f"post_init should schedule exactly one {name!r} job"
            harness.job_ids[name] = jobs[0].job.id
            if not reminder_jobs:
                jobs[0].schedule_removal()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=dt.timedelta(seconds=1))
        try:
            yield harness
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
