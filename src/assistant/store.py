"""SQLite storage: questions, feedback, subscriptions, reminders, watches, forwarded questions."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 2  # 2: forwards (questions handed to staff)
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
CREATE TABLE IF NOT EXISTS forwards (
    id INTEGER PRIMARY KEY AUTOINCREMENT, question_id INTEGER, channel TEXT NOT NULL,
    user_id TEXT NOT NULL, chat_id TEXT NOT NULL, lang TEXT NOT NULL, question TEXT NOT NULL,
    searched TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
    staff_id TEXT, reply TEXT, replied TEXT, faq_id TEXT, delivered INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS forwards_question ON forwards (question_id);
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
class Forward:
    """A question the assistant declined, handed to the Department's staff."""

    id: int
    question_id: int | None
    channel: str
    user_id: str
    chat_id: str
    lang: str
    question: str
    searched: str
    created: dt.datetime
    status: str
    staff_id: str | None = None
    reply: str | None = None
    replied: dt.datetime | None = None
    faq_id: str | None = None


FORWARD_COLUMNS = (
    "id, question_id, channel, user_id, chat_id, lang, question, searched, created, status, "
    "staff_id, reply, replied, faq_id"
)


def _forward(row: tuple[object, ...]) -> Forward:
    values = list(row)
    for i in (8, 12):
        values[i] = dt.datetime.fromisoformat(str(values[i])) if values[i] else None
    return Forward(*values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DayStats:
    """Questions on one day."""

    day: str
    questions: int
    unanswered: int


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """A connection to the SQLite file at `path` (made if missing), in WAL mode, shared by
    threads under the caller's lock, with `schema` applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(schema)
    return db


class Store:
    """A small thread-safe wrapper over one SQLite file under the data folder."""

    def __init__(self, path: Path) -> None:
        self._db = connect(path, SCHEMA)
        self._lock = threading.Lock()
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) > SCHEMA_VERSION:
                raise RuntimeError(f"database schema {row[0]} is newer than this program")
            else:  # older files gained their new tables from SCHEMA above
                self._db.execute(
                    "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
                )

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

    def vote(self, question_id: int, user_id: int, chat_id: int, up: bool) -> bool:
        """Store (or change) a user's 👍/👎 on an answer given in this chat.

        A vote for a question that was not asked in this chat (forged button data, another
        chat's question, an id out of range) is not stored: returns False. One vote per user and
        question; voting again changes it.
        """
        if not 0 < question_id < 2**63:
            return False
        with self._lock:
            asked = self._db.execute(
                "SELECT 1 FROM questions WHERE id = ? AND chat_id = ?", (question_id, chat_id)
            ).fetchone()
            if asked is None:
                return False
            self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?) ON CONFLICT(question_id, user_id) "
                "DO UPDATE SET vote=excluded.vote, ts=excluded.ts",
                (question_id, user_id, 1 if up else -1, self._now()),
            )
        return True

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

    def question(self, question_id: int) -> tuple[int | None, int | None, str, str] | None:
        """(user id, chat id, language, text) of a logged question, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, chat_id, lang, question FROM questions WHERE id=?", (question_id,)
            ).fetchone()
        if row is None:
            return None
        user, chat, lang, text = row
        return (
            int(user) if user is not None else None,
            int(chat) if chat is not None else None,
            str(lang or "vi"),
            str(text),
        )

    # --- questions forwarded to staff ----------------------------------------------------
    def add_forward(
        self,
        question_id: int | None,
        channel: str,
        user_id: str,
        chat_id: str,
        lang: str,
        question: str,
        searched: str,
    ) -> tuple[Forward, bool]:
        """Record a forwarded question; (the forward, False) if that question was forwarded."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO forwards (question_id, channel, user_id, chat_id, lang, "
                "question, searched, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    question_id,
                    channel,
                    user_id,
                    chat_id,
                    lang,
                    question[:2000],
                    searched,
                    self._now(),
                ),
            )
            new = cur.rowcount > 0
            if new:
                forward_id = int(cur.lastrowid or 0)
            else:
                forward_id = int(
                    self._db.execute(
                        "SELECT id FROM forwards WHERE question_id=?", (question_id,)
                    ).fetchone()[0]
                )
        found = self.forward(forward_id)
        assert found is not None
        return found, new

    def forward(self, forward_id: int) -> Forward | None:
        """One forwarded question, or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {FORWARD_COLUMNS} FROM forwards WHERE id=?", (forward_id,)
            ).fetchone()
        return _forward(tuple(row)) if row else None

    def answer_forward(self, forward_id: int, staff_id: str, reply: str) -> None:
        """Record the staff's reply to a forwarded question."""
        with self._lock:
            self._db.execute(
                "UPDATE forwards SET status='answered', staff_id=?, reply=?, replied=?, "
                "delivered=0 WHERE id=?",
                (staff_id, reply[:4000], self._now(), forward_id),
            )

    def set_forward_faq(self, forward_id: int, faq_id: str) -> None:
        """Remember the FAQ entry a reply was saved as."""
        with self._lock:
            self._db.execute("UPDATE forwards SET faq_id=? WHERE id=?", (faq_id, forward_id))

    def undelivered(self, channel: str) -> list[Forward]:
        """Answered forwarded questions of a channel whose reply has not reached the asker."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {FORWARD_COLUMNS} FROM forwards WHERE status='answered' AND delivered=0 "
                "AND channel=? ORDER BY id",
                (channel,),
            ).fetchall()
        return [_forward(tuple(r)) for r in rows]

    def mark_delivered(self, forward_id: int) -> None:
        """Remember that the asker has the reply."""
        with self._lock:
            self._db.execute("UPDATE forwards SET delivered=1 WHERE id=?", (forward_id,))

    def open_forwards(self) -> list[Forward]:
        """Forwarded questions still waiting for a reply, oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {FORWARD_COLUMNS} FROM forwards WHERE status='open' ORDER BY id"
            ).fetchall()
        return [_forward(tuple(r)) for r in rows]

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
