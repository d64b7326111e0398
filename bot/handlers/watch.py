"""/watch, /unwatch, /watches, and alerts when a reload brings a matching measure."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Update
from telegram.ext import ContextTypes

from assistant.answer import direct
from assistant.knowledge.models import Measure
from bot import render
from bot.i18n import t
from bot.sending import send_html
from bot.services import arg_text, services, user_lang

log = logging.getLogger(__name__)


def _label(context: ContextTypes.DEFAULT_TYPE, product_id: str, market: str, lang: str) -> str:
    kb = services(context).assistant.kb
    product = kb.products.get(product_id)
    name = (product.name_en if lang == "en" else product.name_vi) if product else product_id
    where = (
        kb.market_name(market, lang)
        if market in kb.markets
        else ("all markets" if lang == "en" else "mọi thị trường")
    )
    return render.escape(f"{name} — {where}")


async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe to measures for a product, in one market or all: /watch cà phê EU."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    products, markets = svc.assistant.find_products(arg_text(context))
    if not products:
        await send_html(context.bot, chat.id, [t("watch_usage", lang)])
        return
    lines = []
    for product_id in products:
        for market in markets or [""]:
            added = svc.store.watch(chat.id, product_id, market, lang)
            key = "watch_ok" if added else "watch_exists"
            lines.append(t(key, lang, what=_label(context, product_id, market, lang)))
    await send_html(context.bot, chat.id, ["\n".join(lines)])


async def unwatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove watches: all, or those for a product (and market)."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    text = arg_text(context)
    products, markets = svc.assistant.find_products(text)
    if text and not products:
        await send_html(context.bot, chat.id, [t("watch_usage", lang)])
        return
    removed = 0
    if not products:
        removed = svc.store.unwatch(chat.id)
    for product_id in products:
        if not markets:
            removed += svc.store.unwatch(chat.id, product_id)
        for market in markets:
            removed += svc.store.unwatch(chat.id, product_id, market)
    await send_html(context.bot, chat.id, [t("unwatch_ok", lang, n=removed)])


async def watches(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List this chat's watches."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    mine = svc.store.watches(chat.id)
    if not mine:
        await send_html(context.bot, chat.id, [t("watch_none", lang, usage=t("watch_usage", lang))])
        return
    lines = [f"• {_label(context, w.product_id, w.market, lang)}" for w in mine]
    await send_html(context.bot, chat.id, ["\n".join(lines)])


def _facts(measure: Measure) -> dict[str, object]:
    """What a watcher cares about: every field but the date it was last reviewed."""
    return measure.model_dump(exclude={"reviewed_on"})


async def notify_watchers(
    context: ContextTypes.DEFAULT_TYPE, before: Mapping[str, Measure]
) -> None:
    """Tell every chat whose watch matches a measure that a reload added or changed.

    `before` is the measures of the knowledge in use before the reload. They are compared
    field by field: the search index only embeds a measure's text, so a new status or date
    does not show in the build report.
    """
    svc = services(context)
    composer = svc.assistant.state.composer
    kb = svc.assistant.kb
    touched = {
        mid
        for mid, m in kb.measures.items()
        if mid not in before or _facts(before[mid]) != _facts(m)
    }
    if not touched:
        return
    alerted: set[tuple[int, str]] = set()  # overlapping watches still alert a chat once
    for w in svc.store.watches():
        if w.product_id not in kb.products:
            continue
        matching = [
            m
            for m in composer.matching_measures([w.product_id], [w.market] if w.market else [])
            if m.id in touched
        ]
        for measure in matching:
            if (w.chat_id, measure.id) in alerted:
                continue
            alerted.add((w.chat_id, measure.id))
            answer = direct.measure(kb, measure.id, w.lang, svc.today())
            head = t("measure_alert", w.lang, what=_label(context, w.product_id, w.market, w.lang))
            messages = render.answer_html(answer)
            messages[0] = f"{head}\n{messages[0]}"
            try:
                await send_html(context.bot, w.chat_id, messages)
            except Exception:  # one unreachable chat must not stop the others
                log.exception("could not alert chat %s", w.chat_id)
