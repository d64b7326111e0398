"""👍/👎 buttons under answers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from assistant.logs import audit
from bot.i18n import t
from bot.sending import with_retry
from bot.services import services, user_lang


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a vote on an answer and thank the user."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    _, question_id, up = query.data.split(":")  # the data matched ^fb:\d{1,18}:[01]$
    stored = services(context).store.vote(int(question_id), user.id, chat.id, up == "1")
    if not stored:  # no such question in this chat: forged or from elsewhere
        audit("refused_vote", user=user.id, chat=chat.id, question=int(question_id))
    reply = t("thanks" if stored else "stale_button", user_lang(update, context))
    await with_retry(lambda: query.answer(reply))
