"""Free-text questions: every message in private chats; in groups only when addressed."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import keyboards, render
from bot.i18n import t
from bot.sending import send_html
from bot.services import services, user_lang

log = logging.getLogger(__name__)


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a message, or None when a group message is not meant for the bot."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{username}".lower()
    mentioned = any(
        message.parse_entity(e).lower() == mention
        for e in message.entities
        if e.type == MessageEntity.MENTION
    )
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    return " ".join(w for w in text.split() if w.lower() != mention)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message that is meant for the bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is None:
        return
    await answer_text(update, context, question)


async def answer_text(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer one question off the event loop, log it and reply with 👍/👎."""
    svc = services(context)
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None:
        return
    if user is not None and not svc.limiter.allow(user.id):
        await send_html(context.bot, chat.id, [t("slow_down", user_lang(update, context))])
        return
    with contextlib.suppress(TelegramError):  # the typing hint is a courtesy
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    loop = asyncio.get_running_loop()
    # a follow-up ("ai phối hợp?") resolves against this user's previous question in this chat
    key = ("telegram", f"{chat.id}:{user.id if user else ''}")
    answer = await loop.run_in_executor(
        svc.executor, svc.assistant.converse, key, question, svc.today()
    )
    qid = svc.store.log_question(
        user.id if user else None,
        chat.id,
        answer.lang,
        question,
        answer.intent,
        answer.confident,
    )
    reply_to = message.message_id if message and chat.type != ChatType.PRIVATE else None
    # a decline inside the domain offers the asker a person: the Department's staff
    offer = t("forward_button", user_lang(update, context)) if answer.forwardable else None
    paragraphs = render.answer_html(answer)
    late: set[int] = context.bot_data.get("late", set())  # replayed after a restart
    if update.update_id in late:
        late.discard(update.update_id)
        note = t("late_answer", user_lang(update, context))  # in the answer's first message
        paragraphs = [f"{note}\n{paragraphs[0]}", *paragraphs[1:]] if paragraphs else [note]
    await send_html(context.bot, chat.id, paragraphs, keyboards.feedback(qid, offer), reply_to)
