"""/agency and the agency buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from assistant.answer import direct
from bot import keyboards, render
from bot.i18n import t
from bot.sending import send_html, with_retry
from bot.services import arg_text, services, user_lang


async def agency(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what an agency leads and coordinates: /agency Sở Tài chính."""
    svc, lang = services(context), user_lang(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    name = arg_text(context)
    kb = svc.assistant.kb
    found = svc.assistant.find_agency(name) if name else None
    if found is None:
        text = (
            t("no_agency", lang, name=render.escape(name[:60])) if name else t("pick_agency", lang)
        )
        await send_html(context.bot, chat.id, [text], keyboards.agencies(kb, lang))
        return
    await send_html(context.bot, chat.id, render.answer_html(direct.agency(kb, found, lang)))


async def agency_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the agency whose button was pressed."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    await with_retry(query.answer)
    kb = services(context).assistant.kb
    agency_id = query.data.split(":", 1)[1]
    if agency_id in kb.agencies:
        answer = direct.agency(kb, agency_id, user_lang(update, context))
        await send_html(context.bot, chat.id, render.answer_html(answer))
