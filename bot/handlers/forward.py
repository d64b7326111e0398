"""Questions the assistant declines go to staff: the 📨 button, /reply, and saving as an FAQ."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from assistant.errors import InputError, KnowledgeError
from assistant.logs import audit
from assistant.store import Forward
from bot import keyboards, render
from bot.handlers import ask
from bot.handlers.admin import problems_html, refuse_non_admin
from bot.i18n import t
from bot.sending import send_html, with_retry
from bot.services import arg_text, services, user_lang

log = logging.getLogger(__name__)
MARKER = re.compile(r"#(\d{1,9})\b")
CHANNEL = "telegram"


async def offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The asker pressed 📨 under a declined answer: hand the question to staff."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc, lang = services(context), user_lang(update, context)
    question_id = int(query.data.split(":")[1])
    logged = svc.store.question(question_id)
    if logged is None or logged[0] != user.id:
        await with_retry(lambda: query.answer(t("forward_not_yours", lang)))
        return
    _, chat_id, asked_lang, text = logged
    loop = asyncio.get_running_loop()
    opened = await loop.run_in_executor(
        svc.executor,
        lambda: svc.desk.open(
            CHANNEL, str(user.id), str(chat_id or user.id), text, asked_lang, question_id
        ),
    )
    forward = opened.forward
    await with_retry(lambda: query.answer())
    key = "forwarded" if opened.new else "forward_again"
    await send_html(context.bot, chat_id or user.id, [t(key, lang, id=forward.id)])
    if not opened.new:
        return
    who = render.escape(user.full_name or str(user.id))
    for staff in svc.settings.admin_ids:
        staff_lang = svc.store.lang(staff) or "vi"
        message = t(
            "forward_staff",
            staff_lang,
            id=forward.id,
            who=who,
            asked_in=forward.lang,
            question=render.escape(forward.question),
            searched=render.escape(forward.searched),
        )
        try:
            await send_html(context.bot, staff, render.split_messages([message]))
        except TelegramError as exc:  # a staff member who never opened the bot: /stats shows it
            log.warning("could not tell staff %s about forward #%s: %s", staff, forward.id, exc)
    log.info("question %s forwarded to staff as #%s", question_id, forward.id)


async def reply_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reply N text: a staff answer to forwarded question N."""
    if await refuse_non_admin(update, context):
        return
    match = re.match(r"^#?(\d{1,9})\s+(.+)$", arg_text(context), re.S)
    chat = update.effective_chat
    if chat is None:
        return
    if match is None:
        await send_html(context.bot, chat.id, [t("reply_usage", user_lang(update, context))])
        return
    await _deliver(update, context, int(match.group(1)), match.group(2))


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff member replying to a forwarded question's message answers it; else a question."""
    message, user = update.effective_message, update.effective_user
    replied = message.reply_to_message if message else None
    svc = services(context)
    if (
        message is not None
        and message.text
        and replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
        and svc.is_admin(user.id if user else None)
        and (marker := MARKER.search(replied.text or ""))
    ):
        await _deliver(update, context, int(marker.group(1)), message.text)
        return
    await ask.on_text(update, context)


async def _deliver(
    update: Update, context: ContextTypes.DEFAULT_TYPE, forward_id: int, text: str
) -> None:
    svc, chat, user = services(context), update.effective_chat, update.effective_user
    lang = user_lang(update, context)
    if chat is None or user is None:
        return
    try:
        forward = svc.desk.reply(forward_id, str(user.id), text)
    except InputError:
        await send_html(context.bot, chat.id, [t("reply_unknown", lang, id=forward_id)])
        return
    await _send_reply(context, forward)
    await send_html(
        context.bot,
        chat.id,
        [t("reply_sent", lang, id=forward.id)],
        keyboards.save_faq(forward.id, t("save_faq_button", lang)),
    )
    audit("staff_reply", user=user.id, forward=forward.id)


async def _send_reply(context: ContextTypes.DEFAULT_TYPE, forward: Forward) -> None:
    answer = t(
        "staff_answer",
        forward.lang,
        id=forward.id,
        question=render.escape(forward.question),
        reply=render.escape(forward.reply or ""),
    )
    await send_html(context.bot, int(forward.chat_id), render.split_messages([answer]))
    services(context).store.mark_delivered(forward.id)


async def deliver_pending(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: send replies recorded outside the bot (the CLI) to their Telegram askers."""
    for forward in services(context).store.undelivered(CHANNEL):
        try:
            await _send_reply(context, forward)
        except TelegramError as exc:
            log.warning("could not deliver the reply to forward #%s: %s", forward.id, exc)


async def save_faq(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """💾 under a delivered reply: the question and reply become an FAQ entry."""
    query = update.callback_query
    if query is None or query.data is None or await refuse_non_admin(update, context):
        return
    svc, lang, chat = services(context), user_lang(update, context), update.effective_chat
    await with_retry(lambda: query.answer())
    forward_id = int(query.data.split(":")[1])
    loop = asyncio.get_running_loop()
    try:
        faq_id = await loop.run_in_executor(
            svc.executor, svc.desk.save_as_faq, forward_id, svc.today()
        )
    except InputError as exc:
        text = t("faq_failed", lang, problems=render.escape(str(exc)))
    except KnowledgeError as exc:
        text = t("faq_failed", lang, problems=problems_html(exc.problems))
    else:
        text = t("faq_saved", lang, faq=render.escape(faq_id))
    if chat is not None:
        await send_html(context.bot, chat.id, [text])
