"""Inline keyboards; callback data stays short (well under 64 bytes)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.answer.labels import EXAMPLES
from assistant.knowledge.base import KnowledgeBase


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out `width` per row."""
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def examples(lang: str) -> InlineKeyboardMarkup:
    """Example questions; a button press asks that question (callback 'ex:<n>')."""
    items = EXAMPLES["en" if lang == "en" else "vi"]
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=f"ex:{i}")] for i, text in enumerate(items)]
    )


def feedback(question_id: int, forward_label: str | None = None) -> InlineKeyboardMarkup:
    """👍/👎 under an answer (callback 'fb:<id>:1|0'), and 📨 to staff under a decline."""
    buttons = [
        [
            InlineKeyboardButton("👍", callback_data=f"fb:{question_id}:1"),
            InlineKeyboardButton("👎", callback_data=f"fb:{question_id}:0"),
        ]
    ]
    if forward_label:
        buttons.append([InlineKeyboardButton(forward_label, callback_data=f"fw:{question_id}")])
    return InlineKeyboardMarkup(buttons)


def save_faq(forward_id: int, label: str) -> InlineKeyboardMarkup:
    """💾 under a delivered staff reply (callback 'fq:<forward id>')."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"fq:{forward_id}")]])


def tasks(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """One button per task (callback 't:<id>')."""
    buttons = [InlineKeyboardButton(task_id, callback_data=f"t:{task_id}") for task_id in kb.tasks]
    return InlineKeyboardMarkup(rows(buttons, 4))


def agencies(kb: KnowledgeBase, lang: str) -> InlineKeyboardMarkup:
    """One button per agency with duties or tasks (callback 'ag:<id>')."""
    buttons = [
        InlineKeyboardButton(a.name_en if lang == "en" else a.name_vi, callback_data=f"ag:{a.id}")
        for a in kb.agencies.values()
        if a.duties or kb.tasks_led_by(a.id) or kb.tasks_partnered_by(a.id)
    ]
    return InlineKeyboardMarkup(rows(buttons, 1))


def tbt_topics(kb: KnowledgeBase, lang: str) -> InlineKeyboardMarkup:
    """The TBT guidance and FAQ entries (callback 'tb:<n>', n the entry's position)."""
    buttons = [
        InlineKeyboardButton(
            (e.title_en if lang == "en" else e.title_vi)[:60], callback_data=f"tb:{i}"
        )
        for i, e in enumerate(kb.guidance.values())
    ]
    return InlineKeyboardMarkup(rows(buttons, 1))
