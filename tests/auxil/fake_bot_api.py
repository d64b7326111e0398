"""A fake Telegram Bot API server for offline tests of the python-telegram-bot application.

The server speaks enough of the Bot API for PTB 22 (``HTTPXRequest``) to run a real
``Application`` against it: long polling, messages, edits, callback queries, files, commands.
Tests drive it through thread-safe helpers (``push_message``, ``sent``, ``inject``, ...), and
await results with the ``wait_for*`` coroutines, which poll with ``asyncio.sleep``.

Usage::

    with FakeBotApi() as api:
        app = (
            ApplicationBuilder().token("123:ABC")
            .base_url(api.base_url).base_file_url(api.base_file_url).build()
        )
        ...
        api.push_message("/start", user_id=42)
        replies = await api.wait_for_sent(chat_id=42)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import json
import logging
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_USER_ID",
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "FakeBotApi",
    "HtmlParseError",
    "PushedDocument",
    "StoredFile",
    "UploadedFile",
    "parse_telegram_html",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
JSONDict = dict[str, Any]

BOT_ID = 999000
BOT_FIRST_NAME = "Gia Lai Standards Bot"
BOT_USERNAME = "gialai_standards_bot"
DEFAULT_USER_ID = 1001
INVALID_TOKEN = "invalid"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

_API_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>[^/]*)$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]*)/(?P<path>.+)$")
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a previous content and reply markup of the message"
)
_STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

# Parameters whose string values are never decoded (free text and string identifiers).
_TEXT_KEYS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "url",
        "language_code",
        "action",
        "secret_token",
        "ip_address",
        "title",
        "description",
        "short_description",
        "name",
        "data",
        "query",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "custom_emoji_id",
        "certificate",
        "document",
        "thumbnail",
    }
)
# Parameters whose string values are numbers (chat_id may also be an "@username").
_NUMERIC_KEYS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "until_date",
        "direct_messages_topic_id",
        "duration",
        "width",
        "height",
    }
)


# --------------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Text is not well-formed Telegram HTML; the message follows tdlib's wording."""


_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
}
_NAMED_ENTITIES: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(
    r"&(?:(?P<name>[A-Za-z][A-Za-z0-9]*)|#(?P<dec>[0-9]+)|#[xX](?P<hex>[0-9A-Fa-f]+));"
)
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_:-]+")
_UNQUOTED_VALUE = re.compile(r"[^\s\"'=<>`]+")


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the supported character reference at ``text[pos]``; None if there is none."""
    match = _ENTITY.match(text, pos)
    if match is None:
        return None
    if match["name"] is not None:
        char = _NAMED_ENTITIES.get(match["name"])
        return None if char is None else (char, match.end())
    code = int(match["dec"], 10) if match["dec"] is not None else int(match["hex"], 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None


class _HtmlScanner:
    """Single-pass scanner for the HTML subset that the Bot API accepts."""

    def __init__(self, text: str, *, strict_entities: bool) -> None:
        """Prepare to scan ``text``."""
        self.text = text
        self.strict_entities = strict_entities
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSONDict] = []

    def byte_offset(self, pos: int) -> int:
        """UTF-8 byte offset of a string index, as Telegram reports positions."""
        return len(self.text[:pos].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        """Append plain text to the output."""
        self.out.append(chunk)
        self.out_len += _utf16_len(chunk)

    def run(self) -> tuple[str, list[JSONDict]]:
        """Scan the whole text and return the plain text and its entities."""
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "&":
                self.entity()
            elif ch == "<":
                if text.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                nxt = min(
                    (i for i in (text.find("&", self.pos), text.find("<", self.pos)) if i != -1),
                    default=len(text),
                )
                self.emit(text[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def entity(self) -> None:
        """Handle ``&`` in text: a supported character reference or a literal ampersand."""
        decoded = _decode_entity(self.text, self.pos)
        if decoded is not None:
            self.emit(decoded[0])
            self.pos = decoded[1]
            return
        if self.strict_entities:
            match = _ENTITY.match(self.text, self.pos)
            shown = match.group(0) if match else "&"
            raise HtmlParseError(
                f'Unsupported HTML entity "{shown}" at byte offset {self.byte_offset(self.pos)}; '
                "only &lt; &gt; &amp; &quot; and numeric entities are allowed"
            )
        self.emit("&")
        self.pos += 1

    def start_tag(self) -> None:
        """Parse ``<name attr="value">`` and push it on the stack."""
        text, begin = self.text, self.pos
        name_match = _TAG_NAME.match(text, begin + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        if name not in _SIMPLE_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        pos = name_match.end()
        attrs: dict[str, str] = {}
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if text[pos] == ">":
                pos += 1
                break
            attr_match = _ATTR_NAME.match(text, pos)
            if attr_match is None:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            attr = attr_match.group(0).lower()
            pos = attr_match.end()
            value = ""
            if pos < len(text) and text[pos] == "=":
                pos += 1
                value, pos = self.attr_value(pos, begin)
            attrs[attr] = value
        self.check_attrs(name, attrs, begin)
        self.stack.append(_OpenTag(name=name, offset=self.out_len, attrs=attrs))
        self.pos = pos

    def attr_value(self, pos: int, begin: int) -> tuple[str, int]:
        """Read a quoted or unquoted attribute value starting at ``pos``."""
        text = self.text
        if pos < len(text) and text[pos] in "\"'":
            quote = text[pos]
            end = text.find(quote, pos + 1)
            if end == -1:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            raw, pos = text[pos + 1 : end], end + 1
        else:
            match = _UNQUOTED_VALUE.match(text, pos)
            if match is None:
                raise HtmlParseError(
                    f"Expected equal sign in declaration of an attribute of the tag at byte "
                    f"offset {self.byte_offset(begin)}"
                )
            raw, pos = match.group(0), match.end()
        value: list[str] = []
        i = 0
        while i < len(raw):
            decoded = _decode_entity(raw, i)
            if decoded is not None:
                value.append(decoded[0])
                i = decoded[1]
            else:
                value.append(raw[i])
                i += 1
        return "".join(value), pos

    def check_attrs(self, name: str, attrs: dict[str, str], begin: int) -> None:
        """Enforce the attributes that the Bot API requires for some tags."""
        where = f"at byte offset {self.byte_offset(begin)}"
        if name == "a" and not attrs.get("href"):
            raise HtmlParseError(f'Tag "a" must have attribute "href" {where}')
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "blockquote" and any(t.name == "blockquote" for t in self.stack):
            raise HtmlParseError(f"Blockquote entities can't be nested {where}")

    def end_tag(self) -> None:
        """Parse ``</name>`` and turn the matching start tag into an entity."""
        text, begin = self.text, self.pos
        name_match = _TAG_NAME.match(text, begin + 2)
        assert name_match is not None
        name = name_match.group(0).lower()
        pos = name_match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text) or text[pos] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        top = self.stack[-1]
        if name != top.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "
                f'"</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = pos + 1
        self.close(top)

    def close(self, tag: _OpenTag) -> None:
        """Record the entity for a closed tag (empty entities are dropped, as Telegram does)."""
        length = self.out_len - tag.offset
        kind = _SIMPLE_TAGS[tag.name]
        parent = self.stack[-1] if self.stack else None
        if (
            kind == "code"
            and parent is not None
            and parent.name == "pre"
            and parent.offset == tag.offset
        ):
            language = tag.attrs.get("class", "")
            if language.startswith("language-"):
                parent.language = language.removeprefix("language-")
            return
        if length <= 0:
            return
        entity: JSONDict = {"type": kind, "offset": tag.offset, "length": length}
        if kind == "text_link":
            entity["url"] = tag.attrs["href"]
        elif kind == "pre" and tag.language:
            entity["language"] = tag.language
        elif kind == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def parse_telegram_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML into plain text and Bot API entities, or raise HtmlParseError."""
    return _HtmlScanner(text, strict_entities=strict_entities).run()


# --------------------------------------------------------------------------------------------
# Data records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file known to the fake server, downloadable through getFile."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    declared_size: int | None = None  # what the sending client claimed, if not the truth

    @property
    def file_size(self) -> int:
        """Size of the file in bytes, as declared (the client's claim, true by default)."""
        return len(self.data) if self.declared_size is None else self.declared_size

    def to_file(self) -> JSONDict:
        """The Bot API ``File`` object (``file_path`` relative, as the real API returns it)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def to_document(self) -> JSONDict:
        """The Bot API ``Document`` object."""
        doc: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc


@dataclass(frozen=True)
class PushedDocument:
    """What push_document created: the update, the user's message and the stored file."""

    update_id: int
    message_id: int
    file: StoredFile

    @property
    def file_id(self) -> str:
        """Shortcut for ``file.file_id``."""
        return self.file.file_id


@dataclass
class _Fault:
    """A pending injected failure or delay for one method."""

    status: int
    remaining: int
    retry_after: int | None
    delay: float
    description: str | None


class _ApiError(Exception):
    """A Bot API error response."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        """Remember the HTTP status, description and optional ``parameters``."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """The JSON body of the error response."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class _Response:
    """An HTTP response to write."""

    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass
class _State:
    """All mutable server state; guarded by FakeBotApi._lock."""

    updates: deque[JSONDict] = field(default_factory=deque)
    next_update_id: int = 1
    chats: dict[int, JSONDict] = field(default_factory=dict)
    messages: dict[tuple[int, int], JSONDict] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    log: list[tuple[str, JSONDict]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    faults: dict[str, deque[_Fault]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    files_by_path: dict[str, StoredFile] = field(default_factory=dict)
    next_file: int = 1
    callbacks: dict[str, bool] = field(default_factory=dict)
    next_callback: int = 1
    commands: dict[str, list[JSONDict]] = field(default_factory=dict)
    last_set_commands: JSONDict | None = None
    webhook: JSONDict = field(default_factory=dict)
    held: set[str] = field(default_factory=set)  # methods whose calls wait (see hold())
    dropped: int = 0  # releases that dropped the calls they held


# --------------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------------


def _coerce(key: str, value: Any) -> Any:
    """Decode a form/JSON value the way the Bot API interprets it."""
    if not isinstance(value, str) or key in _TEXT_KEYS:
        return value
    if key in _NUMERIC_KEYS:
        with contextlib.suppress(ValueError):
            return int(value)
        with contextlib.suppress(ValueError):
            return float(value)
        return value
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _int_param(params: JSONDict, key: str) -> int:
    """An integer parameter, or 400 Bad Request when it is missing or not a number."""
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _ApiError(400, f"Bad Request: {key} is invalid")
    return value


def _parse_multipart(body: bytes, content_type: str) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """Split a multipart/form-data body into plain fields and file parts."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise _ApiError(400, "Bad Request: multipart boundary is missing")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: JSONDict = {}
    files: dict[str, UploadedFile] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name_match = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        if name_match is None:
            continue
        file_match = re.search(r'filename\*?="?([^";]*)"?', disposition)
        if file_match is None:
            fields[name_match.group(1)] = content.decode("utf-8")
        else:
            files[name_match.group(1)] = UploadedFile(
                filename=unquote(file_match.group(1)) or None,
                content_type=headers.get("content-type"),
                data=content,
            )
    return fields, files


def _parse_request(
    query: str, content_type: str, body: bytes
) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """Parse a Bot API call sent as query string, JSON, urlencoded form or multipart."""
    raw: JSONDict = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    files: dict[str, UploadedFile] = {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if body:
        if kind == "application/json":
            try:
                decoded = json.loads(body.decode("utf-8"))
            except ValueError as exc:
                raise _ApiError(400, "Bad Request: can't parse JSON request body") from exc
            if not isinstance(decoded, dict):
                raise _ApiError(400, "Bad Request: JSON request body must be an object")
            raw.update(decoded)
        elif kind == "multipart/form-data":
            fields, files = _parse_multipart(body, content_type)
            raw.update(fields)
        else:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            raw.update({k: v[-1] for k, v in form.items()})
    params = {key: _coerce(key, value) for key, value in raw.items()}
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            attached = files.pop(value.removeprefix("attach://"), None)
            if attached is not None:
                files[key] = attached
    return params, files


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks handler threads and connections for a clean stop."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, api: FakeBotApi) -> None:
        """Bind to a free port on 127.0.0.1."""
        self.api = api
        self.conns: set[socket.socket] = set()
        self.threads: list[threading.Thread] = []
        self.track_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve each connection in its own tracked thread."""
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fake-bot-api-conn-{self.server_address[1]}",
            daemon=True,
        )
        with self.track_lock:
            self.threads = [t for t in self.threads if t.is_alive()]
            self.threads.append(thread)
            self.conns.add(request)
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Handle one connection and forget it afterwards."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.track_lock:
                self.conns.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log handler errors instead of printing them to stderr."""
        logger.debug("fake Bot API connection error from %s", client_address, exc_info=True)

    def close_connections(self) -> list[threading.Thread]:
        """Shut down all open client connections and return the live handler threads."""
        with self.track_lock:
            conns = list(self.conns)
            threads = [t for t in self.threads if t.is_alive()]
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return threads


class _Handler(BaseHTTPRequestHandler):
    # headers and body go out in separate writes; without this each response waits ~40 ms
    # for the client's delayed acknowledgement
    disable_nagle_algorithm = True

    """Routes HTTP requests to the FakeBotApi."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Send access logs to logging instead of stderr."""
        logger.debug("fake Bot API: " + format, *args)

    def do_GET(self) -> None:
        """Handle a GET request (file download or API call with a query string)."""
        self.respond()

    def do_POST(self) -> None:
        """Handle a POST request (API call)."""
        self.respond()

    def respond(self) -> None:
        """Read the request, let the API answer it and write the response."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self.read_chunked()
        response = self.server.api._handle_http(
            self.command, self.path, self.headers.get("Content-Type", ""), body
        )
        if response is None:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            self.wfile.flush()
        except OSError:
            logger.debug("fake Bot API: client went away before the response was written")
            self.close_connection = True

    def read_chunked(self) -> bytes:
        """Read a chunked request body."""
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()


# --------------------------------------------------------------------------------------------
# The fake API
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """In-process fake of the Telegram Bot API, served over HTTP on 127.0.0.1."""

    def __init__(
        self,
        *,
        bot_id: int = BOT_ID,
        bot_first_name: str = BOT_FIRST_NAME,
        bot_username: str = BOT_USERNAME,
        strict_html_entities: bool = True,
    ) -> None:
        """Configure the bot identity; call start() (or use ``with``) to serve."""
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.strict_html_entities = strict_html_entities
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, tuple[str, Callable[[JSONDict, dict[str, UploadedFile]], Any]]]
        self._methods = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getChat": self._get_chat,
                "sendDocument": self._send_document,
                "setMyDescription": self._return_true,
                "setMyShortDescription": self._return_true,
                "setChatMenuButton": self._return_true,
                "close": self._return_true,
                "logOut": self._return_true,
            }.items()
        }

    # ---- lifecycle -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound TCP port (server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeBotApi is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Root URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url``; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url``; PTB appends the token."""
        return f"{self.url}/file/bot"

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def start(self) -> FakeBotApi:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-bot-api-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.debug("fake Bot API listening on %s", self.url)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, wake long polls, close connections and join all server threads."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stop_event.set()
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout)
        deadline = time.monotonic() + timeout
        for handler_thread in server.close_connections():
            handler_thread.join(max(0.0, deadline - time.monotonic()))
            if handler_thread.is_alive():
                logger.warning("fake Bot API handler thread %s did not stop", handler_thread.name)
        self._server = None
        self._thread = None
        logger.debug("fake Bot API stopped")

    def __enter__(self) -> FakeBotApi:
        """Start the server."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    async def __aenter__(self) -> FakeBotApi:
        """Start the server (async context manager)."""
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server without blocking the event loop."""
        await asyncio.to_thread(self.stop)

    def reset(self) -> None:
        """Forget all updates, chats, messages, calls, faults, files and commands."""
        with self._cond:
            self._state = _State()
            self._cond.notify_all()

    # ---- test-side helpers: pushing updates ------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        title: str | None = None,
    ) -> JSONDict:
        """Register (or update) a chat so the bot may send to it; returns the Chat object."""
        chat = self._make_chat(chat_id, chat_type, first_name, last_name, username, title)
        with self._lock:
            self._state.chats[chat_id] = chat
            return copy.deepcopy(chat)

    def push_update(self, update: JSONDict) -> int:
        """Queue a raw update (``update_id`` is assigned) and return its update_id."""
        with self._cond:
            return self._enqueue(copy.deepcopy(update))

    def push_message(
        self,
        text: str,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "User",
        username: str | None = None,
        entities: list[JSONDict] | None = None,
        reply_to_message_id: int | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = None,
        title: str | None = None,
    ) -> int:
        """Queue a text message from a user and return its update_id."""
        if entities is None:
            entities = self._auto_entities(text)
        extra: JSONDict = {"text": text}
        if entities:
            extra["entities"] = entities
        update_id, _ = self._push_user_message(
            extra,
            user_id,
            chat_id,
            chat_type,
            first_name,
            username,
            reply_to_message_id,
            last_name=last_name,
            language_code=language_code,
            title=title,
        )
        return update_id

    def push_document(
        self,
        file_bytes: bytes,
        file_name: str,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
        *,
        chat_type: str = "private",
        first_name: str = "User",
        username: str | None = None,
        title: str | None = None,
        declared_size: int | None = None,
    ) -> PushedDocument:
        """Register a file and queue a user message carrying it as a document.

        `declared_size` makes the document claim another size than it holds, as a modified
        client can; the download still serves every byte.
        """
        stored = self.register_file(file_bytes, file_name=file_name, mime_type=mime_type)
        if declared_size is not None:
            stored = dataclasses.replace(stored, declared_size=declared_size)
            with self._lock:
                self._state.files[stored.file_id] = stored
                self._state.files_by_path[stored.file_path] = stored
        extra: JSONDict = {"document": stored.to_document()}
        if caption is not None:
            extra["caption"] = caption
            caption_entities = self._auto_entities(caption)
            if caption_entities:
                extra["caption_entities"] = caption_entities
        update_id, message_id = self._push_user_message(
            extra, user_id, chat_id, chat_type, first_name, username, None, title=title
        )
        return PushedDocument(update_id=update_id, message_id=message_id, file=stored)

    def push_callback(
        self,
        data: str,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        message_id: int | None = None,
        *,
        first_name: str = "User",
        username: str | None = None,
    ) -> str:
        """Queue a callback query on a stored message (default: the bot's latest); return its id."""
        chat_id = user_id if chat_id is None else chat_id
        with self._cond:
            if message_id is None:
                own = [
                    mid
                    for (cid, mid), msg in self._state.messages.items()
                    if cid == chat_id and msg.get("from", {}).get("id") == self.bot_user["id"]
                ]
                if not own:
                    raise LookupError(f"the bot has sent no message to chat {chat_id}")
                message_id = max(own)
            message = self._state.messages.get((chat_id, message_id))
            if message is None:
                raise LookupError(f"no stored message {message_id} in chat {chat_id}")
            callback_id = str(4_000_000_000_000 + self._state.next_callback)
            self._state.next_callback += 1
            self._state.callbacks[callback_id] = False
            user = self._make_user(user_id, first_name, username)
            self._enqueue(
                {
                    "callback_query": {
                        "id": callback_id,
                        "from": user,
                        "chat_instance": f"ci{chat_id}",
                        "message": copy.deepcopy(message),
                        "data": data,
                    }
                }
            )
            return callback_id

    def register_file(
        self, data: bytes, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store a file so that getFile and the file download URL serve it."""
        with self._lock:
            return self._register_file(data, file_name, mime_type, "documents")

    # ---- test-side helpers: inspecting -----------------------------------------------------

    def sent(self, chat_id: int | str | None = None, method: str = "sendMessage") -> list[JSONDict]:
        """Successful calls of ``method`` (parsed parameters + ``message_id`` when one was made)."""
        wanted = method.lower()
        with self._lock:
            return [
                copy.deepcopy(params)
                for name, params in self._state.log
                if name.lower() == wanted and (chat_id is None or params.get("chat_id") == chat_id)
            ]

    def edits(self, chat_id: int | str | None = None) -> list[JSONDict]:
        """Successful editMessageText and editMessageReplyMarkup calls, in order."""
        kinds = ("editmessagetext", "editmessagereplymarkup")
        with self._lock:
            return [
                copy.deepcopy(params)
                for name, params in self._state.log
                if name.lower() in kinds and (chat_id is None or params.get("chat_id") == chat_id)
            ]

    def answered_callbacks(self) -> list[JSONDict]:
        """Successful answerCallbackQuery calls, in order."""
        return self.sent(method="answerCallbackQuery")

    @property
    def commands(self) -> list[JSONDict]:
        """The ``commands`` list of the last successful setMyCommands call ([] if none)."""
        with self._lock:
            last = self._state.last_set_commands
            return copy.deepcopy(last.get("commands", [])) if last else []

    @property
    def commands_payload(self) -> JSONDict | None:
        """All parameters of the last successful setMyCommands call."""
        with self._lock:
            return copy.deepcopy(self._state.last_set_commands)

    @property
    def webhook(self) -> JSONDict:
        """Parameters of the last setWebhook call ({} when no webhook is set)."""
        with self._lock:
            return copy.deepcopy(self._state.webhook)

    def calls(self, method: str) -> int:
        """How many requests named ``method`` arrived, failed ones included."""
        with self._lock:
            return self._state.calls[method.lower()]

    def messages(self, chat_id: int) -> list[JSONDict]:
        """Current state of all stored messages (user and bot) in a chat, by message_id."""
        with self._lock:
            found = [
                (mid, msg) for (cid, mid), msg in self._state.messages.items() if cid == chat_id
            ]
            return [copy.deepcopy(msg) for _, msg in sorted(found, key=lambda item: item[0])]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Current state of one stored message, or None (never sent or deleted)."""
        with self._lock:
            msg = self._state.messages.get((chat_id, message_id))
            return copy.deepcopy(msg) if msg is not None else None

    def pending_updates(self) -> int:
        """Number of pushed updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._state.updates)

    # ---- test-side helpers: fault injection ----------------------------------------------

    def inject(
        self,
        method: str,
        status: int = 200,
        times: int = 1,
        retry_after: int | None = None,
        *,
        delay: float = 0.0,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` wait ``delay`` s and fail with ``status``.

        ``status`` 200 with a ``delay`` only slows the call down (it then succeeds).
        429 answers ``retry_after`` (default 1) in ``parameters`` so PTB raises RetryAfter.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        fault = _Fault(status, times, retry_after, delay, description)
        with self._lock:
            self._state.faults.setdefault(method.lower(), deque()).append(fault)

    def hold(self, method: str) -> None:
        """Make calls of ``method`` wait, unanswered and unrecorded, until ``release()``.

        A stalled network as the bot sees it: a test can kill the bot while its replies hang,
        knowing that no reply it sent was recorded without the bot hearing back.
        """
        with self._lock:
            self._state.held.add(method.lower())

    def release(self, *, drop: bool = False) -> None:
        """Let held calls go on; with ``drop``, close their connections instead (as a server
        does for a client that died), so they are never recorded."""
        with self._cond:
            self._state.held.clear()
            if drop:
                self._state.dropped += 1
            self._cond.notify_all()

    def clear_faults(self) -> None:
        """Drop all pending injected faults."""
        with self._lock:
            self._state.faults.clear()

    # ---- async waiting -------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,
        interval: float = 0.01,
        message: str | None = None,
    ) -> T:
        """Poll ``predicate`` with asyncio.sleep until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(message or f"condition not met within {timeout} s")
            await asyncio.sleep(interval)

    async def wait_for_sent(
        self,
        chat_id: int | str | None = None,
        count: int = 1,
        method: str = "sendMessage",
        timeout: float = 5.0,
    ) -> list[JSONDict]:
        """Wait until at least ``count`` successful ``method`` calls exist; return them all."""

        def enough() -> list[JSONDict]:
            calls = self.sent(chat_id, method)
            return calls if len(calls) >= count else []

        return await self.wait_for(
            enough, timeout, message=f"fewer than {count} {method} calls to {chat_id} in {timeout}s"
        )

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until every pushed update was confirmed by the bot's getUpdates offset."""
        await self.wait_for(
            lambda: self.pending_updates() == 0,
            timeout,
            message=f"updates still pending after {timeout} s",
        )

    # ---- internals: helpers (callers hold the lock unless stated) -------------------------

    def _make_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Build a Bot API User object for a human."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        return user

    @staticmethod
    def _make_chat(
        chat_id: int,
        chat_type: str,
        first_name: str,
        last_name: str | None,
        username: str | None,
        title: str | None,
    ) -> JSONDict:
        """Build a Bot API Chat object (no lock needed)."""
        if chat_type == "private":
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": first_name}
            if last_name is not None:
                chat["last_name"] = last_name
        elif chat_type in ("group", "supergroup", "channel"):
            if chat_id >= 0:
                raise ValueError(f"a {chat_type} chat needs a negative chat_id, got {chat_id}")
            chat = {"id": chat_id, "type": chat_type, "title": title or "Test Group"}
        else:
            raise ValueError(f"unknown chat_type {chat_type!r}")
        if username is not None:
            chat["username"] = username
        return chat

    def _auto_entities(self, text: str) -> list[JSONDict]:
        """bot_command at the start and mention entities for @bot_username (no lock needed)."""
        entities: list[JSONDict] = []
        command = _BOT_COMMAND.match(text) if text.startswith("/") else None
        if command is not None:
            entities.append(
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))}
            )
        mention = re.compile(rf"(?<![\w@])@{re.escape(self.bot_user['username'])}(?!\w)", re.I)
        for match in mention.finditer(text):
            if command is not None and match.start() < command.end():
                continue
            entities.append(
                {
                    "type": "mention",
                    "offset": _utf16_len(text[: match.start()]),
                    "length": _utf16_len(match.group(0)),
                }
            )
        return entities

    def _push_user_message(
        self,
        extra: JSONDict,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        first_name: str,
        username: str | None,
        reply_to_message_id: int | None,
        *,
        last_name: str | None = None,
        language_code: str | None = None,
        title: str | None = None,
    ) -> tuple[int, int]:
        """Store a user message in its chat and queue it; returns (update_id, message_id)."""
        chat_id = user_id if chat_id is None else chat_id
        if chat_type == "private" and chat_id != user_id:
            raise ValueError("a private chat's id must equal the user's id")
        user = self._make_user(user_id, first_name, username, last_name, language_code)
        with self._cond:
            chat = self._state.chats.get(chat_id)
            if chat is None or chat["type"] != chat_type or (title and chat.get("title") != title):
                chat = self._make_chat(chat_id, chat_type, first_name, last_name, username, title)
                self._state.chats[chat_id] = chat
            message: JSONDict = {
                "message_id": self._next_message_id(chat_id),
                "from": user,
                "chat": copy.deepcopy(chat),
                "date": int(time.time()),
                **copy.deepcopy(extra),
            }
            if reply_to_message_id is not None:
                replied = self._state.messages.get((chat_id, reply_to_message_id))
                if replied is None:
                    raise LookupError(f"no stored message {reply_to_message_id} in chat {chat_id}")
                message["reply_to_message"] = self._snapshot(replied)
            self._state.messages[(chat_id, message["message_id"])] = message
            update_id = self._enqueue({"message": copy.deepcopy(message)})
            return update_id, int(message["message_id"])

    def _enqueue(self, update: JSONDict) -> int:
        """Assign an update_id, queue the update and wake long polls."""
        update_id = self._state.next_update_id
        self._state.next_update_id += 1
        self._state.updates.append({"update_id": update_id, **update})
        self._cond.notify_all()
        return update_id

    def _next_message_id(self, chat_id: int) -> int:
        """Allocate the next message_id in a chat."""
        message_id = self._state.next_message_id.get(chat_id, 1)
        self._state.next_message_id[chat_id] = message_id + 1
        return message_id

    @staticmethod
    def _snapshot(message: JSONDict) -> JSONDict:
        """Copy of a message for embedding; nested replies are dropped, as Telegram does."""
        snap = copy.deepcopy(message)
        snap.pop("reply_to_message", None)
        return snap

    def _register_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        """Create and index a StoredFile."""
        number = self._state.next_file
        self._state.next_file += 1
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:06d}fake",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
        )
        self._state.files[stored.file_id] = stored
        self._state.files_by_path[stored.file_path] = stored
        return stored

    def _chat(self, params: JSONDict) -> JSONDict:
        """Resolve ``chat_id`` (numeric or @username) to a known chat."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, int):
            chat = self._state.chats.get(chat_id)
        else:
            name = str(chat_id).removeprefix("@").lower()
            chat = next(
                (
                    c
                    for c in self._state.chats.values()
                    if str(c.get("username", "")).lower() == name
                ),
                None,
            )
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _render_text(
        self, text: Any, parse_mode: Any, limit: int, too_long: str, empty: str | None
    ) -> tuple[str, list[JSONDict]]:
        """Apply parse_mode and the length limits; returns (plain text, entities)."""
        text = "" if text is None else str(text)
        mode = "" if parse_mode is None else str(parse_mode)
        entities: list[JSONDict] = []
        if mode.lower() == "html":
            try:
                strict = self.strict_html_entities
                text, entities = parse_telegram_html(text, strict_entities=strict)
            except HtmlParseError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        elif mode.lower() not in ("", "markdown", "markdownv2"):
            raise _ApiError(400, "Bad Request: unsupported parse_mode")
        if empty is not None and not text.strip():
            raise _ApiError(400, empty)
        if len(text) > limit:
            raise _ApiError(400, too_long)
        return text, entities

    @staticmethod
    def _inline_markup(params: JSONDict) -> JSONDict | None:
        """The reply_markup to echo in a Message (only inline keyboards are echoed)."""
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return markup
        return None

    def _own_message(self, params: JSONDict, missing: str) -> JSONDict:
        """Find a stored bot message by chat_id + message_id."""
        chat = self._chat(params)
        message = self._state.messages.get((chat["id"], _int_param(params, "message_id")))
        if message is None:
            raise _ApiError(400, f"Bad Request: {missing}")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message

    def _record(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile], **extra: Any
    ) -> None:
        """Log a successful call for sent()/edits()."""
        record = copy.deepcopy(params)
        for key, upload in files.items():
            record.setdefault(
                key,
                {
                    "file_name": upload.filename,
                    "mime_type": upload.content_type,
                    "data": upload.data,
                },
            )
        record.update(extra)
        self._state.log.append((method, record))

    # ---- internals: HTTP dispatch (called from handler threads, lock not held) ------------

    def _handle_http(
        self, verb: str, raw_path: str, content_type: str, body: bytes
    ) -> _Response | None:
        """Answer one HTTP request; None means drop the connection (server stopping)."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        try:
            file_match = _FILE_PATH.match(path)
            if file_match is not None and verb == "GET":
                return self._download(file_match["token"], file_match["path"])
            api_match = _API_PATH.match(path)
            if api_match is None or not api_match["token"] or not api_match["method"]:
                raise _ApiError(404, "Not Found")
            params, files = _parse_request(parts.query, content_type, body)
            return self._call(api_match["token"], api_match["method"], params, files)
        except _ApiError as err:
            return self._json_response(err.status, err.payload())
        except Exception as exc:  # a bug in the fake must be visible, not a hang
            logger.exception("fake Bot API failed on %s %s", verb, path)
            description = f"Internal Server Error: {exc}"
            return self._json_response(
                500, {"ok": False, "error_code": 500, "description": description}
            )

    @staticmethod
    def _json_response(status: int, payload: JSONDict) -> _Response:
        """Encode a JSON response."""
        return _Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def _download(self, token: str, file_path: str) -> _Response:
        """Serve a registered file's bytes."""
        if token == INVALID_TOKEN:
            raise _ApiError(401, "Unauthorized")
        with self._lock:
            stored = self._state.files_by_path.get(file_path)
        if stored is None:
            raise _ApiError(404, "Not Found")
        return _Response(200, stored.data, "application/octet-stream")

    def _call(
        self, token: str, method: str, params: JSONDict, files: dict[str, UploadedFile]
    ) -> _Response | None:
        """Run a Bot API method, applying token checks and injected faults."""
        key = method.lower()
        logger.debug("fake Bot API call %s %s", method, params)
        with self._cond:
            self._state.calls[key] += 1
            if token == INVALID_TOKEN:
                raise _ApiError(401, "Unauthorized")
            if key in self._state.held:
                drops = self._state.dropped
                while key in self._state.held and not self._stop_event.is_set():
                    self._cond.wait(0.05)
                if self._state.dropped != drops or self._stop_event.is_set():
                    return None
            fault = None
            queue = self._state.faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
        if fault is not None:
            if fault.delay > 0 and self._stop_event.wait(fault.delay):
                return None
            if fault.status >= 300:
                description = fault.description or _STATUS_DESCRIPTIONS.get(
                    fault.status, f"Error {fault.status}"
                )
                parameters = None
                if fault.retry_after is not None:
                    description = fault.description or (
                        f"Too Many Requests: retry after {fault.retry_after}"
                    )
                    parameters = {"retry_after": fault.retry_after}
                raise _ApiError(fault.status, description, parameters)
        entry = self._methods.get(key)
        if entry is None:
            raise _ApiError(404, "Not Found: method not found")
        name, handler = entry
        with self._cond:
            result = handler(params, files)
            if name != "getUpdates":
                logger.debug("fake Bot API %s -> %s", name, result)
            return self._json_response(200, {"ok": True, "result": result})

    # ---- Bot API methods (lock held) -------------------------------------------------------

    def _return_true(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """Methods that only need to succeed."""
        return True

    def _get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """getMe."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JSONDict, files: dict[str, UploadedFile]) -> list[JSONDict]:
        """getUpdates with offset confirmation and long polling."""
        if self._state.webhook.get("url"):
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        updates = self._state.updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
            offset = updates[0]["update_id"] if updates else self._state.next_update_id
        else:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        deadline = time.monotonic() + timeout
        while not self._stop_event.is_set():
            pending = [u for u in self._state.updates if u["update_id"] >= offset]
            if pending:
                return copy.deepcopy(pending[:limit])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return []

    def _delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """deleteWebhook (optionally dropping pending updates)."""
        self._state.webhook = {}
        if params.get("drop_pending_updates"):
            self._state.updates.clear()
        self._record("deleteWebhook", params, files)
        return True

    def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """setWebhook (recorded only; no requests are made to the URL)."""
        if params.get("drop_pending_updates"):
            self._state.updates.clear()
        self._state.webhook = copy.deepcopy(params) if params.get("url") else {}
        self._record("setWebhook", params, files)
        return True

    def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """getWebhookInfo."""
        hook = self._state.webhook
        info: JSONDict = {
            "url": hook.get("url", ""),
            "has_custom_certificate": "certificate" in hook,
            "pending_update_count": len(self._state.updates),
        }
        if hook.get("url"):
            info["max_connections"] = hook.get("max_connections", 40)
            if hook.get("allowed_updates"):
                info["allowed_updates"] = hook["allowed_updates"]
            if hook.get("ip_address"):
                info["ip_address"] = hook["ip_address"]
        return info

    def _reply_target(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        """The message a send replies to (reply_parameters or legacy reply_to_message_id)."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if isinstance(reply.get("chat_id"), int):
                chat_id = reply["chat_id"]
        else:
            target_id = params.get("reply_to_message_id")
        if target_id is None:
            return None
        target = self._state.messages.get((chat_id, target_id))
        if target is None and not allow_missing:
            raise _ApiError(400, "Bad Request: message to be replied not found")
        return self._snapshot(target) if target is not None else None

    def _new_bot_message(self, chat: JSONDict, params: JSONDict, content: JSONDict) -> JSONDict:
        """Store a message sent by the bot and return it."""
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": copy.deepcopy(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        replied = self._reply_target(chat["id"], params)
        if replied is not None:
            message["reply_to_message"] = replied
        message.update(content)
        markup = self._inline_markup(params)
        if markup is not None:
            message["reply_markup"] = copy.deepcopy(markup)
        self._state.messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """sendMessage."""
        chat = self._chat(params)
        text, entities = self._render_text(
            params.get("text"),
            params.get("parse_mode"),
            MAX_TEXT_LENGTH,
            "Bad Request: message is too long",
            "Bad Request: message text is empty",
        )
        if isinstance(params.get("entities"), list):
            entities = params["entities"]
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = copy.deepcopy(entities)
        message = self._new_bot_message(chat, params, content)
        self._record("sendMessage", params, files, message_id=message["message_id"])
        return copy.deepcopy(message)

    def _edit_message_text(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        """editMessageText."""
        text, entities = self._render_text(
            params.get("text"),
            params.get("parse_mode"),
            MAX_TEXT_LENGTH,
            "Bad Request: message is too long",
            "Bad Request: message text is empty",
        )
        if isinstance(params.get("entities"), list):
            entities = params["entities"]
        if params.get("inline_message_id"):
            self._record("editMessageText", params, files)
            return True
        message = self._own_message(params, "message to edit not found")
        markup = self._inline_markup(params)
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise _ApiError(400, _NOT_MODIFIED)
        message["text"] = text
        if entities:
            message["entities"] = copy.deepcopy(entities)
        else:
            message.pop("entities", None)
        if markup is not None:
            message["reply_markup"] = copy.deepcopy(markup)
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self._record("editMessageText", params, files)
        return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        """editMessageReplyMarkup."""
        if params.get("inline_message_id"):
            self._record("editMessageReplyMarkup", params, files)
            return True
        message = self._own_message(params, "message to edit not found")
        markup = self._inline_markup(params)
        if message.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        if markup is not None:
            message["reply_markup"] = copy.deepcopy(markup)
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self._record("editMessageReplyMarkup", params, files)
        return copy.deepcopy(message)

    def _delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """deleteMessage."""
        chat = self._chat(params)
        if self._state.messages.pop((chat["id"], _int_param(params, "message_id")), None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        self._record("deleteMessage", params, files)
        return True

    def _answer_callback_query(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """answerCallbackQuery (each pushed query can be answered once)."""
        query_id = str(params.get("callback_query_id", ""))
        if self._state.callbacks.get(query_id, True):
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._state.callbacks[query_id] = True
        self._record("answerCallbackQuery", params, files)
        return True

    def _send_chat_action(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """sendChatAction."""
        self._chat(params)
        if not params.get("action"):
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        self._record("sendChatAction", params, files)
        return True

    def _get_file(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """getFile."""
        stored = self._state.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _ApiError(400, "Bad Request: file is too big")
        return stored.to_file()

    @staticmethod
    def _commands_key(params: JSONDict) -> str:
        """Storage key for a command scope + language."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """setMyCommands with Telegram's command validation."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(
                str(command.get("command", ""))
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _ApiError(400, "Bad Request: command description must be non-empty")
        self._state.commands[self._commands_key(params)] = copy.deepcopy(commands)
        self._state.last_set_commands = copy.deepcopy(params)
        self._record("setMyCommands", params, files)
        return True

    def _get_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> list[JSONDict]:
        """getMyCommands."""
        return copy.deepcopy(self._state.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """deleteMyCommands."""
        self._state.commands.pop(self._commands_key(params), None)
        self._record("deleteMyCommands", params, files)
        return True

    def _get_chat(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """getChat (a ChatFullInfo with the fields PTB 22 requires)."""
        chat = self._chat(params)
        return {
            **copy.deepcopy(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """sendDocument (upload, known file_id, or URL)."""
        chat = self._chat(params)
        caption, caption_entities = self._render_text(
            params.get("caption"),
            params.get("parse_mode"),
            MAX_CAPTION_LENGTH,
            "Bad Request: message caption is too long",
            None,
        )
        if isinstance(params.get("caption_entities"), list):
            caption_entities = params["caption_entities"]
        upload = files.get("document")
        document = params.get("document")
        if upload is not None:
            stored = self._register_file(
                upload.data, upload.filename, upload.content_type, "documents"
            )
        elif isinstance(document, str) and document in self._state.files:
            stored = self._state.files[document]
        elif isinstance(document, str) and document.startswith(("http://", "https://")):
            stored = self._register_file(
                b"", document.rsplit("/", 1)[-1] or None, None, "documents"
            )
        else:
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        content: JSONDict = {"document": stored.to_document()}
        if caption:
            content["caption"] = caption
            if caption_entities:
                content["caption_entities"] = copy.deepcopy(caption_entities)
        message = self._new_bot_message(chat, params, content)
        self._record(
            "sendDocument", params, files, message_id=message["message_id"], file_id=stored.file_id
        )
        return copy.deepcopy(message)
