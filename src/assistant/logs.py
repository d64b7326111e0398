"""Logging, configured once per process, and the audit trail of staff actions and refusals.

Lines go to standard error (where systemd, Docker or a terminal keep them) and, when
`ASSISTANT_LOG_FILE` is set, also to that file, rotated at 10 MB. Every line passes a filter
that masks anything shaped like a Telegram bot token, whichever library wrote it.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
from pathlib import Path
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# a bot token is the bot's id, a colon and 35 characters of base64url
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
AUDIT = logging.getLogger("assistant.audit")
_handlers: list[logging.Handler] = []  # ours, once made


class RedactTokens(logging.Filter):
    """Masks bot tokens in a record's final message (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _TOKEN.sub("<token>", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure(level: int, log_file: Path | None = None, stream: TextIO | None = None) -> None:
    """Set up the root logger's handlers once (on `stream`, standard error by default); later
    calls only change the level."""
    root = logging.getLogger()
    root.setLevel(level)
    if _handlers:
        return
    handlers: list[logging.Handler] = [logging.StreamHandler(stream)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_file, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactTokens())
        root.addHandler(handler)
        _handlers.append(handler)
    # httpx logs each request's URL, which holds the token; its failures still surface as ours
    logging.getLogger("httpx").setLevel(logging.WARNING)


def audit(event: str, **fields: object) -> None:
    """One structured line for a staff action or a refusal: `audit {"event": …, …}`."""
    AUDIT.info("audit %s", json.dumps({"event": event, **fields}, ensure_ascii=False, default=str))
