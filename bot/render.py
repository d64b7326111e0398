"""The one Telegram renderer: answers to escaped HTML, split below the 4096-character limit."""

from __future__ import annotations

import html

from assistant.answer.models import Answer, Block

LIMIT = 4000  # below Telegram's 4096, leaving room for the closing source line


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _pieces(text: str, room: int) -> list[str]:
    """Split raw text at line, sentence or word boundaries into parts that fit."""
    parts: list[str] = []
    rest = text
    while tg_len(html.escape(rest)) > room:
        cut = room // 2
        for sep in ("\n", ". ", "; ", ", ", " "):
            at = rest.rfind(sep, 0, cut)
            if at > room // 8:
                cut = at + len(sep)
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p]


def block_html(block: Block, lang: str) -> list[str]:
    """One block as one or more HTML paragraphs, each value escaped."""
    out = []
    for piece in _pieces(block.text, LIMIT - 40):
        text = html.escape(piece, quote=False)
        if block.kind == "title":
            out.append(f"<b>{text}</b>")
        elif block.kind == "item":
            out.append(f"• {text}")
        elif block.kind == "quote":
            mark = "<i>Plan text (in Vietnamese):</i>\n" if lang == "en" else ""
            out.append(f"{mark}<blockquote>{text}</blockquote>")
        elif block.kind == "note":
            out.append(f"<i>{text}</i>")
        else:
            out.append(text)
    return out


def answer_html(answer: Answer, with_sources: bool = True) -> list[str]:
    """An answer as Telegram messages: paragraphs joined, split at paragraph boundaries."""
    paragraphs: list[str] = []
    for block in answer.blocks:
        paragraphs.extend(block_html(block, answer.lang))
    if with_sources and answer.sources:
        label = "Sources" if answer.lang == "en" else "Nguồn"
        cited = ", ".join(html.escape(s.id) for s in answer.sources[:5])
        paragraphs.append(f"<i>{label}: {cited}</i>")
    return split_messages(paragraphs)


def split_messages(paragraphs: list[str]) -> list[str]:
    """Group paragraphs into messages that stay below the limit."""
    messages: list[str] = []
    current = ""
    for para in paragraphs:
        candidate = f"{current}\n{para}" if current else para
        if current and tg_len(candidate) > LIMIT:
            messages.append(current)
            current = para
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages or ["…"]


def escape(value: object) -> str:
    """Escape any value for Telegram HTML."""
    return html.escape(str(value), quote=False)
