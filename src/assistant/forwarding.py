"""Questions the assistant cannot answer go to people: forward, reply, save as an FAQ entry.

The plan makes the province a TBT enquiry point ("hoạt động thông báo và hỏi đáp"). When the
assistant declines a question inside its domain, the user may hand it to the Department's
staff; staff see what was searched, reply, and can save question and reply as a new FAQ entry
that is validated, indexed and answered from then on. Channel-neutral: adapters deliver.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from assistant.errors import InputError, KnowledgeError
from assistant.service import Assistant
from assistant.store import Forward, Store
from assistant.text import fold_plain

FAQ_FILE = "tbt/faq.yaml"
MAX_REPLY = 3000


@dataclass(frozen=True)
class Opened:
    """A forward as stored, and whether this call created it."""

    forward: Forward
    new: bool


class ForwardDesk:
    """Forwarded questions over the store, with the assistant to search and learn from."""

    def __init__(self, store: Store, assistant: Assistant) -> None:
        self.store = store
        self.assistant = assistant

    def open(
        self,
        channel: str,
        user_id: str,
        chat_id: str,
        question: str,
        lang: str,
        question_id: int | None = None,
    ) -> Opened:
        """Hand a question to staff, with what the assistant searched for it."""
        forward, new = self.store.add_forward(
            question_id, channel, user_id, chat_id, lang, question, self.searched(question)
        )
        return Opened(forward, new)

    def searched(self, question: str) -> str:
        """What understanding decided and which records came closest, for the staff."""
        q = self.assistant.understand(question)
        decisions = q.decisions()
        lines = [f"intent: {decisions['intent']} ({decisions['confidence']})"]
        for kind, values in dict(decisions["entities"]).items():  # type: ignore[call-overload]
            lines.append(f"{kind}: {values}")
        hits = self.assistant.state.searcher.search(q.text, q.lang, k=3, vector=q.vector)
        lines += [f"gần nhất / closest: {h.chunk.id} ({h.dense:.2f})" for h in hits]
        return "\n".join(lines)

    def reply(self, forward_id: int, staff_id: str, text: str) -> Forward:
        """Record a staff reply; the adapter then delivers it to the user."""
        text = text.strip()
        if not text:
            raise InputError("the reply is empty")
        if self.store.forward(forward_id) is None:
            raise InputError(f"no forwarded question #{forward_id}")
        self.store.answer_forward(forward_id, staff_id, text[:MAX_REPLY])
        found = self.store.forward(forward_id)
        assert found is not None
        return found

    def save_as_faq(self, forward_id: int, today: dt.date) -> str:
        """Add the question and its reply to the FAQ file, validated, and rebuild the index."""
        forward = self.store.forward(forward_id)
        if forward is None:
            raise InputError(f"no forwarded question #{forward_id}")
        if forward.reply is None:
            raise InputError(f"question #{forward_id} has no reply yet")
        if forward.faq_id:
            return forward.faq_id
        entry_id = f"faq-staff-{forward.id}-{_slug(forward.question)}"[:80].rstrip("-")
        entry = {
            "id": entry_id,
            "topic": "faq",
            "title_vi": forward.question,
            "title_en": forward.question,
            "text_vi": forward.reply,
            "text_en": forward.reply,
            "sources": [
                {
                    "title": "Sở Khoa học và Công nghệ tỉnh Gia Lai, trả lời câu hỏi chuyển tiếp",
                    "ref": f"#{forward.id}, {today.day}/{today.month}/{today.year}",
                }
            ],
        }
        path = self.assistant.settings.knowledge_dir / FAQ_FILE
        block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=100)
        current = path.read_text(encoding="utf-8")
        data = (current.rstrip("\n") + "\n" + _indent(block, "  ")).encode("utf-8")
        outcome = self.assistant.replace_knowledge_file(FAQ_FILE, data)
        if outcome.problems:
            raise KnowledgeError(outcome.problems)
        self.store.set_forward_faq(forward.id, entry_id)
        return entry_id

    def waiting(self, now: dt.datetime) -> list[tuple[Forward, dt.timedelta]]:
        """Open forwarded questions with how long each has waited, oldest first."""
        return [(f, now - f.created) for f in self.store.open_forwards()]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_plain(text)).strip("-")[:40]


def _indent(block: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in block.splitlines(True))
