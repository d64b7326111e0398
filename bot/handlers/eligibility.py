"""/eligibility: a three-step questionnaire on inline keyboards, ending with fitting support."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from assistant.answer import direct
from bot import render
from bot.i18n import t
from bot.sending import send_html, with_retry
from bot.services import services, user_lang

KINDS = {
    "dn": ("Doanh nghiệp", "Company"),
    "htx": ("Hợp tác xã", "Cooperative"),
    "hkd": ("Hộ kinh doanh", "Household business"),
    "org": ("Tổ chức khác", "Other organisation"),
}
PRODUCTS = {
    "ocop": ("Sản phẩm OCOP", "OCOP product"),
    "key_product": ("Sản phẩm chủ lực, đặc trưng của tỉnh", "Key or signature product"),
    "high_risk": ("Hàng hoá rủi ro cao", "High-risk goods"),
    "export": ("Có xuất khẩu", "We export"),
}
INTERESTS = {
    "management_system": ("Hệ thống quản lý (ISO…)", "Management systems (ISO…)"),
    "traceability": ("Truy xuất nguồn gốc", "Traceability"),
    "gap": ("Thực hành nông nghiệp tốt (GAP)", "Good agricultural practice"),
    "organic": ("Sản xuất hữu cơ", "Organic production"),
    "green": ("Chuyển đổi xanh", "Green transition"),
    "digital": ("Chuyển đổi số", "Digital transition"),
    "productivity": ("Năng suất, chất lượng", "Productivity and quality"),
    "pilot_model": ("Mô hình điểm", "Pilot model"),
    "training": ("Đào tạo, tập huấn", "Training"),
}


def _state(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    data = context.user_data if context.user_data is not None else {}
    state: dict[str, Any] = data.setdefault("eligibility", {"kind": None, "tags": set()})
    return state


def _toggles(
    options: dict[str, tuple[str, str]], chosen: set[str], lang: str, prefix: str, done: str
) -> InlineKeyboardMarkup:
    i = 1 if lang == "en" else 0
    buttons = [
        [
            InlineKeyboardButton(
                ("✅ " if key in chosen else "▫️ ") + labels[i], callback_data=f"el:{prefix}:{key}"
            )
        ]
        for key, labels in options.items()
    ]
    buttons.append([InlineKeyboardButton(done, callback_data=f"el:{prefix}n")])
    return InlineKeyboardMarkup(buttons)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Begin the questionnaire: what kind of business."""
    chat, lang = update.effective_chat, user_lang(update, context)
    if chat is None:
        return
    if context.user_data is not None:
        context.user_data["eligibility"] = {"kind": None, "tags": set()}
    i = 1 if lang == "en" else 0
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(v[i], callback_data=f"el:k:{k}")] for k, v in KINDS.items()]
    )
    await send_html(context.bot, chat.id, [t("eligibility_kind", lang)], keyboard)


async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle one button of the questionnaire and show the next step."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    await with_retry(query.answer)
    lang, state = user_lang(update, context), _state(context)
    parts = query.data.split(":")  # matched ^el:(?:[kpi]:[\w-]{1,32}|pn|in)$
    action = parts[1]
    options = {"k": KINDS, "p": PRODUCTS, "i": INTERESTS}.get(action)
    if options is not None and parts[2] not in options:
        return  # not a choice the questionnaire offers
    if action == "k":
        state["kind"] = parts[2]
        await _edit(
            query,
            t("eligibility_products", lang),
            _toggles(PRODUCTS, state["tags"], lang, "p", t("next", lang)),
        )
    elif action in ("p", "i"):
        state["tags"] ^= {parts[2]}
        options = PRODUCTS if action == "p" else INTERESTS
        done = t("next", lang) if action == "p" else t("results", lang)
        await with_retry(
            lambda: query.edit_message_reply_markup(
                _toggles(options, state["tags"], lang, action, done)
            )
        )
    elif action == "pn":
        await _edit(
            query,
            t("eligibility_interests", lang),
            _toggles(INTERESTS, state["tags"], lang, "i", t("results", lang)),
        )
    elif action == "in":
        await _finish(update, context, set(state["tags"]), lang)


async def _edit(query: Any, text: str, keyboard: InlineKeyboardMarkup) -> None:
    await with_retry(
        lambda: query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    )


async def _finish(
    update: Update, context: ContextTypes.DEFAULT_TYPE, tags: set[str], lang: str
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    answer = direct.eligibility(services(context).assistant.kb, tags, lang)
    restart = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("restart", lang), callback_data="el:r")]]
    )
    await send_html(context.bot, chat.id, render.answer_html(answer), restart)


async def restart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start the questionnaire again from the results message."""
    if update.callback_query:
        await with_retry(update.callback_query.answer)
    await start(update, context)
