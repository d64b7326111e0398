"""A durable inbox: each incoming update is kept before it is handled, and marked done after.

A chat platform counts an update as delivered once the bot has fetched it. A crash, an
out-of-memory kill or a deploy between fetching and replying would lose the question. The
adapter keeps each update here first; on start it handles what is still pending (once: an
update already done, or already taken in this run, is skipped when it arrives again).
Rows are keyed by (channel, update id), in the same SQLite file as the rest of the store.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from assistant.store import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    channel TEXT NOT NULL, update_id INTEGER NOT NULL, received TEXT NOT NULL,
    data TEXT NOT NULL, done TEXT, PRIMARY KEY (channel, update_id));
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (channel, done);
"""
KEEP_DONE = dt.timedelta(days=2)  # done rows are kept this long, to recognise a late repeat


class Inbox:
    """Keeps incoming updates of each channel until they have been handled."""

    def __init__(self, path: Path) -> None:
        self._db = connect(path, SCHEMA)
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a process kill
        self._lock = threading.Lock()

    def keep(self, channel: str, update_id: int, data: str, now: dt.datetime) -> bool:
        """Keep an update before handling it; False if it was handled already (a repeat)."""
        with self._lock:
            row = self._db.execute(
                "SELECT done FROM inbox WHERE channel=? AND update_id=?", (channel, update_id)
            ).fetchone()
            if row is not None:
                return row[0] is None  # pending (a replay) is handled; done is not
            self._db.execute(
                "INSERT INTO inbox (channel, update_id, received, data) VALUES (?, ?, ?, ?)",
                (channel, update_id, now.isoformat(), data),
            )
        return True

    def done(self, channel: str, update_id: int, now: dt.datetime) -> None:
        """Mark an update handled (its reply sent, or its failure answered)."""
        with self._lock:
            self._db.execute(
                "UPDATE inbox SET done=? WHERE channel=? AND update_id=?",
                (now.isoformat(), channel, update_id),
            )

    def pending(self, channel: str, now: dt.datetime) -> list[str]:
        """Updates kept but never marked done (the process stopped while handling them), as
        kept, oldest first; done rows past KEEP_DONE are forgotten."""
        with self._lock:
            self._db.execute(
                "DELETE FROM inbox WHERE channel=? AND done IS NOT NULL AND done < ?",
                (channel, (now - KEEP_DONE).isoformat()),
            )
            rows = self._db.execute(
                "SELECT data FROM inbox WHERE channel=? AND done IS NULL ORDER BY update_id",
                (channel,),
            ).fetchall()
        return [data for (data,) in rows]
