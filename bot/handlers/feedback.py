"""👍/👎 buttons under answers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.sending import with_retry
from bot.services import services, user_lang


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a vote on an answer and thank the user."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    _, question_id, up = query.data.split(":")
    services(context).store.vote(int(question_id), user.id, up == "1")
    thanks = t("thanks", user_lang(update, context))
    await with_retry(lambda: query.answer(thanks))
