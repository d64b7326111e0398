"""bot/render.py: long answers split below Telegram's limit, at paragraph boundaries."""

from __future__ import annotations

import re

import pytest

from assistant.answer.models import Answer, Block, SourceRef
from bot import render
from tests.auxil.fake_bot_api import MAX_TEXT_LENGTH, parse_telegram_html

WORDS = 'Tiêu chuẩn cơ sở cho sản phẩm OCOP & hàng <chủ lực>, R&D "mã" 😀 đạt yêu cầu. '


def long_answer(lang: str = "vi") -> Answer:
    blocks = [Block(kind="title", text="Kế hoạch <2026–2035> & TBT")]
    blocks += [Block(kind="item", text=f"{i}: " + WORDS * 4) for i in range(40)]
    blocks.append(Block(kind="quote", text=(WORDS * 90).strip()))  # one ~7,000-char paragraph
    blocks.append(Block(kind="text", text="x" * 9000))  # no place to break at all
    blocks.append(Block(kind="note", text="&" * 5000))  # five times longer once escaped
    blocks.append(Block(kind="text", text="😀" * 3000))  # 6,000 UTF-16 code units
    sources = [SourceRef(id=f"task:3.{i}", title="t", file="f") for i in range(1, 8)]
    return Answer(
        question="q", lang=lang, intent="task", confident=True, blocks=blocks, sources=sources
    )


def visible(html_text: str) -> str:
    return parse_telegram_html(html_text)[0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_long_answer_is_split_below_the_limit_at_paragraphs(lang: str) -> None:
    answer = long_answer(lang)
    messages = render.answer_html(answer)
    paragraphs = [p for b in answer.blocks for p in render.block_html(b, lang)]
    assert sum(render.tg_len(p) for p in paragraphs) > 30_000
    assert len(messages) >= 9

    for message in messages:
        plain, _ = parse_telegram_html(message)  # balanced tags, valid entities
        assert render.tg_len(plain) <= render.LIMIT < MAX_TEXT_LENGTH  # what Telegram counts
        # the markup stays below the limit too, except a lone paragraph of escape-heavy text
        # ("&" becomes "&amp;"), whose visible length is what counts
        assert render.tg_len(message) <= render.LIMIT or message in paragraphs
    # messages are whole paragraphs: joining them gives back every paragraph, in order
    label = "Sources" if lang == "en" else "Nguồn"
    sources = f"<i>{label}: task:3.1, task:3.2, task:3.3, task:3.4, task:3.5</i>"
    assert "\n".join(messages) == "\n".join([*paragraphs, sources])
    assert messages[-1].endswith(sources)

    # long blocks are cut into several paragraphs, each with its own markup, nothing lost
    quotes = [p for p in paragraphs if "<blockquote>" in p]
    assert len(quotes) >= 2
    assert all(p.count("<blockquote>") == p.count("</blockquote>") == 1 for p in quotes)
    if lang == "en":
        assert all(p.startswith("<i>Plan text (in Vietnamese):</i>\n") for p in quotes)
    quoted = "".join(visible(p).removeprefix("Plan text (in Vietnamese):\n") for p in quotes)
    assert re.sub(r"\s", "", quoted) == re.sub(r"\s", "", WORDS * 90)
    notes = [p for p in paragraphs if p.startswith("<i>&amp;")]
    assert len(notes) >= 2 and "".join(visible(p) for p in notes) == "&" * 5000
    xs = [p for p in paragraphs if p.startswith("xxx")]
    assert len(xs) >= 3 and "".join(xs) == "x" * 9000
    smileys = [p for p in paragraphs if p.startswith("😀")]
    assert len(smileys) >= 2 and "".join(smileys) == "😀" * 3000


def test_short_answer_is_one_message() -> None:
    answer = Answer(
        question="q",
        lang="vi",
        intent="task",
        confident=True,
        blocks=[Block(kind="title", text="A & B"), Block(kind="item", text="1 < 2")],
        sources=[SourceRef(id="task:1", title="t", file="f")],
    )
    assert render.answer_html(answer) == ["<b>A &amp; B</b>\n• 1 &lt; 2\n<i>Nguồn: task:1</i>"]
    assert render.answer_html(answer, with_sources=False) == ["<b>A &amp; B</b>\n• 1 &lt; 2"]


def test_split_messages_packs_paragraphs_greedily() -> None:
    para = "a" * 1500
    assert render.split_messages([para] * 5) == [f"{para}\n{para}", f"{para}\n{para}", para]
    exact = "b" * render.LIMIT
    assert render.split_messages(["c", exact, "d"]) == ["c", exact, "d"]
    assert render.split_messages([]) == ["…"]
