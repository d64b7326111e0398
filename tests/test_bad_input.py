"""Odd input always gets a clear reply, never an exception."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.service import Assistant
from assistant.settings import Settings

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "x" * 100_000,
        "🙂🚀🔥",
        "\x00\x01\x02\x1b[31m",
        "<b>nhiệm vụ</b><script>",
        "**ai** _chủ trì_ `3.2`",
        "'; DROP TABLE tasks; --",
        "SELECT * FROM users WHERE 1=1",
        "3.2" * 2000,
        "\u202eevil",
        "nhiệm vụ " * 5000,
    ],
)
def test_known_bad_inputs(fake_assistant: Assistant, text: str) -> None:
    answer = fake_assistant.ask(text, today=TODAY)
    assert answer.answer.strip()
    assert len(answer.question) <= 1000


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=400))
def test_any_text_gets_a_reply(fake_assistant: Assistant, text: str) -> None:
    answer = fake_assistant.ask(text, today=TODAY)
    assert answer.answer.strip()
    assert answer.lang in ("vi", "en")


def test_lone_surrogates_become_replacement_characters(fake_assistant: Assistant) -> None:
    # what undecodable bytes become under Python's surrogateescape; the real tokenizer and
    # the store both refuse them
    answer = fake_assistant.ask("\udcff\udcfe hạn báo cáo \udcc3", today=TODAY)
    assert answer.question == "\ufffd\ufffd hạn báo cáo \ufffd"
    json.dumps(answer.public(), ensure_ascii=False).encode("utf-8")  # would raise on a surrogate


def test_a_bad_byte_on_stdin_spoils_its_line_not_the_batch(fake_settings: Settings) -> None:
    lines = (
        b"Ai chu tri nhiem vu 3.2\n\xff\xfe h\xe1\xba\xa1n b\xc3\xa1o c\xc3\xa1o \xc3\nTBT la gi\n"
    )
    env = {
        **os.environ,
        "ASSISTANT_ENCODER": "fake",
        "ASSISTANT_DATA_DIR": str(fake_settings.data_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(fake_settings.knowledge_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "--json", "-"],
        input=lines,
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    answers = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [a["question"] for a in answers] == [
        "Ai chu tri nhiem vu 3.2",
        "\ufffd\ufffd hạn báo cáo \ufffd",
        "TBT la gi",
    ]
    assert all(a["answer"].strip() for a in answers)


def test_generated_hostile_questions_get_valid_short_html(fake_assistant: Assistant) -> None:
    from bot import render
    from tests.auxil.fake_bot_api import parse_telegram_html
    from tests.auxil.fuzz import questions

    asked = questions(300, seed=11)
    assert sum(len(q) >= 100_000 for q in asked) >= 5  # the long lines are in the mix
    for i, text in enumerate(asked):
        answer = (
            fake_assistant.converse(("fuzz", str(i % 7)), text, today=TODAY)
            if i % 2
            else fake_assistant.ask(text, today=TODAY)
        )
        assert answer.answer.strip()
        for message in render.answer_html(answer):
            assert 0 < len(message) <= 4096
            parse_telegram_html(message)  # raises on markup Telegram would refuse
