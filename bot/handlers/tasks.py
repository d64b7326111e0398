"""/task, /tasks and the task buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from assistant.answer import direct
from bot import keyboards, render
from bot.i18n import t
from bot.sending import send_html, with_retry
from bot.services import arg_text, services, user_lang


async def task(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show one task's card: /task 3.2 (without a number, the list)."""
    task_id = arg_text(context).replace(",", ".").strip(". ")
    if not task_id:
        await tasks(update, context)
        return
    await show_task(update, context, task_id)


async def tasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List every task with a button for each."""
    svc, lang = services(context), user_lang(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    kb = svc.assistant.kb
    await send_html(
        context.bot, chat.id, render.answer_html(direct.tasks(kb, lang), False), keyboards.tasks(kb)
    )


async def task_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the task whose button was pressed."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await with_retry(query.answer)
    await show_task(update, context, query.data.split(":", 1)[1])


async def show_task(update: Update, context: ContextTypes.DEFAULT_TYPE, task_id: str) -> None:
    """Send a task card, or say there is no such task and offer the list."""
    svc, lang = services(context), user_lang(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    kb = svc.assistant.kb
    answer = direct.task(kb, task_id, lang)
    if answer is None:
        text = t("no_task", lang, id=render.escape(task_id[:20]))
        await send_html(context.bot, chat.id, [text], keyboards.tasks(kb))
        return
    await send_html(context.bot, chat.id, render.answer_html(answer))
