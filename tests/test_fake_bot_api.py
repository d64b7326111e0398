"""The fake Bot API server works with a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.auxil.fake_bot_api import (
    BOT_ID,
    BOT_USERNAME,
    FakeBotApi,
    HtmlParseError,
    parse_telegram_html,
)

TOKEN = "123:ABC"
USER = 4242


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A started fake server, stopped after the test."""
    with FakeBotApi() as server:
        yield server


def build_app(api: FakeBotApi, token: str = TOKEN) -> Application[Any, Any, Any, Any, Any, Any]:
    """A real PTB Application pointed at the fake server."""
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .get_updates_read_timeout(3)
        .read_timeout(3)
        .build()
    )


def build_bot(api: FakeBotApi, token: str = TOKEN, read_timeout: float = 3.0) -> Bot:
    """A bare PTB Bot pointed at the fake server."""
    return Bot(
        token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=HTTPXRequest(read_timeout=read_timeout),
    )


@contextlib.asynccontextmanager
async def polling(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialize, start and poll; stop and shut down on exit."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=1))
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text; mention whether it replied to the bot."""
    message = update.effective_message
    assert message is not None and message.text is not None
    replied = message.reply_to_message
    suffix = " (reply to bot)" if replied and replied.from_user and replied.from_user.is_bot else ""
    await message.reply_text(message.text + suffix)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet in HTML."""
    assert update.effective_message is not None
    await update.effective_message.reply_html("<b>Xin chào</b> &amp; welcome")


async def test_echo_round_trip(api: FakeBotApi) -> None:
    """Messages flow in through long polling and replies are stored with their ids."""
    app = build_app(api)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with polling(app):
        api.push_message("Tiêu chuẩn quốc gia?", user_id=USER, first_name="Lan")
        [reply] = await api.wait_for_sent(chat_id=USER)
        assert reply["text"] == "Tiêu chuẩn quốc gia?"
        assert reply["chat_id"] == USER
        assert reply["message_id"] == 2  # the user's message was 1 in this chat

        api.push_message("/start", user_id=USER)
        replies = await api.wait_for_sent(chat_id=USER, count=2)
        assert replies[1]["parse_mode"] == "HTML"
        stored = api.message(USER, replies[1]["message_id"])
        assert stored is not None
        assert stored["text"] == "Xin chào & welcome"
        assert stored["entities"] == [{"type": "bold", "offset": 0, "length": 8}]
        assert stored["from"]["id"] == BOT_ID

        api.push_message("again", user_id=USER, reply_to_message_id=reply["message_id"])
        replies = await api.wait_for_sent(chat_id=USER, count=3)
        assert replies[2]["text"] == "again (reply to bot)"

        group = -100555
        api.push_message(
            f"/start@{BOT_USERNAME}",
            user_id=USER,
            chat_id=group,
            chat_type="supergroup",
            title="Sở KH&CN",
        )
        [group_reply] = await api.wait_for_sent(chat_id=group)
        assert group_reply["text"] == "<b>Xin chào</b> &amp; welcome"
        await api.wait_until_consumed()
    assert api.calls("getMe") == 1
    assert api.calls("deleteWebhook") == 1


async def test_callback_query_round_trip(api: FakeBotApi) -> None:
    """An inline button press is answered and the bot's message is edited in place."""

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="yes")]])
        await update.effective_message.reply_text("Chọn:", reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer(text=f"got {query.data}")
        await query.edit_message_text(f"<b>Đã chọn:</b> {query.data}", parse_mode="HTML")

    app = build_app(api)
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(on_button))
    async with polling(app):
        api.push_message("/menu", user_id=USER)
        [sent] = await api.wait_for_sent(chat_id=USER)
        assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"

        query_id = api.push_callback(
            "yes", user_id=USER, chat_id=USER, message_id=sent["message_id"]
        )
        [edit] = await api.wait_for(api.edits, message="no edit")
        answered = await api.wait_for(api.answered_callbacks)
    assert answered == [{"callback_query_id": query_id, "text": "got yes"}]
    assert edit["message_id"] == sent["message_id"]
    message = api.message(USER, sent["message_id"])
    assert message is not None
    assert message["text"] == "Đã chọn: yes"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 8}]
    assert "reply_markup" not in message  # editing text without a markup drops the keyboard


async def test_document_download_and_upload(api: FakeBotApi) -> None:
    """A pushed document downloads through getFile; an uploaded one is stored and served."""
    payload = "Kế hoạch 2026–2035\n".encode() + bytes(range(256))

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        data = await (await context.bot.get_file(message.document.file_id)).download_as_bytearray()
        await message.reply_text(f"{message.document.file_name}: {len(data)} bytes")
        await message.reply_document(
            bytes(data), filename="copy.bin", caption="<i>copy</i>", parse_mode="HTML"
        )

    app = build_app(api)
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    async with polling(app):
        pushed = api.push_document(
            payload,
            "plan.bin",
            user_id=USER,
            caption="see file",
            mime_type="application/octet-stream",
        )
        [reply] = await api.wait_for_sent(chat_id=USER)
        [upload] = await api.wait_for_sent(chat_id=USER, method="sendDocument")
        direct = await (await app.bot.get_file(pushed.file_id)).download_as_bytearray()
        again = await (await app.bot.get_file(upload["file_id"])).download_as_bytearray()
    assert reply["text"] == f"plan.bin: {len(payload)} bytes"
    assert bytes(direct) == payload
    assert upload["document"]["file_name"] == "copy.bin"
    assert upload["document"]["data"] == payload
    assert bytes(again) == payload
    stored = api.message(USER, upload["message_id"])
    assert stored is not None
    assert stored["caption"] == "copy"
    assert stored["caption_entities"] == [{"type": "italic", "offset": 0, "length": 4}]


async def test_injected_faults_surface_as_ptb_errors(api: FakeBotApi) -> None:
    """429 raises RetryAfter, 500 raises plain NetworkError, and failed sends store nothing."""
    api.add_chat(USER)
    async with build_bot(api) as bot:
        api.inject("sendMessage", 429, retry_after=1)
        with pytest.raises(RetryAfter) as retry, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            await bot.send_message(USER, "hi")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert retry.value.retry_after in (1, dtm.timedelta(seconds=1))

        api.inject("sendMessage", 500, times=2)
        for _ in range(2):
            with pytest.raises(NetworkError) as error:
                await bot.send_message(USER, "hi")
            assert type(error.value) is NetworkError
            assert error.value.message == "Internal Server Error"
        assert api.sent() == []
        assert api.calls("sendMessage") == 3

        message = await bot.send_message(USER, "hi")
        assert message.message_id == 1
        assert [s["text"] for s in api.sent(USER)] == ["hi"]


async def test_injected_delay_times_out(api: FakeBotApi) -> None:
    """A delayed response beyond the read timeout surfaces as TimedOut."""
    api.add_chat(USER)
    async with build_bot(api, read_timeout=0.2) as bot:
        api.inject("sendChatAction", delay=1.0)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_chat_action(USER, "typing")
        assert time.monotonic() - started < 0.9
        assert await bot.send_chat_action(USER, "typing") is True


async def test_held_calls_wait_unrecorded_until_released(api: FakeBotApi) -> None:
    """A held method records nothing until release; a dropping release never records it."""
    api.add_chat(USER)
    async with build_bot(api) as bot:
        api.hold("sendMessage")
        first = asyncio.create_task(bot.send_message(USER, "one"))
        await asyncio.sleep(0.3)
        assert not first.done() and api.sent() == []
        api.release()
        await first
        assert [s["text"] for s in api.sent(USER)] == ["one"]

        api.hold("sendMessage")
        second = asyncio.create_task(bot.send_message(USER, "two"))
        await api.wait_for(lambda: api.calls("sendMessage") == 2)
        api.release(drop=True)
        with pytest.raises(NetworkError):
            await second
        assert [s["text"] for s in api.sent(USER)] == ["one"]


async def test_bad_html_and_long_text_are_rejected(api: FakeBotApi) -> None:
    """The HTML validator and the 4096-character limit answer 400 like Telegram."""
    api.add_chat(USER)
    async with build_bot(api) as bot:
        with pytest.raises(BadRequest) as bad:
            await bot.send_message(USER, "<b>unclosed <i>tags</b>", parse_mode="HTML")
        assert bad.value.message.lower().startswith("can't parse entities: unmatched end tag")
        with pytest.raises(BadRequest, match='(?i)unsupported start tag "br"'):
            await bot.send_message(USER, "line<br>line", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(USER, "x" * 4097)
        # entities do not count towards the limit: 4096 visible characters are fine
        await bot.send_message(USER, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(777, "nobody here")
    assert len(api.sent()) == 1


async def test_invalid_token_fails_initialize(api: FakeBotApi) -> None:
    """The token "invalid" gets 401, which PTB reports as InvalidToken."""
    app = build_app(api, token="invalid")
    with pytest.raises(InvalidToken):
        await app.initialize()
    await app.bot.shutdown()  # the app never initialized, but the bot's HTTP clients did
    assert api.calls("getMe") == 1


async def test_long_poll_wakes_on_push_and_honours_offset(api: FakeBotApi) -> None:
    """getUpdates waits for an update, wakes at once on a push, and drops confirmed ones."""
    async with build_bot(api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
        assert time.monotonic() - started >= 0.25

        poll = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=5)))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        first = api.push_message("one", user_id=USER)
        [update] = await poll
        assert time.monotonic() - started < 1.0
        assert update.update_id == first and update.message is not None
        assert update.message.text == "one"

        second = api.push_message("/help two", user_id=USER)
        api.push_message("three", user_id=USER)
        updates = await bot.get_updates(offset=first + 1, limit=1)
        assert [u.update_id for u in updates] == [second]
        assert updates[0].message is not None
        assert updates[0].message.entities[0].type == "bot_command"
        assert api.pending_updates() == 2
        assert len(await bot.get_updates(offset=second + 1)) == 1
        assert api.pending_updates() == 1

        await bot.set_my_commands([("ask", "Đặt câu hỏi"), ("help", "Hướng dẫn")])
        assert [c.command for c in await bot.get_my_commands()] == ["ask", "help"]
        assert api.commands == [
            {"command": "ask", "description": "Đặt câu hỏi"},
            {"command": "help", "description": "Hướng dẫn"},
        ]
        chat = await bot.get_chat(USER)
        assert chat.id == USER and chat.type == "private"


def _raw(url: str, data: bytes | None = None, content_type: str = "") -> tuple[int, Any]:
    """POST (or GET) with urllib and return status and decoded JSON."""
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_raw_encodings_and_error_shapes(api: FakeBotApi) -> None:
    """JSON and urlencoded bodies both work; errors have the Bot API shape."""
    api.add_chat(USER)
    status, body = _raw(
        f"{api.base_url}{TOKEN}/sendMessage",
        json.dumps({"chat_id": USER, "text": "json"}).encode(),
        "application/json",
    )
    assert status == 200 and body["result"]["text"] == "json"
    assert body["result"]["from"]["username"] == BOT_USERNAME
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    form = urllib.parse.urlencode({"chat_id": str(USER), "text": "form", "reply_markup": markup})
    status, body = _raw(
        f"{api.base_url}{TOKEN}/sendMessage", form.encode(), "application/x-www-form-urlencoded"
    )
    assert status == 200 and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    assert _raw(f"{api.base_url}{TOKEN}/fooBar", b"") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert _raw(f"{api.base_url}invalid/getMe", b"") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    api.inject("getMe", 429, retry_after=7)
    assert _raw(f"{api.base_url}{TOKEN}/getMe", b"") == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    status, body = _raw(f"{api.base_url}{TOKEN}/getMe")
    assert body["result"]["id"] == BOT_ID


def test_stop_wakes_long_polls_and_joins_threads() -> None:
    """Stopping the server ends a pending long poll and leaves no server threads behind."""
    api = FakeBotApi().start()
    port = api.port
    results: list[tuple[int, Any]] = []
    client = threading.Thread(
        target=lambda: results.append(_raw(f"{api.base_url}{TOKEN}/getUpdates?timeout=30"))
    )
    client.start()
    deadline = time.monotonic() + 5
    while api.calls("getUpdates") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    api.stop()
    client.join(5)
    assert time.monotonic() - started < 2
    assert results == [(200, {"ok": True, "result": []})]
    assert not [
        t
        for t in threading.enumerate()
        if t.name.startswith(f"fake-bot-api-{port}") or t.name == f"fake-bot-api-conn-{port}"
    ]
    api.stop()  # idempotent


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins>", "abcdef"),
        ("<s>a</s><strike>b</strike><del>c</del><tg-spoiler>d</tg-spoiler>", "abcd"),
        ('<span class="tg-spoiler">s</span> <a href="https://t.me/?a=1&amp;b=2">t</a>', "s t"),
        ('<pre><code class="language-python">x &lt; 1</code></pre>', "x < 1"),
        ("<blockquote>q &quot;x&quot;</blockquote> 1 > 0 &#128512;", 'q "x" 1 > 0 😀'),
    ],
)
def test_html_parser_accepts_telegram_html(html: str, plain: str) -> None:
    """Every supported tag and entity parses to the expected plain text."""
    assert parse_telegram_html(html)[0] == plain


@pytest.mark.parametrize(
    "html",
    [
        "<br>",
        "<p>x</p>",
        "<b>x",
        "x</b>",
        "<b><i>x</b></i>",
        "1 < 2",
        "R&D",
        "&nbsp;",
        "<a>x</a>",
        "<span>x</span>",
        '<b class="x',
        "<b>x</b",
    ],
)
def test_html_parser_rejects_malformed_html(html: str) -> None:
    """Unsupported tags, bad nesting and bare ampersands are parse errors."""
    with pytest.raises(HtmlParseError):
        parse_telegram_html(html)
