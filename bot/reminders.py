"""Deadline reminders and the dates of watched measures, checked daily and at start-up."""

from __future__ import annotations

import datetime as dt
import logging

from telegram.ext import ContextTypes

from assistant.answer.labels import day_text
from assistant.measure_dates import left_text
from assistant.reminders import due_measure_reminders, due_reminders
from bot import render
from bot.i18n import t
from bot.sending import send_html
from bot.services import services

log = logging.getLogger(__name__)


async def check_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send every reminder whose point has come and that has not been sent yet."""
    svc = services(context)
    kb = svc.assistant.kb
    today = svc.today()
    for sub in svc.store.subscriptions():
        for r in due_reminders(kb, sub.agency_id, today):
            if svc.store.was_sent(sub.chat_id, r.key, r.due, r.days_before):
                continue
            left = (r.due - today).days
            title = render.escape(r.title_en if sub.lang == "en" else r.title_vi)
            due = day_text(r.due)
            text = (
                t("reminder_today", sub.lang, title=title)
                if left == 0
                else t("reminder", sub.lang, title=title, due=due, days=left)
            )
            if await _send(context, sub.chat_id, text):
                # earlier points that were missed (bot down) are closed, never sent late
                for days in (r.days_before, *r.earlier):
                    svc.store.mark_sent(sub.chat_id, r.key, r.due, days)
    await _measure_dates(context, today)


async def _measure_dates(context: ContextTypes.DEFAULT_TYPE, today: dt.date) -> None:
    """Remind watchers of the coming dates of the measures they follow."""
    svc = services(context)
    composer = svc.assistant.state.composer
    reminded: set[tuple[int, str]] = set()  # overlapping watches remind a chat once
    for w in svc.store.watches():
        if w.product_id not in svc.assistant.kb.products:
            continue
        measures = composer.matching_measures([w.product_id], [w.market] if w.market else [])
        for r in due_measure_reminders(measures, today):
            if (w.chat_id, r.key) in reminded or svc.store.was_sent(
                w.chat_id, r.key, r.due, r.days_before
            ):
                continue
            reminded.add((w.chat_id, r.key))
            text = t(
                "measure_reminder",
                w.lang,
                title=render.escape(r.title_en if w.lang == "en" else r.title_vi),
                due=day_text(r.due),
                left=left_text(r.due, today, w.lang),
            )
            if await _send(context, w.chat_id, text):
                for days in (r.days_before, *r.earlier):
                    svc.store.mark_sent(w.chat_id, r.key, r.due, days)


async def _send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> bool:
    try:
        await send_html(context.bot, chat_id, [text])
        return True
    except Exception:  # one blocked chat must not stop the other reminders
        log.exception("could not send a reminder to chat %s", chat_id)
        return False
