"""Odd input always gets a clear reply, never an exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.service import Assistant

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
