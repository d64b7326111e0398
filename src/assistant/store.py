"""SQLite storage for the bot: question log, feedback, subscriptions, reminders, watches."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user_id INTEGER, chat_id INTEGER,
    lang TEXT, question TEXT NOT NULL, intent TEXT, confident INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL, user_id INTEGER NOT NULL, vote INTEGER NOT NULL,
    ts TEXT NOT NULL, PRIMARY KEY (question_id, user_id));
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id INTEGER NOT NULL, agency_id TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT 'vi',
    created TEXT NOT NULL, PRIMARY KEY (chat_id, agency_id));
CREATE TABLE IF NOT EXISTS reminders_sent (
    chat_id INTEGER NOT NULL, key TEXT NOT NULL, due TEXT NOT NULL, days_before INTEGER NOT NULL,
    sent TEXT NOT NULL, PRIMARY KEY (chat_id, key, due, days_before));
CREATE TABLE IF NOT EXISTS watches (
    chat_id INTEGER NOT NULL, product_id TEXT NOT NULL, market TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'vi', created TEXT NOT NULL,
    PRIMARY KEY (chat_id, product_id, market));
CREATE TABLE IF NOT EXISTS prefs (user_id INTEGER PRIMARY KEY, lang TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS questions_ts ON questions (ts);
"""


@dataclass(frozen=True)
class Subscription:
    """A chat that wants deadline reminders, for every agency ('') or one."""

    chat_id: int
    agency_id: str
    lang: str


@dataclass(frozen=True)
class Watch:
    """A chat that wants alerts on measures for a product, in one market or all ('')."""

    chat_id: int
    product_id: str
    market: str
    lang: str


@dataclass(frozen=True)
class DayStats:
    """Questions on one day."""

    day: str
    questions: int
    unanswered: int


class Store:
    """A small thread-safe wrapper over one SQLite file under the data folder."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) > SCHEMA_VERSION:
                raise RuntimeError(f"database schema {row[0]} is newer than this program")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0])

    def _now(self) -> str:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    # --- questions and feedback ----------------------------------------------------------
    def log_question(
        self,
        user_id: int | None,
        chat_id: int | None,
        lang: str,
        question: str,
        intent: str,
        confident: bool,
    ) -> int:
        """Record a question and how it was answered; returns its id."""
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO questions (ts, user_id, chat_id, lang, question, intent, confident)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._now(), user_id, chat_id, lang, question[:2000], intent, int(confident)),
            )
            return int(cur.lastrowid or 0)

    def vote(self, question_id: int, user_id: int, up: bool) -> None:
        """Store (or change) a user's 👍/👎 on an answer."""
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?) ON CONFLICT(question_id, user_id) "
                "DO UPDATE SET vote=excluded.vote, ts=excluded.ts",
                (question_id, user_id, 1 if up else -1, self._now()),
            )

    def stats(self, days: int = 14) -> tuple[list[DayStats], int, int]:
        """Questions per day for recent days, and total 👍 and 👎."""
        with self._lock:
            rows = self._db.execute(
                "SELECT substr(ts, 1, 10) AS day, count(*), sum(1 - confident) FROM questions "
                "GROUP BY day ORDER BY day DESC LIMIT ?",
                (days,),
            ).fetchall()
            up, down = self._db.execute(
                "SELECT coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) FROM feedback"
            ).fetchone()
        return [DayStats(d, int(n), int(u or 0)) for d, n, u in rows], int(up), int(down)

    def unanswered(self, limit: int = 20) -> list[tuple[str, str]]:
        """Recent questions the assistant could not answer: (timestamp, question)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, question FROM questions WHERE confident = 0 AND intent NOT IN "
                "('empty', 'help') ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [(str(ts), str(q)) for ts, q in rows]

    # --- preferences ---------------------------------------------------------------------
    def set_lang(self, user_id: int, lang: str) -> None:
        """Remember a user's interface language."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO prefs VALUES (?, ?)", (user_id, lang))

    def lang(self, user_id: int) -> str | None:
        """A user's chosen interface language, if any."""
        with self._lock:
            row = self._db.execute("SELECT lang FROM prefs WHERE user_id=?", (user_id,)).fetchone()
        return str(row[0]) if row else None

    # --- subscriptions and reminders -----------------------------------------------------
    def subscribe(self, chat_id: int, agency_id: str = "", lang: str = "vi") -> bool:
        """Subscribe a chat; False if it already was."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO subscriptions VALUES (?, ?, ?, ?)",
                (chat_id, agency_id, lang, self._now()),
            )
            return cur.rowcount > 0

    def unsubscribe(self, chat_id: int, agency_id: str | None = None) -> int:
        """Remove one subscription (or all of a chat's when agency_id is None)."""
        with self._lock:
            if agency_id is None:
                cur = self._db.execute("DELETE FROM subscriptions WHERE chat_id=?", (chat_id,))
            else:
                cur = self._db.execute(
                    "DELETE FROM subscriptions WHERE chat_id=? AND agency_id=?",
                    (chat_id, agency_id),
                )
            return cur.rowcount

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """All subscriptions, or one chat's."""
        query = "SELECT chat_id, agency_id, lang FROM subscriptions"
        args: tuple[int, ...] = ()
        if chat_id is not None:
            query, args = query + " WHERE chat_id=?", (chat_id,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY chat_id, agency_id", args).fetchall()
        return [Subscription(int(c), str(a), str(lang)) for c, a, lang in rows]

    def mark_sent(self, chat_id: int, key: str, due: dt.date, days_before: int) -> bool:
        """Record a reminder as sent; False if it had been sent already."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO reminders_sent VALUES (?, ?, ?, ?, ?)",
                (chat_id, key, due.isoformat(), days_before, self._now()),
            )
            return cur.rowcount > 0

    def was_sent(self, chat_id: int, key: str, due: dt.date, days_before: int) -> bool:
        """Whether that reminder went out already."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM reminders_sent WHERE chat_id=? AND key=? AND due=? AND "
                "days_before=?",
                (chat_id, key, due.isoformat(), days_before),
            ).fetchone()
        return row is not None

    # --- measure watches -----------------------------------------------------------------
    def watch(self, chat_id: int, product_id: str, market: str = "", lang: str = "vi") -> bool:
        """Add a watch; False if it existed."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO watches VALUES (?, ?, ?, ?, ?)",
                (chat_id, product_id, market, lang, self._now()),
            )
            return cur.rowcount > 0

    def unwatch(
        self, chat_id: int, product_id: str | None = None, market: str | None = None
    ) -> int:
        """Remove watches of a chat, all or those matching product and market."""
        query = "DELETE FROM watches WHERE chat_id=?"
        args: list[int | str] = [chat_id]
        if product_id is not None:
            query, args = query + " AND product_id=?", [*args, product_id]
        if market is not None:
            query, args = query + " AND market=?", [*args, market]
        with self._lock:
            return self._db.execute(query, args).rowcount

    def watches(self, chat_id: int | None = None) -> list[Watch]:
        """All watches, or one chat's."""
        query = "SELECT chat_id, product_id, market, lang FROM watches"
        args: tuple[int, ...] = ()
        if chat_id is not None:
            query, args = query + " WHERE chat_id=?", (chat_id,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY chat_id, product_id", args).fetchall()
        return [Watch(int(c), str(p), str(m), str(lang)) for c, p, m, lang in rows]
