"""/deadlines, /subscribe and /unsubscribe."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from assistant.answer import direct
from bot import render
from bot.i18n import t
from bot.sending import send_html
from bot.services import arg_text, services, user_lang


async def deadlines(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Upcoming deadlines with the days left."""
    svc, chat = services(context), update.effective_chat
    if chat is None:
        return
    answer = direct.deadlines(svc.assistant.kb, user_lang(update, context), svc.today())
    await send_html(context.bot, chat.id, render.answer_html(answer, with_sources=False))


def _scope(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, str]:
    """The agency named after the command ('' for all) and how to say it."""
    svc, lang = services(context), user_lang(update, context)
    name = arg_text(context)
    agency_id = svc.assistant.find_agency(name) if name else None
    if not agency_id:
        return "", ""
    label = svc.assistant.kb.agency_names([agency_id], lang)[0]
    return agency_id, f" ({render.escape(label)})"


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe this chat to deadline reminders, optionally for one agency."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    agency_id, scope = _scope(update, context)
    added = svc.store.subscribe(chat.id, agency_id, lang)
    days = sorted(
        {d for x in svc.assistant.kb.deadlines.values() for d in x.remind_days}, reverse=True
    )
    key = "subscribed" if added else "already_subscribed"
    text = t(key, lang, scope=scope, days=", ".join(map(str, days)))
    await send_html(context.bot, chat.id, [text])


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove this chat's reminders (all, or for one agency)."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    agency_id, _ = _scope(update, context)
    removed = svc.store.unsubscribe(chat.id, agency_id if agency_id else None)
    await send_html(context.bot, chat.id, [t("unsubscribed", lang, n=removed)])
