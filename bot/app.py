"""Wiring: build the PTB Application, create shared services in post_init, run the bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from assistant import logs
from assistant.errors import ConfigError
from assistant.inbox import Inbox
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import Store
from bot.handlers import (
    admin,
    agency,
    ask,
    deadlines,
    eligibility,
    errors,
    feedback,
    forward,
    start,
    tasks,
    tbt,
    watch,
)
from bot.ordering import PerChatOrder
from bot.ratelimit import RateLimiter
from bot.reminders import check_reminders
from bot.services import Services

log = logging.getLogger(__name__)
REMINDER_TIME = dt.time(8, 0)
COMMANDS = [
    ("start", "Giới thiệu / Introduction"),
    ("help", "Các lệnh / Commands"),
    ("task", "Thẻ nhiệm vụ, ví dụ /task 3.2"),
    ("tasks", "Danh sách nhiệm vụ / All tasks"),
    ("agency", "Cơ quan chủ trì, phối hợp gì"),
    ("deadlines", "Các thời hạn / Deadlines"),
    ("eligibility", "Doanh nghiệp được hỗ trợ gì"),
    ("tbt", "Hàng rào kỹ thuật (TBT)"),
    ("watch", "Theo dõi biện pháp TBT, ví dụ /watch cà phê EU"),
    ("subscribe", "Nhận nhắc hạn / Reminders"),
    ("lang", "Ngôn ngữ / Language: vi | en"),
]


def build_application(settings: Settings, services: Services | None = None) -> Application:  # type: ignore[type-arg]
    """The Application with every handler; services are created in post_init unless given."""
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        svc = services or Services(
            settings=settings,
            assistant=Assistant(settings),
            store=Store(settings.db_path),
            limiter=RateLimiter(),
        )
        app.bot_data["services"] = svc
        if isinstance(app.update_processor, PerChatOrder):
            # what a previous run fetched but never finished is answered first, once
            inbox = Inbox(settings.db_path)
            app.update_processor.attach(inbox, lambda: svc.now().astimezone(dt.UTC))
            app.bot_data["late"] = await app.update_processor.replay_pending(
                app.update_queue, app.bot
            )
        await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
        if app.job_queue is not None:
            tz = ZoneInfo(settings.timezone)
            app.job_queue.run_daily(
                check_reminders, REMINDER_TIME.replace(tzinfo=tz), name="reminders"
            )
            app.job_queue.run_once(check_reminders, 2, name="reminders-at-start")
            # replies staff wrote elsewhere (`assistant forwards reply`) reach their askers
            app.job_queue.run_repeating(forward.deliver_pending, 60, first=5, name="replies")
        # load the knowledge, index and model now, off the event loop, not on the first question
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(svc.executor, svc.assistant.warm_up)

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        svc = app.bot_data.get("services")
        if isinstance(svc, Services):
            svc.executor.shutdown(wait=False, cancel_futures=True)

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrder())  # in order within a chat, at once across chats
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
    app = builder.build()
    _add_handlers(app)
    return app


def _add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    commands = {
        "start": start.start,
        "help": start.help_command,
        "lang": start.lang,
        "task": tasks.task,
        "tasks": tasks.tasks,
        "agency": agency.agency,
        "deadlines": deadlines.deadlines,
        "subscribe": deadlines.subscribe,
        "unsubscribe": deadlines.unsubscribe,
        "eligibility": eligibility.start,
        "tbt": tbt.tbt,
        "watch": watch.watch,
        "unwatch": watch.unwatch,
        "watches": watch.watches,
        "reload": admin.reload,
        "stats": admin.stats,
        "unanswered": admin.unanswered,
        "reply": forward.reply_command,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    # one pattern per button family, checked before any handler sees the data: ids are bounded
    # (a 60-digit id once overflowed the store) and any other data, empty included, goes to
    # the last handler, which says the button is no longer valid
    buttons = {
        r"^ex:\d{1,3}$": start.example,
        r"^t:[\w.]{1,16}$": tasks.task_button,
        r"^ag:[\w-]{1,64}$": agency.agency_button,
        r"^fb:\d{1,18}:[01]$": feedback.vote,
        r"^el:r$": eligibility.restart,
        r"^el:(?:[kpi]:[\w-]{1,32}|pn|in)$": eligibility.step,
        r"^tb:\d{1,3}$": tbt.topic,
        r"^fw:\d{1,18}$": forward.offer,
        r"^fq:\d{1,18}$": forward.save_faq,
        r"^im:[0-9a-f]{12}$": admin.import_good,
    }
    # python-telegram-bot passes a query without data to the first handler whatever its
    # pattern; this first one takes those ("^$" matches no data that has any)
    app.add_handler(CallbackQueryHandler(errors.stale_button, pattern="^$"))
    for pattern, callback in buttons.items():
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    app.add_handler(CallbackQueryHandler(errors.stale_button))
    # knowledge uploads are a private-chat staff tool; files shared in groups are not for the bot
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, admin.upload))
    # a staff member's reply to a forwarded question answers it; any other reply is a question
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.REPLY, forward.on_reply)
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, ask.on_text))
    app.add_error_handler(errors.on_error)


async def _check_token(app: Application) -> None:  # type: ignore[type-arg]
    """Fail fast, in one line, when the token is wrong or the Bot API cannot be reached."""
    try:
        async with app.bot:
            me = await app.bot.get_me()
            log.info("running as @%s", me.username)
    except InvalidToken as exc:
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN; check it with BotFather") from exc
    except NetworkError as exc:
        raise ConfigError(f"cannot reach the Telegram Bot API: {exc}") from exc


def configure_logging(settings: Settings) -> None:
    """INFO at least, for the audit lines (staff actions, refusals), whatever main() chose."""
    level = logging.getLogger().level or logging.INFO
    logs.configure(min(logging.INFO, level), settings.log_file)


def run_bot(settings: Settings) -> int:
    """Run the bot with long polling until stopped."""
    configure_logging(settings)
    app = build_application(settings)
    asyncio.run(_check_token(app))
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken as exc:
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN; check it with BotFather") from exc
    except NetworkError as exc:
        raise ConfigError(f"cannot reach the Telegram Bot API: {exc}") from exc
    return 0
