"""/deadlines, /subscribe and /unsubscribe."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from assistant.answer import direct
from bot import render
from bot.i18n import t
from bot.sending import send_html
from bot.services import arg_text, services, user_lang

TBT_WORDS = ("tbt", "all", "tất cả", "tat ca")  # /deadlines tbt: every measure's dates


async def deadlines(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The plan's deadlines, or the coming dates of foreign measures.

    /deadlines cà phê EU: the measures for a product (and market); /deadlines tbt: every
    measure; /deadlines alone: the chat's watched products if it has any, else the plan's.
    """
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    text = arg_text(context)
    products, markets = svc.assistant.find_products(text) if text else ([], [])
    watched = [(w.product_id, w.market) for w in svc.store.watches(chat.id)]
    if products:
        pairs = [(p, m) for p in products for m in markets or [""]]
    elif text.casefold() in TBT_WORDS:
        pairs = []
    elif not text and watched:
        pairs = watched
    else:
        answer = direct.deadlines(svc.assistant.kb, lang, svc.today())
        await send_html(context.bot, chat.id, render.answer_html(answer, with_sources=False))
        return
    answer = await asyncio.to_thread(svc.assistant.measure_deadlines, pairs, lang, svc.today())
    messages = render.answer_html(answer, with_sources=False)
    messages[-1] += "\n\n" + t("deadlines_more", lang)
    await send_html(context.bot, chat.id, messages)


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
