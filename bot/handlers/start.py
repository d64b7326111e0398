"""/start, /help, /lang and the example-question buttons."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from assistant.answer.labels import EXAMPLES
from bot import keyboards
from bot.handlers.ask import answer_text
from bot.i18n import t
from bot.sending import with_retry
from bot.services import arg_text, services, user_lang


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Introduce the assistant with example questions as buttons."""
    lang = user_lang(update, context)
    if update.effective_message:
        await update.effective_message.reply_text(
            t("intro", lang), parse_mode=ParseMode.HTML, reply_markup=keyboards.examples(lang)
        )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_message:
        await update.effective_message.reply_text(
            t("help", user_lang(update, context)), parse_mode=ParseMode.HTML
        )


async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set the interface language: /lang vi or /lang en."""
    choice = arg_text(context).lower()
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if choice not in ("vi", "en"):
        await message.reply_text(t("lang_usage", user_lang(update, context)))
        return
    services(context).store.set_lang(user.id, choice)
    await message.reply_text(t("lang_set", choice))


async def example(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask the example question whose button was pressed."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await with_retry(query.answer)
    index = int(query.data.split(":", 1)[1])
    items = EXAMPLES["en" if user_lang(update, context) == "en" else "vi"]
    if 0 <= index < len(items):
        await answer_text(update, context, items[index])
