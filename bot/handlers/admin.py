"""Staff tools for allow-listed admins: /reload, /stats, /unanswered and knowledge uploads."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from assistant import uploads
from assistant.errors import InputError, KnowledgeError, Problem
from assistant.index.store import BuildReport
from assistant.logs import audit
from assistant.service import ImportOutcome
from assistant.uploads import KNOWN, MAX_BYTES, TABLE_MAX_BYTES, is_table
from bot import render
from bot.downloads import TooLarge, download
from bot.handlers.watch import notify_watchers
from bot.i18n import t
from bot.sending import send_html
from bot.services import services, user_lang

log = logging.getLogger(__name__)
MAX_PROBLEMS = 25


async def refuse_non_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Reply with a refusal and return True when the sender is not an admin.

    Either way an audit line records who asked for which staff action.
    """
    user, chat = update.effective_user, update.effective_chat
    user_id, action = user.id if user else None, staff_action(update)
    if services(context).is_admin(user_id):
        audit("staff_action", user=user_id, action=action)
        return False
    audit("refused_staff_action", user=user_id, chat=chat.id if chat else None, action=action)
    if chat is not None:
        await send_html(context.bot, chat.id, [t("not_admin", user_lang(update, context))])
    return True


def staff_action(update: Update) -> str:
    """What a staff update asks for, for the audit line: a command, a button or a file."""
    if update.callback_query is not None:
        return f"button {(update.callback_query.data or '')[:40]}"
    message = update.effective_message
    if message is not None and message.document is not None:
        return f"file {(message.document.file_name or '')[:80]}"
    if message is not None and message.text:
        return message.text.split(maxsplit=1)[0][:40]
    return "?"


def problems_html(problems: list[Problem]) -> str:
    return lines_html([str(p) for p in problems])


def _report(report: BuildReport, lang: str) -> str:
    return t(
        "reload_ok",
        lang,
        embedded=report.embedded,
        added=len(report.added),
        changed=len(report.changed),
        removed=len(report.removed),
    )


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Validate the knowledge, rebuild the index and swap it in; answers keep flowing."""
    if await refuse_non_admin(update, context):
        return
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    await send_html(context.bot, chat.id, [t("reloading", lang)])
    before = svc.assistant.kb.measures
    loop = asyncio.get_running_loop()
    try:
        report = await loop.run_in_executor(svc.executor, svc.assistant.build)
    except KnowledgeError as exc:
        audit("reload_refused", problems=len(exc.problems))
        await send_html(
            context.bot, chat.id, [t("reload_failed", lang, problems=problems_html(exc.problems))]
        )
        return
    audit("reloaded", embedded=report.embedded, added=len(report.added))
    await send_html(context.bot, chat.id, [_report(report, lang)])
    await notify_watchers(context, before)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Questions per day, the share unanswered, and feedback."""
    if await refuse_non_admin(update, context):
        return
    chat, lang = update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    days, up, down = services(context).store.stats()
    en = lang == "en"
    lines = ["<b>" + ("Questions per day" if en else "Câu hỏi theo ngày") + "</b>"]
    for day in days:
        share = 100 * day.unanswered / day.questions if day.questions else 0
        lines.append(
            f"{day.day}: {day.questions} ({share:.0f}% "
            + ("unanswered" if en else "chưa trả lời được")
            + ")"
        )
    lines.append(f"👍 {up}  👎 {down}")
    svc = services(context)
    waiting = svc.desk.waiting(svc.now())
    oldest = ""
    if waiting:
        hours = max(w for _, w in waiting).total_seconds() / 3600
        oldest = f" ({'oldest' if en else 'lâu nhất'}: {hours:.0f} h)"
        oldest += "".join(
            f"\n#{f.id} · {w.total_seconds() / 3600:.0f} h · {render.escape(f.question[:120])}"
            for f, w in waiting[:10]
        )
    lines.append(t("forwards_waiting", lang, n=len(waiting), oldest=oldest))
    await send_html(context.bot, chat.id, render.split_messages(["\n".join(lines)]))


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Recent questions the assistant could not answer."""
    if await refuse_non_admin(update, context):
        return
    chat, lang = update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    rows = services(context).store.unanswered()
    if not rows:
        await send_html(context.bot, chat.id, [t("unanswered_none", lang)])
        return
    lines = [f"{render.escape(ts[:16])} — {render.escape(q[:300])}" for ts, q in rows]
    await send_html(context.bot, chat.id, render.split_messages(lines))


async def upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Replace a knowledge file sent as a document, after validating it; keep a backup."""
    if await refuse_non_admin(update, context):
        return
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    message = update.effective_message
    if chat is None or message is None or message.document is None:
        return
    doc = message.document
    name = doc.file_name or ""
    if is_table(name):
        await _import_table(update, context, name)
        return
    try:
        uploads.target_for(name)  # the name first: a wrong one is not worth downloading
    except InputError:
        names = ", ".join(sorted(KNOWN))
        await send_html(
            context.bot,
            chat.id,
            [t("upload_bad_name", lang, name=render.escape(name[:80]), names=render.escape(names))],
        )
        return
    try:
        data = await download(doc, MAX_BYTES)
    except TooLarge:
        await send_html(context.bot, chat.id, [t("upload_too_big", lang, kb=MAX_BYTES // 1024)])
        return
    before = svc.assistant.kb.measures
    loop = asyncio.get_running_loop()
    try:
        outcome = await loop.run_in_executor(svc.executor, svc.assistant.upload, name, data)
    except InputError as exc:  # not the name (checked above): say what it was
        await send_html(context.bot, chat.id, [t("import_failed", lang, why=render.escape(exc))])
        return
    audit("upload", file=outcome.rel, problems=len(outcome.problems), replaced=bool(outcome.report))
    if outcome.problems or outcome.report is None:
        await send_html(
            context.bot,
            chat.id,
            [
                t(
                    "upload_rejected",
                    lang,
                    name=render.escape(name),
                    problems=problems_html(outcome.problems),
                )
            ],
        )
        return
    backup = outcome.backup.name if outcome.backup else "-"
    text = t("upload_ok", lang, name=render.escape(outcome.rel), backup=render.escape(backup))
    await send_html(context.bot, chat.id, [text + _report(outcome.report, lang)])
    await notify_watchers(context, before)


async def _import_table(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    """A .csv or .xlsx: measures or WTO notifications to import, with a per-row report."""
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    message = update.effective_message
    if chat is None or message is None or message.document is None:
        return
    try:
        data = await download(message.document, TABLE_MAX_BYTES)
    except TooLarge:
        await send_html(
            context.bot, chat.id, [t("upload_too_big", lang, kb=TABLE_MAX_BYTES // 1024)]
        )
        return
    before = svc.assistant.kb.measures
    loop = asyncio.get_running_loop()
    try:
        outcome = await loop.run_in_executor(svc.executor, svc.assistant.import_table, name, data)
    except InputError as exc:
        await send_html(context.bot, chat.id, [t("import_failed", lang, why=render.escape(exc))])
        return
    await _send_import(update, context, name, outcome)
    if outcome.build is not None:
        await notify_watchers(context, before)


async def import_good(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button under a report with rejected rows: import the good rows of that file."""
    query = update.callback_query
    if query is None or await refuse_non_admin(update, context):
        return
    await query.answer()
    svc, chat, lang = services(context), update.effective_chat, user_lang(update, context)
    token = (query.data or "").partition(":")[2]
    before = svc.assistant.kb.measures
    loop = asyncio.get_running_loop()
    try:
        outcome = await loop.run_in_executor(svc.executor, svc.assistant.import_good_rows, token)
    except InputError as exc:
        if chat is not None:
            await send_html(
                context.bot, chat.id, [t("import_failed", lang, why=render.escape(exc))]
            )
        return
    await _send_import(update, context, "", outcome)
    if outcome.build is not None:
        await notify_watchers(context, before)


async def _send_import(
    update: Update, context: ContextTypes.DEFAULT_TYPE, name: str, outcome: ImportOutcome
) -> None:
    chat, lang, report = update.effective_chat, user_lang(update, context), outcome.report
    if chat is None:
        return
    text = t(
        "import_report",
        lang,
        name=render.escape(name),
        kind=t(f"import_kind_{report.kind}", lang),
        rows=report.rows,
        added=len(report.added),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        rejected=len(report.rejected),
    )
    parts = [text]
    if report.rejected:
        parts.append(t("import_rejected_rows", lang, rows=lines_html(report.rejected)))
    if report.notes:
        parts.append(t("import_notes", lang, rows=lines_html(report.notes)))
    keyboard = None
    if outcome.build is not None:
        parts.append(_report(outcome.build, lang))
    elif report.rejected and report.kind == "notifications":
        parts.append(t("import_nothing_written", lang))
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("import_good_button", lang), callback_data=f"im:{outcome.token}"
                    )
                ]
            ]
        )
    await send_html(context.bot, chat.id, ["\n".join(parts)], keyboard=keyboard)


def lines_html(lines: list[str]) -> str:
    """Report lines in a code block, at most MAX_PROBLEMS of them."""
    shown = [render.escape(line) for line in lines[:MAX_PROBLEMS]]
    if len(lines) > MAX_PROBLEMS:
        shown.append(f"… (+{len(lines) - MAX_PROBLEMS})")
    return "<code>" + "\n".join(shown) + "</code>"
