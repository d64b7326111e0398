"""/tbt: the guidance menu, and measures searched by product and market."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from assistant.answer import direct
from bot import keyboards, render
from bot.i18n import t
from bot.sending import send_html, with_retry
from bot.services import arg_text, services, user_lang


async def tbt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the TBT menu, or search measures: /tbt cà phê EU."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    query = arg_text(context)
    if not query:
        await send_html(
            context.bot,
            chat.id,
            [t("tbt_menu", lang)],
            keyboards.tbt_topics(svc.assistant.kb, lang),
        )
        return
    products, markets = svc.assistant.find_products(query)
    question = query if (products or markets) else f"TBT {query}"
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(svc.executor, svc.assistant.ask, question, svc.today())
    await send_html(context.bot, chat.id, render.answer_html(answer))


async def topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the guidance entry whose button was pressed."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    await with_retry(query.answer)
    kb = services(context).assistant.kb
    index = int(query.data.split(":", 1)[1])
    ids = list(kb.guidance)
    if 0 <= index < len(ids):
        answer = direct.guidance(kb, ids[index], user_lang(update, context))
        if answer is not None:
            await send_html(context.bot, chat.id, render.answer_html(answer))
