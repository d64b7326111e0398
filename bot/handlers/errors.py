"""The error handler: log the failure and give the user a polite reply."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from assistant.logs import audit
from bot.i18n import t
from bot.sending import send_html, with_retry
from bot.services import user_lang

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an exception from a handler and apologise to the user if there is one."""
    log.error("handler failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            lang = user_lang(update, context)
            await send_html(context.bot, update.effective_chat.id, [t("error", lang)])
        except Exception:  # the apology is best-effort; the error is already logged
            log.exception("could not send the apology")


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data no handler accepts (old, forged or empty): say so, do nothing."""
    query = update.callback_query
    if query is None:
        return
    user = update.effective_user
    audit("refused_button", user=user.id if user else None, data=(query.data or "")[:80])
    await with_retry(lambda: query.answer(t("stale_button", user_lang(update, context))))
